"""The report's plotly figures, each from DataFrames of a ``BacktestResult``. Long series
are reduced with ``minmax_indices`` so a million-point curve draws as a few thousand
points with its peaks and troughs intact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ironkeel.reports.downsample import minmax_indices
from ironkeel.reports.stress import StressResults

__all__ = [
    "correlation_chart",
    "distribution_chart",
    "equity_chart",
    "monthly_chart",
    "price_chart",
    "risk_timeline",
    "rolling_chart",
    "stress_chart",
    "underwater_chart",
]

LAYOUT = {"template": "plotly_white", "height": 420, "margin": {"l": 60, "r": 30, "t": 50, "b": 40}}
#: Most fills drawn as markers on the price chart (evenly thinned beyond).
MAX_MARKERS = 5_000


def _reduce(series: pd.Series) -> pd.Series:
    """Reduced to its first/min/max/last points per bucket, indexed by naive UTC
    datetime64 (plotly copies object arrays of Timestamps slowly)."""
    reduced = series.iloc[minmax_indices(series.to_numpy(dtype=np.float64))]
    return pd.Series(reduced.to_numpy(), index=_naive(reduced.index), name=series.name)


def _naive(index: pd.Index) -> np.ndarray:
    stamps = pd.DatetimeIndex(index)
    return (stamps.tz_convert("UTC").tz_localize(None) if stamps.tz else stamps).to_numpy()


def _times(ts_ns: pd.Series) -> np.ndarray:
    return ts_ns.to_numpy(dtype=np.int64).astype("datetime64[ns]")


def equity_chart(equity: pd.DataFrame, underwater: pd.DataFrame, names: list[str]) -> go.Figure:
    """Equity of the total and each strategy, with the total's drawdown shaded below."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3],
                        vertical_spacing=0.04)  # fmt: skip
    for name in names:
        column = "equity" if name == "total" else f"equity_{name}"
        line = _reduce(equity[column])
        fig.add_trace(go.Scattergl(x=line.index, y=line.to_numpy(), name=name, mode="lines"), 1, 1)
    dd = _reduce(-underwater["total"])
    fig.add_trace(
        go.Scattergl(x=dd.index, y=dd.to_numpy(), name="drawdown (total)", fill="tozeroy",
                     mode="lines", line={"color": "#d62728"}),
        2, 1,
    )  # fmt: skip
    fig.update_yaxes(title_text="equity", row=1, col=1)
    fig.update_yaxes(title_text="drawdown", tickformat=".1%", row=2, col=1)
    fig.update_layout(title="Equity and drawdown", **{**LAYOUT, "height": 520})
    return fig


def underwater_chart(underwater: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for name in underwater.columns:
        line = _reduce(-underwater[name])
        fig.add_trace(go.Scattergl(x=line.index, y=line.to_numpy(), name=str(name), mode="lines"))
    fig.update_layout(title="Underwater (drawdown below the running peak)", yaxis_tickformat=".1%",
                      **LAYOUT)  # fmt: skip
    return fig


def monthly_chart(table: pd.DataFrame) -> go.Figure:
    """Heatmap of monthly returns (a month without data stays blank)."""
    months = table[list(range(1, 13))]
    values = months.to_numpy(dtype=np.float64)
    text = [["" if np.isnan(v) else f"{v * 100:.2f}%" for v in row] for row in values]
    z = [[None if np.isnan(v) else v for v in row] for row in values]
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    fig = go.Figure(
        go.Heatmap(z=z, x=names, y=[str(y) for y in months.index], text=text,
                   texttemplate="%{text}", colorscale="RdYlGn", zmid=0, hoverongaps=False)
    )  # fmt: skip
    fig.update_layout(title="Monthly returns (total)", **{**LAYOUT, "height": 160 + 60 * len(z)})
    return fig


def rolling_chart(rolling: pd.DataFrame, window_label: str) -> go.Figure:
    line = _reduce(rolling["sharpe"]) if len(rolling) else rolling["sharpe"]
    fig = go.Figure(
        go.Scattergl(x=line.index, y=line.to_numpy(), name="rolling Sharpe", mode="lines")
    )
    fig.update_layout(title=f"Rolling Sharpe (total, window {window_label}, annualized)", **LAYOUT)
    return fig


def distribution_chart(returns: pd.Series, label: str) -> go.Figure:
    """Histogram of returns, binned here (the file carries bins, not every return)."""
    values = returns.to_numpy(dtype=np.float64)
    counts, edges = np.histogram(values, bins=60) if values.size else (np.zeros(0), np.zeros(1))
    centers = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(go.Bar(x=centers, y=counts, name=label, marker_color="#1f77b4"))
    fig.update_layout(title=f"Distribution of {label}", xaxis_tickformat=".2%", bargap=0.02,
                      **LAYOUT)  # fmt: skip
    return fig


def price_chart(prices: pd.DataFrame, fills: pd.DataFrame) -> go.Figure:
    """Close prices of each instrument with every fill marked (buys up, sells down)."""
    fig = go.Figure()
    for instrument, rows in prices.groupby("instrument", sort=True):
        line = _reduce(rows.set_index("time")["close"])
        fig.add_trace(go.Scattergl(x=line.index, y=line.to_numpy(), name=f"{instrument} close",
                                   mode="lines", line={"color": "#7f7f7f"}))  # fmt: skip
    if len(fills):
        step = max(1, -(-len(fills) // MAX_MARKERS))
        shown = fills.iloc[::step]
        for side, symbol, color in (
            ("BUY", "triangle-up", "#2ca02c"),
            ("SELL", "triangle-down", "#d62728"),
        ):
            rows = shown[shown["side"] == side]
            fig.add_trace(
                go.Scattergl(
                    x=_times(rows["ts_ns"]),
                    y=[float(p) for p in rows["price"]],
                    mode="markers", name=f"{side.lower()} fills",
                    marker={"symbol": symbol, "color": color, "size": 8},
                    text=rows["strategy"], hovertemplate="%{text}: %{y}<extra></extra>",
                )
            )  # fmt: skip
    title = "Price with fills" + (f" (every {step}th fill)" if len(fills) and step > 1 else "")
    fig.update_layout(title=title, **{**LAYOUT, "height": 480})
    return fig


def correlation_chart(corr: pd.DataFrame) -> go.Figure:
    values = corr.to_numpy(dtype=np.float64)
    text = [["undefined" if np.isnan(v) else f"{v:.2f}" for v in row] for row in values]
    z = [[None if np.isnan(v) else v for v in row] for row in values]
    names = [str(c) for c in corr.columns]
    fig = go.Figure(go.Heatmap(z=z, x=names, y=names, text=text, texttemplate="%{text}",
                               zmin=-1, zmax=1, colorscale="RdBu", reversescale=True))  # fmt: skip
    fig.update_layout(
        title="Correlation of strategy returns (per bar)", **{**LAYOUT, "height": 380}
    )
    return fig


def risk_timeline(events: pd.DataFrame) -> go.Figure:
    """Risk events (breaker transitions, kills) by time and scope, coloured by new state."""
    fig = go.Figure()
    for state, rows in events.groupby("to_state", sort=True):
        fig.add_trace(
            go.Scatter(
                x=_times(rows["ts_ns"]), y=rows["scope"],
                mode="markers", name=str(state), marker={"size": 10},
                text=rows["reason"], hovertemplate="%{y}: %{text}<extra>" + str(state) + "</extra>",
            )
        )  # fmt: skip
    fig.update_layout(title="Risk events", **{**LAYOUT, "height": 300})
    return fig


def stress_chart(stress: StressResults) -> go.Figure:
    """Simulated total drawdown per scenario, against the threshold."""
    names = [s.title for s in stress.scenarios]
    depth = [s.total_drawdown for s in stress.scenarios]
    colors = ["#d62728" if s.breached else "#1f77b4" for s in stress.scenarios]
    fig = go.Figure(go.Bar(x=names, y=depth, marker_color=colors, name="total drawdown"))
    if stress.threshold is not None:
        fig.add_hline(y=stress.threshold, line_dash="dash", line_color="#d62728",
                      annotation_text=f"threshold {stress.threshold:.0%}")  # fmt: skip
    fig.update_layout(title="Stress scenarios: simulated total drawdown", yaxis_tickformat=".0%",
                      **LAYOUT)  # fmt: skip
    return fig
