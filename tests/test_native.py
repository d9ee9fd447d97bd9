"""The compiled build (``make native``, ironkeel._native): loaded only when it matches
its sources, switched off by IRONKEEL_NATIVE=0, and equal to the sources in results."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ironkeel import _native

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo" / "run.toml"
PROBE = (
    "import ironkeel, ironkeel.core.loop as loop, ironkeel.model.orders as orders;"
    "print(ironkeel._native.STATUS); print(loop.__file__); print(orders.__file__)"
)
BUILT = _native.MANIFEST.is_file()
needs_build = pytest.mark.skipif(not BUILT, reason="no compiled build here: run 'make native'")


def probe(*, native: str | None = None, pythonpath: Path | None = None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "IRONKEEL_NATIVE"}
    if native is not None:
        env["IRONKEEL_NATIVE"] = native
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [*done.stdout.splitlines(), done.stderr]


def test_when_switched_off_then_every_module_runs_from_source() -> None:
    status, loop, orders, _ = probe(native="0")
    assert status == "source (IRONKEEL_NATIVE=0)"
    assert loop.endswith("loop.py")
    assert orders.endswith("orders.py")


@needs_build
def test_when_the_build_matches_then_the_hot_modules_load_compiled() -> None:
    status, loop, orders, stderr = probe()
    assert status == "compiled"
    assert loop.endswith(".so")
    assert orders.endswith(".so")
    assert "RuntimeWarning" not in stderr


def test_in_ci_with_a_compiler_the_suite_runs_on_a_build() -> None:
    """CI runs the suite once compiled (``make unit``) and once from source."""
    if not os.environ.get("CI") or shutil.which("cc") is None:
        pytest.skip("outside CI, or no C compiler: the build is optional")
    expected = (
        "source (IRONKEEL_NATIVE=0)" if os.environ.get("IRONKEEL_NATIVE") == "0" else "compiled"
    )
    assert expected == _native.STATUS


@needs_build
def test_when_a_source_changes_after_the_build_then_it_runs_from_source_with_a_warning(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "ironkeel", copy / "ironkeel")
    edited = copy / "ironkeel" / "core" / "loop.py"
    edited.write_text(edited.read_text() + "\n# edited after the build\n")
    status, loop, orders, stderr = probe(pythonpath=copy)
    assert status == "source (stale build: ironkeel/core/loop.py)"
    assert loop == str(edited)
    assert orders.endswith("orders.py")  # all or nothing: no mix of build and sources
    assert "run 'make native' to rebuild it" in stderr


def test_stale_sources_names_changed_and_deleted_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("A = 1\n")
    (tmp_path / "b.py").write_text("B = 1\n")
    manifest: dict[str, object] = {
        "sources": {
            "a.py": _native.digest(tmp_path / "a.py"),
            "b.py": _native.digest(tmp_path / "b.py"),
            "gone.py": "0" * 64,
        }
    }
    assert _native.stale_sources(manifest, tmp_path) == ["gone.py"]
    (tmp_path / "b.py").write_text("B = 2\n")
    assert _native.stale_sources(manifest, tmp_path) == ["b.py", "gone.py"]
    assert _native.stale_sources({"sources": "x"}, tmp_path) == ["<manifest without sources>"]


@needs_build
def test_the_build_and_the_sources_write_byte_identical_outputs(tmp_path: Path) -> None:
    """The demo run (three strategies, risk engine, real BTC bars) both ways."""
    outputs = {}
    for native in ("1", "0"):
        out = tmp_path / f"native-{native}"
        env = {**os.environ, "IRONKEEL_NATIVE": native}
        command = [sys.executable, "-m", "ironkeel.cli", "backtest", str(DEMO)]
        subprocess.run(
            [*command, "--out", str(out), "--no-report"],
            env=env,
            capture_output=True,
            check=True,
            timeout=300,
        )
        outputs[native] = {
            p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix in (".csv", ".json")
        }
    assert set(outputs["1"]) >= {"summary.json", "fills.csv", "orders.csv", "equity.csv"}
    assert outputs["1"] == outputs["0"]
    summary = json.loads(outputs["1"]["summary.json"])
    assert summary["n_fills"] > 0
