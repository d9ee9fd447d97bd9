"""The dependency check and the dependency lock of a script."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ironkeel.sandbox.deps import (
    PlatformLock,
    check_dependencies,
    dependency_lock,
    find_lock_file,
    imported_modules,
    platform_lock,
)

ROOT = Path(__file__).resolve().parents[2]
NUMPY = metadata.version("numpy")


def test_the_platform_lock_is_the_repository_uv_lock() -> None:
    assert find_lock_file() == ROOT / "uv.lock"
    lock = platform_lock()
    assert lock.allows("numpy", NUMPY)
    assert lock.allows("Typing_Extensions", metadata.version("typing_extensions"))


def test_when_no_lock_file_exists_the_installed_versions_are_the_lock(tmp_path: Path) -> None:
    assert find_lock_file(tmp_path) is None
    assert platform_lock(None).allows("numpy", NUMPY)


def test_when_imports_are_locked_then_nothing_is_found() -> None:
    source = "import math\nimport numpy as np\nimport pandas\nfrom ironkeel import Strategy\n"
    assert check_dependencies("s.py", source=source) == []


def test_when_the_installed_version_is_not_the_pinned_one_then_ik604() -> None:
    lock = PlatformLock("test lock", {"numpy": frozenset({"0.0.1"})})
    (finding,) = check_dependencies("s.py", source="\n\nimport numpy\n", lock=lock)
    assert (finding.code, finding.line) == ("IK604", 3)
    assert f"numpy {NUMPY} is installed" in finding.reason
    assert "0.0.1" in finding.reason


def test_when_an_import_is_not_allowed_or_absent_then_it_is_refused() -> None:
    source = "import requests\nimport os\n"
    assert [f.code for f in check_dependencies("s.py", source=source)] == ["IK601", "IK601"]


def test_the_dependency_lock_lists_third_party_packages_with_their_versions() -> None:
    source = "import math\nimport numpy as np\nfrom pandas import Series\nimport ironkeel\n"
    lock = dependency_lock("s.py", source=source)
    assert lock["numpy"] == NUMPY
    assert lock["pandas"] == metadata.version("pandas")
    assert lock["ironkeel"] == metadata.version("ironkeel")
    assert "python" in lock
    assert "math" not in lock
    assert list(lock) == sorted(lock)


def test_imported_modules_gives_the_first_line_of_each() -> None:
    assert imported_modules("import a.b\nfrom c import d\nimport a.b\n") == {"a.b": 1, "c": 2}
