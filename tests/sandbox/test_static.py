"""Static checks: each rule fires on the pattern it names, with file:line and a fix, and
stays quiet on the shipped example strategies."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from ironkeel.sandbox.static import RULES, check_file, check_params, check_source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "strategies"
HEADER = "from ironkeel import Strategy\n\n\nclass S(Strategy):\n    pass\n"


def _codes(source: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in check_source(dedent(source), "s.py")]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_when_a_shipped_example_is_checked_then_nothing_is_found(path: Path) -> None:
    assert check_file(path) == []
    assert check_params(path, {}) == []


CASES = [
    ("import os", "IK101"),
    ("import numpy.ctypeslib", "IK101"),
    ("from numpy import ctypeslib", "IK101"),
    ("from ironkeel import backtest", "IK101"),
    ("from ironkeel.venues.sim import SimulatedExchange", "IK101"),
    ("from . import x", "IK101"),
    ("import importlib", "IK102"),
    ("m = __import__('os')", "IK102"),
    ("x = open('f').read()", "IK103"),
    ("eval('1')", "IK103"),
    ("exec('x = 1')", "IK103"),
    ("compile('1', 's', 'eval')", "IK103"),
    ("y = ().__class__.__base__.__subclasses__()", "IK104"),
    ("f = getattr(object, '__subclasses__')", "IK104"),
    ("f = getattr(object, 'x' + 'y')", "IK104"),
    ("b = __builtins__", "IK104"),
    ("def f(g):\n    return g.__globals__", "IK104"),
    ("import datetime\nt = datetime.datetime.now()", "IK105"),
    ("import pandas as pd\nd = pd.read_csv('x.csv')", "IK105"),
    ("import numpy as np\nnp.zeros(3).tofile('x')", "IK105"),
    ("def f():\n    while True:\n        pass", "IK201"),
    ("def f():\n    while 1:\n        for i in range(3):\n            break", "IK201"),
    ("CACHE = []", "IK301"),
    ("CACHE: dict[str, int] = {}", "IK301"),
    ("from collections import deque\nQ = deque()", "IK301"),
    ("X = 0\ndef f():\n    global X\n    X += 1", "IK302"),
]


@pytest.mark.parametrize(("line", "code"), CASES, ids=[c[0] for c in CASES])
def test_when_a_script_has_a_forbidden_pattern_then_its_rule_fires_at_its_line(
    line: str, code: str
) -> None:
    findings = check_source(line + "\n" + HEADER, "strat.py")
    hits = [f for f in findings if f.code == code]
    assert hits, findings
    assert 1 <= hits[0].line <= len(line.splitlines())
    assert str(hits[0]).startswith(f"strat.py:{hits[0].line}")
    assert "Fix:" in str(hits[0])
    assert code in RULES


def test_when_a_while_true_loop_can_break_or_return_then_it_passes() -> None:
    source = """
        def f(n):
            while True:
                n -= 1
                if n < 0:
                    break
        def g(n):
            while True:
                for i in range(3):
                    if i == n:
                        return i
    """
    assert [c for c in _codes(source + HEADER) if c[0] == "IK201"] == []


def test_when_there_is_no_strategy_then_ik401_and_several_then_ik402() -> None:
    assert ("IK401", 1) in _codes("import math\n")
    several = HEADER + "\n\nclass T(S):\n    pass\n"
    assert [c for c, _ in _codes(several)] == ["IK402"]
    assert check_source(several, "s.py", class_name="T") == []


def test_when_a_strategy_has_a_mutable_class_attribute_then_ik303() -> None:
    source = "from ironkeel import Strategy\n\nclass S(Strategy):\n    seen = []\n"
    assert _codes(source) == [("IK303", 4)]


def test_when_the_syntax_is_wrong_then_ik001_names_the_line() -> None:
    (finding,) = check_source("x = 1\ndef f(:\n", "bad.py")
    assert (finding.code, finding.line, finding.path) == ("IK001", 2, "bad.py")


def test_when_an_allowed_script_is_checked_then_it_is_clean() -> None:
    source = """
        import math
        from collections import deque
        from decimal import Decimal
        import numpy as np
        from ironkeel import Param, Strategy
        from ironkeel.indicators import SMA

        LIMITS = (1, 2, 3)

        class S(Strategy):
            n: int = Param(3, ge=1)

            def on_start(self):
                self.q = deque(maxlen=self.n)
    """
    assert check_source(dedent(source), "ok.py") == []


def test_when_a_parameter_is_unknown_then_the_closest_name_is_suggested(tmp_path: Path) -> None:
    (finding,) = check_params(EXAMPLES / "sma_cross.py", {"fats": "3"})
    assert finding.code == "IK501"
    assert "did you mean 'fast'" in finding.fix
    assert finding.line == 16  # the class statement
    (bad,) = check_params(EXAMPLES / "sma_cross.py", {"fast": "zero"})
    assert "not a valid int" in bad.reason


def test_when_loading_raises_then_ik502_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "boom.py"
    path.write_text(HEADER + "raise ValueError('x')\n", encoding="utf-8")
    (finding,) = check_params(path, {})
    assert (finding.code, finding.line) == ("IK502", 6)
