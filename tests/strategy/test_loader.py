"""Loading a strategy script: every way it can be wrong is a StrategyLoadError that names
the file, the line where there is one, and the fix."""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent

import pytest

from ironkeel import Strategy
from ironkeel.strategy import StrategyLoadError, load_strategy_class

HEADER = "from ironkeel import Param, Strategy\n"


def _script(folder: Path, body: str, name: str = "strat.py") -> Path:
    path = folder / name
    path.write_text(HEADER + dedent(body), encoding="utf-8")
    return path


def test_when_a_script_defines_one_strategy_then_its_class_is_loaded(tmp_path: Path) -> None:
    path = _script(
        tmp_path,
        """
        class Mine(Strategy):
            fast: int = Param(3, ge=1)
        """,
    )

    cls = load_strategy_class(path)

    assert cls.__name__ == "Mine"
    assert issubclass(cls, Strategy)
    assert cls({"fast": "4"}).fast == 4


def test_when_the_file_is_missing_then_the_error_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.py"

    with pytest.raises(StrategyLoadError, match="no such strategy file") as caught:
        load_strategy_class(missing)

    assert str(caught.value).startswith(str(missing))
    assert "Fix: check the path" in str(caught.value)


def test_when_the_script_has_a_syntax_error_then_the_error_names_file_and_line(
    tmp_path: Path,
) -> None:
    path = _script(
        tmp_path,
        """
        class Mine(Strategy):
            def on_bar(self, bar)
                pass
        """,
    )

    with pytest.raises(StrategyLoadError, match="syntax error") as caught:
        load_strategy_class(path)

    assert str(caught.value).startswith(f"{path}:4: ")  # header, blank line, class, def
    assert "Fix: correct the line" in str(caught.value)


def test_when_importing_the_script_raises_then_the_error_names_file_line_and_error(
    tmp_path: Path,
) -> None:
    path = _script(
        tmp_path,
        """
        import ironkeel_no_such_module_for_tests
        """,
    )

    with pytest.raises(StrategyLoadError, match="ModuleNotFoundError") as caught:
        load_strategy_class(path)

    assert str(caught.value).startswith(f"{path}:3: importing the strategy raised")
    assert "ironkeel_no_such_module_for_tests" in str(caught.value)


def test_when_the_error_is_raised_deeper_then_the_line_is_the_scripts_last_frame(
    tmp_path: Path,
) -> None:
    path = _script(
        tmp_path,
        """
        from decimal import Decimal


        def size():
            return Decimal("1") / 0


        SIZE = size()
        """,
    )

    with pytest.raises(StrategyLoadError, match="DivisionByZero") as caught:
        load_strategy_class(path)

    assert str(caught.value).startswith(f"{path}:7: ")  # inside size(), not the call


def test_when_a_parameter_default_is_invalid_then_loading_names_file_and_problem(
    tmp_path: Path,
) -> None:
    path = _script(
        tmp_path,
        """
        class Mine(Strategy):
            fast: int = Param(0, ge=1)
        """,
    )

    with pytest.raises(StrategyLoadError, match="is below the minimum 1") as caught:
        load_strategy_class(path)

    assert str(caught.value).startswith(f"{path}:3: ")  # the class statement


def test_when_loading_fails_then_no_half_imported_module_is_left_behind(tmp_path: Path) -> None:
    path = _script(tmp_path, "raise RuntimeError('no')\n")
    before = set(sys.modules)

    with pytest.raises(StrategyLoadError):
        load_strategy_class(path)

    assert set(sys.modules) - before == set()


def test_when_the_script_defines_no_strategy_then_the_error_shows_how(tmp_path: Path) -> None:
    path = _script(
        tmp_path,
        """
        class NotAStrategy:
            pass
        """,
    )

    with pytest.raises(StrategyLoadError, match="defines no Strategy subclass") as caught:
        load_strategy_class(path)

    assert str(caught.value).startswith(str(path))
    assert "class MyStrategy(Strategy)" in str(caught.value)


def test_when_a_strategy_is_only_imported_then_it_does_not_count(tmp_path: Path) -> None:
    defining = _script(tmp_path, "class Base(Strategy):\n    pass\n", name="base_strat.py")
    importing = _script(
        tmp_path,
        f"""
        import importlib.util
        spec = importlib.util.spec_from_file_location("base_for_test", {str(defining)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        Base = module.Base


        class Child(Base):
            pass
        """,
    )

    assert load_strategy_class(importing).__name__ == "Child"


def test_when_the_script_defines_several_then_the_error_lists_them(tmp_path: Path) -> None:
    path = _script(
        tmp_path,
        """
        class First(Strategy):
            pass


        class Second(Strategy):
            pass
        """,
    )

    with pytest.raises(StrategyLoadError, match="several Strategy subclasses") as caught:
        load_strategy_class(path)

    assert "['First', 'Second']" in str(caught.value)
    assert "class = ..." in str(caught.value)
    assert load_strategy_class(path, "Second").__name__ == "Second"


def test_when_the_named_class_is_absent_then_the_error_lists_the_choices(tmp_path: Path) -> None:
    path = _script(
        tmp_path,
        """
        class First(Strategy):
            pass
        """,
    )

    with pytest.raises(StrategyLoadError, match="no Strategy subclass named 'Frist'") as caught:
        load_strategy_class(path, "Frist")

    assert "['First']" in str(caught.value)
