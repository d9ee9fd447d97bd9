"""One self-contained HTML report of a run folder: plotly.js inline (works offline), every
chart and table of docs/analytics.md, and the number of charts in a meta tag (the
browser test checks that each one rendered)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ironkeel.analytics import monte_carlo_trades
from ironkeel.backtest.result import BacktestResult
from ironkeel.reports import charts
from ironkeel.reports.format import HEADLINE, fmt
from ironkeel.reports.stress import StressResults, read_stress

__all__ = ["Report", "build_report", "write_report"]

MC_PATHS = 10_000
NANOS_PER_DAY = 86_400 * 1_000_000_000


@dataclass(frozen=True)
class Report:
    """The HTML text, its chart count, and the metrics it shows."""

    html: str
    n_charts: int
    metrics: pd.DataFrame


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _table(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> str:
    """An HTML table; ``kinds`` formats rows by index label (see ``fmt``)."""
    head = "".join(
        f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns]
    )
    rows = []
    for label, row in frame.iterrows():
        kind = (kinds or {}).get(str(label), "num")
        cells = "".join(
            f"<td>{html.escape(fmt(v, kind) if not isinstance(v, str) else v)}</td>" for v in row
        )
        rows.append(f"<tr><th>{html.escape(str(label))}</th>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _chart(fig: go.Figure, key: str) -> str:
    text = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{key}",
        config={"displaylogo": False, "responsive": True},
    )
    return str(text)


def _rolling_window(ts_ns: np.ndarray) -> tuple[int, str]:
    """A day of bars for intraday data (at least 2), else 20 bars."""
    if ts_ns.size < 2:
        return 2, "2 bars"
    step = int(np.median(np.diff(ts_ns)))
    if step < NANOS_PER_DAY:
        bars = max(2, NANOS_PER_DAY // step)
        return int(bars), f"1 day = {bars} bars"
    return 20, "20 bars"


def build_report(result: BacktestResult, stress: StressResults | None = None) -> Report:
    """The report of ``result`` (and of stress results, when given)."""
    metrics = result.metrics()
    kinds = {name: kind for name, _, kind in HEADLINE}
    headline = metrics.loc[[n for n, _, _ in HEADLINE]]
    headline.index = pd.Index([label for _, label, _ in HEADLINE], name="metric")
    label_kinds = {label: kind for _, label, kind in HEADLINE}
    parts = [_section("Headline metrics", _table(headline, label_kinds))]
    notes: list[str] = []
    figures = _figures(result, list(metrics.columns), stress, notes)
    parts.extend(_section(_TITLES[key], _chart(fig, key)) for key, fig in figures)
    parts.append(_section("Per strategy", _table(metrics, kinds)))
    parts.append(_section("Drawdown episodes (total, deepest 10)", _drawdowns(result)))
    parts.append(_section("Monte Carlo over trades", _monte_carlo(result)))
    parts.append(_section("Value at risk (per bar, positive = loss)", _var(result)))
    if stress is not None:
        parts.append(_section("Stress results", _stress_table(stress)))
    if notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        parts.append(_section("Notes", f"<ul>{items}</ul>"))
    return Report(_page(result.summary, parts, len(figures)), len(figures), metrics)


def _figures(
    result: BacktestResult, names: list[str], stress: StressResults | None, notes: list[str]
) -> list[tuple[str, go.Figure]]:
    """Every chart the run's data allows, keyed; what is left out is said in ``notes``."""
    equity = result.equity()
    figures: list[tuple[str, go.Figure]] = []
    if len(equity) >= 2:
        underwater = result.underwater()
        figures.append(("equity", charts.equity_chart(equity, underwater, names)))
        figures.append(("underwater", charts.underwater_chart(underwater)))
        figures.append(("monthly", charts.monthly_chart(result.monthly_returns())))
        window, label = _rolling_window(equity["ts_ns"].to_numpy(dtype=np.int64))
        rolling = result.rolling(window)
        if len(rolling):
            figures.append(("rolling", charts.rolling_chart(rolling, label)))
        else:
            notes.append(f"rolling Sharpe: the run is shorter than the window ({label})")
        daily = result.returns("D")["total"]
        if len(daily) >= 20:
            figures.append(("distribution", charts.distribution_chart(daily, "daily returns")))
        else:
            per_bar = result.returns()["total"]
            figures.append(("distribution", charts.distribution_chart(per_bar, "per-bar returns")))
    else:
        notes.append("the equity curve has fewer than 2 points: no curve charts")
    prices = result.prices()
    if len(prices):
        figures.append(("price", charts.price_chart(prices, result.fills())))
    else:
        notes.append("no prices.csv in the run folder: no price chart (rerun the backtest)")
    if len(result.strategy_names) >= 2 and len(equity) >= 3:
        figures.append(("correlation", charts.correlation_chart(result.correlation())))
    events = result.risk_events()
    if len(events):
        figures.append(("risk", charts.risk_timeline(events)))
    if stress is not None and stress.scenarios:
        figures.append(("stress", charts.stress_chart(stress)))
    return figures


_TITLES = {
    "equity": "Equity curve with drawdown", "underwater": "Underwater",
    "monthly": "Monthly returns", "rolling": "Rolling Sharpe",
    "distribution": "Return distribution", "price": "Trades on the price chart",
    "correlation": "Correlation matrix", "risk": "Risk events timeline",
    "stress": "Stress scenarios",
}  # fmt: skip


def _drawdowns(result: BacktestResult) -> str:
    table = result.drawdowns(top=10)
    if table.empty:
        return "<p>The equity never fell below a previous peak.</p>"
    shown = pd.DataFrame(
        {
            "peak": table["peak"].dt.strftime("%Y-%m-%d %H:%M"),
            "trough": table["trough"].dt.strftime("%Y-%m-%d %H:%M"),
            "recovery": [
                t.strftime("%Y-%m-%d %H:%M") if not pd.isna(t) else "not recovered"
                for t in table["recovery"]
            ],
            "depth": [fmt(v, "pct") for v in table["depth"]],
            "duration": [str(d) for d in table["duration"]],
        },
        index=pd.Index(range(1, len(table) + 1), name="#"),
    )
    return _table(shown)


def _monte_carlo(result: BacktestResult) -> str:
    pnl = np.array([float(v) for v in result.trades()["pnl"]])
    equity = result.equity()
    if pnl.size == 0 or len(equity) == 0:
        return "<p>No trades: nothing to resample.</p>"
    start = float(equity["equity"].iloc[0])
    rows = {}
    for method in ("bootstrap", "permutation"):
        mc = monte_carlo_trades(pnl, start, n_paths=MC_PATHS, method=method, seed=0)
        table = mc.percentiles()
        rows[f"{method}: max drawdown"] = [fmt(v, "pct") for v in table["max_drawdown"]]
        rows[f"{method}: final equity"] = [fmt(v, "money") for v in table["final_equity"]]
    frame = pd.DataFrame(rows, index=[f"p{p:g}" for p in table.index]).T
    frame.index.name = f"{MC_PATHS:,} paths, seed 0"
    return _table(frame)


def _var(result: BacktestResult) -> str:
    table = result.var()
    table["var"] = [fmt(v, "pct") for v in table["var"]]
    table["cvar"] = [fmt(v, "pct") for v in table["cvar"]]
    table["level"] = [f"{v:.0%}" for v in table["level"]]
    return _table(table.set_index("method"))


def _stress_table(stress: StressResults) -> str:
    if stress.problem:
        return f"<p>stress.json could not be used: {html.escape(stress.problem)}</p>"
    rows = []
    for s in stress.scenarios:
        per = ", ".join(f"{n} {fmt(v.get('drawdown'), 'pct')}" for n, v in s.strategies.items())
        breached = {True: "yes", False: "no", None: "—"}[s.breached]
        rows.append({"scenario": s.title, "total drawdown": fmt(s.total_drawdown, "pct"),
                     "breached": breached, "per strategy (drawdown)": per or "—"})  # fmt: skip
    body = _table(pd.DataFrame(rows).set_index("scenario")) if rows else "<p>No scenarios.</p>"
    if stress.threshold is not None:
        body = f"<p>Threshold: {fmt(stress.threshold, 'pct')}</p>" + body
    if stress.recommendations:
        frame = pd.DataFrame(stress.recommendations).set_index("strategy")
        body += "<h3>Recommendations</h3>" + _table(frame)
    return body


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
thead th{background:#f4f4f4}tbody th{text-align:left;font-weight:normal;background:#fafafa}
.meta{color:#555;font-size:13px}
"""


def _page(summary: dict[str, object], parts: list[str], n_charts: int) -> str:
    title = f"ironkeel report {summary.get('start', '')!s:.19} → {summary.get('end', '')!s:.19}"
    meta = (
        f"currency {summary.get('currency', '')}, seed {summary.get('seed', '')}, "
        f"{summary.get('bars', 0):,} bars, complete: {summary.get('complete', '')}"
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta name='ironkeel-charts' content='{n_charts}'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(meta)}</p>"
        + "".join(parts)
        + "</body></html>"
    )


def write_report(run_dir: Path | str, out: Path | str | None = None) -> tuple[Path, Report]:
    """Read the run folder, build the report (with ``stress.json`` when present) and write
    it to ``out`` (default ``RUN_DIR/report.html``)."""
    folder = Path(run_dir)
    result = BacktestResult.read(folder)
    report = build_report(result, read_stress(folder / "stress.json"))
    target = Path(out) if out is not None else folder / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report.html, encoding="utf-8")
    return target, report
