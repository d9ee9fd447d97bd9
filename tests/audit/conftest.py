"""A 1,000-record log built once per session; each test tampers with its own copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._logs import N, build_log, copy_log


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_log(tmp_path_factory.mktemp("pristine") / "audit.sqlite", N)


@pytest.fixture
def log_path(pristine: Path, tmp_path: Path) -> Path:
    return copy_log(pristine, tmp_path)
