"""The report in a real browser (Debian's chromium, headless, through playwright's own
driver): no console errors, every chart drew its SVG with its traces, and a screenshot.

Without chromium the test skips and says why -- unless CI is set, where it fails: CI
must install chromium itself (``make browser``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ironkeel.reports import write_report
from tests._runs import make_run

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COUNT = "Number(document.querySelector(\"meta[name='ironkeel-charts']\").content)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: install it with `make browser` (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}")
    print(f"skipping the browser test: {reason}")
    pytest.skip(reason)
    raise AssertionError  # unreachable: skip raises


def _open(report: Path, screenshot: Path) -> dict[str, object]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only with chromium

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(_chromium()), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri())
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2 * {COUNT}",
                timeout=60_000,
            )
            found = page.evaluate(
                """() => ({
                    expected: COUNT,
                    charts: [...document.querySelectorAll('.js-plotly-plot')].map(d => ({
                        id: d.id,
                        svg: d.querySelectorAll('.main-svg').length,
                        traces: (d.data || []).length,
                        drawn: d.querySelectorAll('.trace, .hm, .scatterlayer .trace, image').length
                                 + d.querySelectorAll('canvas').length,
                    })),
                })""".replace("COUNT", COUNT)
            )
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"errors": errors, **found}


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a backtest with two strategies, risk events and a stress file."""
    return make_run(tmp_path_factory.mktemp("run"), stress=True)


def test_report_renders_every_chart_without_console_errors(demo_report: Path):
    _chromium()
    report, built = write_report(demo_report)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "report.png"
    seen = _open(report, shot)
    assert seen["errors"] == []
    charts = seen["charts"]
    assert isinstance(charts, list)
    assert seen["expected"] == built.n_charts == len(charts) >= 8
    for chart in charts:
        assert chart["svg"] >= 2, f"{chart['id']} did not render"
        assert chart["traces"] >= 1, f"{chart['id']} has no data"
        assert chart["drawn"] >= 1, f"{chart['id']} drew nothing"
    ids = {c["id"] for c in charts}
    assert {"chart-equity", "chart-price", "chart-risk", "chart-stress"} <= ids
    assert shot.stat().st_size > 10_000
    shutil.copy(shot, demo_report / "report.png")


def test_without_chromium_it_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("tests.reports.test_browser.CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        _chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _chromium()
