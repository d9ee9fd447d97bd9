"""Layering, enforced on the source: a module imports its own package or lower layers only.

model (0) < core, audit (1) < venues, portfolio, data, indicators, analytics (2)
< execution, risk (3) < strategy (4) < sandbox (5: hosts and checks strategies)
< backtest (6: may run a strategy sandboxed) < reports, node, stress, validation (7)
< cli (8)

Every import counts, including those inside functions or under TYPE_CHECKING.
The root package ``ironkeel`` (its ``__init__``) sits above every layer: it may
re-export anything, and no subpackage may import it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ironkeel"
LAYERS: dict[str, int] = {
    "_native": 0,  # picks the compiled build or the sources; imports no ironkeel module
    "model": 0,
    "core": 1,
    "audit": 1,
    "venues": 2,
    "portfolio": 2,
    "data": 2,
    "indicators": 2,
    "execution": 3,
    "risk": 3,
    "strategy": 4,
    "analytics": 2,
    "sandbox": 5,
    "backtest": 6,
    "reports": 7,
    "node": 7,
    "stress": 7,
    "validation": 7,
    "cli": 8,
}
ROOT = "<root>"
ROOT_FILES = {"__init__.py", "__main__.py"}
ORDER = " < ".join(
    f"{{{', '.join(sorted(n for n, at in LAYERS.items() if at == layer))}}} ({layer})"
    for layer in sorted(set(LAYERS.values()))
)


def module_name(path: Path) -> str:
    parts = ["ironkeel", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(dotted: str) -> str:
    """The top-level subpackage a dotted ``ironkeel`` name belongs to (or the root)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _from_root(name: str) -> str:
    """``from ironkeel import name``: a subpackage or module if one exists, else the root."""
    is_module = (SRC / name).is_dir() or (SRC / f"{name}.py").exists()
    return f"ironkeel.{name}" if is_module or name in LAYERS else "ironkeel"


def imports(source: str, dotted: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module) for every ``ironkeel`` import in ``source``."""
    here = dotted.split(".") if is_package else dotted.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module == "ironkeel":  # ``from ironkeel import model`` imports the subpackage
                found += [(node.lineno, _from_root(alias.name)) for alias in node.names]
            else:
                found.append((node.lineno, module))
    return [(line, name) for line, name in found if name.split(".")[0] == "ironkeel"]


def violations(source: str, dotted: str, is_package: bool) -> list[str]:
    own = package_of(dotted)
    if own == ROOT:
        return []
    problems = []
    for line, target in imports(source, dotted, is_package):
        other = package_of(target)
        if other == own:
            continue
        where = f"{dotted} (line {line}) imports {target}"
        if other == ROOT:
            problems.append(f"{where}: no subpackage imports the root package; import the module")
        elif other not in LAYERS:
            problems.append(f"{where}: '{other}' has no layer; add it to LAYERS in {__file__}")
        elif LAYERS[other] >= LAYERS[own]:
            problems.append(
                f"{where}: {own} (layer {LAYERS[own]}) may import only its own package "
                f"or a lower layer; {other} is layer {LAYERS[other]}. Layers: {ORDER}"
            )
    return problems


MODULES = sorted(SRC.rglob("*.py"))


def test_every_top_level_subpackage_and_module_has_a_layer():
    names = {p.name if p.is_dir() else p.stem for p in SRC.iterdir() if p.name not in ROOT_FILES}
    names = {n for n in names if not n.startswith((".", "__")) and n != "py"}
    missing = sorted(names - set(LAYERS))
    assert not missing, f"no layer for {missing}: add each to LAYERS in {__file__} ({ORDER})"


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_module_imports_only_its_own_package_or_lower_layers(path):
    dotted = module_name(path)
    own = package_of(dotted)
    assert own == ROOT or own in LAYERS, (
        f"{dotted}: package '{own}' has no layer; add it to LAYERS in {__file__} ({ORDER})"
    )
    problems = violations(path.read_text(encoding="utf-8"), dotted, path.name == "__init__.py")
    assert not problems, "\n".join(problems)


# --- the checker itself -------------------------------------------------------------------

CHECKER_CASES = [
    ("ironkeel.model.orders", False, "from ironkeel.core.clock import Clock", 1),
    ("ironkeel.model.orders", False, "from ironkeel.model.events import OrderFilled", 0),
    ("ironkeel.model.orders", False, "from ..core import clock", 1),
    ("ironkeel.model.orders", False, "from . import events", 0),
    ("ironkeel.model", True, "from .orders import Order", 0),
    ("ironkeel.core.loop", False, "def f():\n    import ironkeel.venues.port", 1),
    ("ironkeel.execution.oms", False, "from ironkeel.venues.port import VenuePort", 0),
    ("ironkeel.venues.sim.engine", False, "from ironkeel.portfolio import Portfolio", 1),
    ("ironkeel.venues.sim.engine", False, "from ...core.clock import Clock", 0),
    ("ironkeel.venues.sim", True, "from ..port import VenuePort", 0),
    ("ironkeel.core.bus", False, "import ironkeel", 1),
    ("ironkeel.core.bus", False, "from ironkeel import model", 0),
    ("ironkeel.core.bus", False, "from ironkeel import execution", 1),
    ("ironkeel.core.bus", False, "from ironkeel import __version__", 1),
    ("ironkeel.core.bus", False, "from ironkeel.plugins import x", 1),
    ("ironkeel.cli", True, "from ironkeel.backtest import run", 0),
    ("ironkeel", True, "from ironkeel.cli import main", 0),
]


@pytest.mark.parametrize(("dotted", "is_package", "source", "expected"), CHECKER_CASES)
def test_checker_finds_each_upward_or_sideways_import(dotted, is_package, source, expected):
    assert len(violations(source, dotted, is_package)) == expected


def test_checker_message_says_what_to_do():
    (message,) = violations("from ironkeel.core import Clock", "ironkeel.model.x", False)
    assert "ironkeel.model.x (line 1) imports ironkeel.core" in message
    assert "model (layer 0) may import only its own package or a lower layer" in message


# --- the public api -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "package",
    [
        "ironkeel",
        "ironkeel.model",
        "ironkeel.core",
        "ironkeel.stress",
        "ironkeel.analytics",
        "ironkeel.reports",
    ],
)
def test_every_name_in_all_exists_once(package):
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{package}.__all__ names missing attributes: {missing}"
    assert len(module.__all__) == len(set(module.__all__))
