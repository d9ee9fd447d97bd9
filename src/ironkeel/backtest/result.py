"""The outcome of a backtest: a summary, and orders, fills, trades and equity as
DataFrames (for notebooks) and as files (``write``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ironkeel.backtest.outputs import (
    FILL_COLUMNS,
    ORDER_COLUMNS,
    TRADE_COLUMNS,
    write_csv,
    write_json,
)

__all__ = ["RISK_COLUMNS", "BacktestResult"]

RISK_COLUMNS = [
    "ts_ns", "time", "level", "scope", "strategy", "from_state", "to_state", "reason",
]  # fmt: skip


@dataclass
class BacktestResult:
    """Everything a run produced. ``complete`` is False when a strategy failed and the run
    was a single-strategy one, or the run stopped early: the outputs say so."""

    summary: dict[str, Any]
    order_rows: list[list[Any]]
    fill_rows: list[list[Any]]
    trade_rows: list[list[Any]]
    equity_columns: list[str]
    equity_rows: list[list[Any]]
    failures: list[dict[str, str]] = field(default_factory=list)
    #: One row per risk event (breaker transitions, kills); empty without a risk engine.
    risk_rows: list[list[Any]] = field(default_factory=list)
    #: Per-strategy sandbox figures (latency, CPU, memory, kills) of an isolated run; they
    #: are timings, so they go to sandbox.json, never into the deterministic outputs.
    sandbox: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        return bool(self.summary.get("complete", False))

    def orders(self) -> pd.DataFrame:
        return _frame(ORDER_COLUMNS, self.order_rows, ("quantity", "price", "trigger_price",
                      "filled_quantity", "avg_price", "commission"))  # fmt: skip

    def fills(self) -> pd.DataFrame:
        return _frame(FILL_COLUMNS, self.fill_rows, ("quantity", "price", "commission"))

    def trades(self) -> pd.DataFrame:
        return _frame(TRADE_COLUMNS, self.trade_rows, ("quantity", "entry_price", "exit_price",
                      "pnl"))  # fmt: skip

    def risk_events(self) -> pd.DataFrame:
        """Breaker transitions and kills, in order (empty without a risk engine)."""
        return pd.DataFrame(self.risk_rows, columns=RISK_COLUMNS)

    def equity(self) -> pd.DataFrame:
        """The equity curve (floats, for analysis; the CSV keeps exact decimals)."""
        frame = pd.DataFrame(self.equity_rows, columns=self.equity_columns)
        for column in self.equity_columns[2:]:
            frame[column] = frame[column].astype(float)
        frame["time"] = pd.to_datetime(frame["ts_ns"], unit="ns", utc=True)
        return frame.set_index("time")

    def write(self, out: Path | str) -> Path:
        """Write summary.json, orders.csv, fills.csv, trades.csv and equity.csv into ``out``."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / "orders.csv", ORDER_COLUMNS, self.order_rows)
        write_csv(folder / "fills.csv", FILL_COLUMNS, self.fill_rows)
        write_csv(folder / "trades.csv", TRADE_COLUMNS, self.trade_rows)
        write_csv(folder / "equity.csv", self.equity_columns, self.equity_rows)
        if self.summary.get("risk") is not None:
            write_csv(folder / "risk_events.csv", RISK_COLUMNS, self.risk_rows)
        if self.sandbox is not None:
            write_json(folder / "sandbox.json", self.sandbox)
        write_json(folder / "summary.json", self.summary)  # last: its presence means done
        return folder


def _frame(columns: list[str], rows: list[list[Any]], exact: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in exact:
        frame[column] = frame[column].map(lambda v: Decimal(v) if v != "" else None)
    return frame
