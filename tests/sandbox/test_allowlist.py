"""The allow-list: what a strategy may import, and what it may not."""

from __future__ import annotations

import pytest

from ironkeel.sandbox.allowlist import ALLOWED_MODULES, is_allowed, why_denied

ALLOWED = [
    "math", "statistics", "collections", "collections.abc", "decimal", "dataclasses",
    "numpy", "numpy.linalg", "pandas", "datetime", "re", "ironkeel", "ironkeel.strategy",
    "ironkeel.indicators", "ironkeel.model.values",
]  # fmt: skip
DENIED = [
    "os", "os.path", "sys", "io", "pathlib", "shutil", "socket", "subprocess", "threading",
    "multiprocessing", "asyncio", "signal", "time", "ctypes", "gc", "inspect", "importlib",
    "builtins", "pickle", "marshal", "random", "numpy.ctypeslib", "numpy.f2py", "pandas.io",
    "pandas.io.parsers", "ironkeel.backtest", "ironkeel.sandbox", "ironkeel.venues.sim",
    "ironkeel.cli", "ironkeel.audit", "requests", "", ".relative", "math..x",
]  # fmt: skip


@pytest.mark.parametrize("name", ALLOWED)
def test_when_a_module_is_on_the_list_then_it_is_allowed(name: str) -> None:
    assert is_allowed(name)
    assert why_denied(name) == ""


@pytest.mark.parametrize("name", DENIED)
def test_when_a_module_reaches_files_network_processes_or_internals_then_it_is_denied(
    name: str,
) -> None:
    assert not is_allowed(name)
    assert why_denied(name)


def test_the_list_names_no_dangerous_top_level_module() -> None:
    dangerous = {"os", "sys", "io", "subprocess", "socket", "ctypes", "time", "importlib"}
    assert not ALLOWED_MODULES & dangerous
