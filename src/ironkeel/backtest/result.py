"""The outcome of a backtest: a summary, and orders, fills, trades and equity as
DataFrames (for notebooks) and as files (``write``, and ``read`` back); its analytics
(metrics, drawdowns, VaR, Monte Carlo...) as DataFrames."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ironkeel.analytics.annualize import Calendar
from ironkeel.backtest.analysis import Frames, Period
from ironkeel.backtest.outputs import (
    FILL_COLUMNS,
    ORDER_COLUMNS,
    PRICE_COLUMNS,
    TRADE_COLUMNS,
    write_csv,
    write_json,
)
from ironkeel.backtest.reading import RISK_COLUMNS, RunFolderError, read_run_files

__all__ = ["RISK_COLUMNS", "BacktestResult"]


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
    #: Bar prices in OHLC buckets per instrument (prices.csv), for the report.
    price_rows: list[list[Any]] = field(default_factory=list)
    _analysis: Frames | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def read(cls, run_dir: Path | str) -> BacktestResult:
        """Load a finished run folder back; a missing or corrupt file raises
        ``RunFolderError`` naming it."""
        return cls(**read_run_files(run_dir))

    @property
    def complete(self) -> bool:
        return bool(self.summary.get("complete", False))

    def orders(self) -> pd.DataFrame:
        return _frame(ORDER_COLUMNS, self.order_rows, ("quantity", "price", "trigger_price",
                      "filled_quantity", "avg_price", "commission"), "orders.csv")  # fmt: skip

    def fills(self) -> pd.DataFrame:
        return _frame(
            FILL_COLUMNS,
            self.fill_rows,
            ("quantity", "price", "commission", "slippage"),
            "fills.csv",
        )

    def trades(self) -> pd.DataFrame:
        return _frame(TRADE_COLUMNS, self.trade_rows, ("quantity", "entry_price", "exit_price",
                      "pnl"), "trades.csv")  # fmt: skip

    def risk_events(self) -> pd.DataFrame:
        """Breaker transitions and kills, in order (empty without a risk engine)."""
        return pd.DataFrame(self.risk_rows, columns=RISK_COLUMNS)

    def prices(self) -> pd.DataFrame:
        """Bar prices per instrument in OHLC buckets (floats, for charts)."""
        frame = pd.DataFrame(self.price_rows, columns=PRICE_COLUMNS)
        for column in ("open", "high", "low", "close"):
            frame[column] = frame[column].astype(float)
        frame["time"] = pd.to_datetime(frame["ts_ns"], unit="ns", utc=True)
        return frame

    @property
    def strategy_names(self) -> list[str]:
        return list(self.summary.get("strategies", {}))

    def equity(self) -> pd.DataFrame:
        """The equity curve (floats, for analysis; the CSV keeps exact decimals), indexed
        by UTC time, with ``ts_ns`` and one column per curve."""
        rows = self.equity_rows
        ts = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        names = self.equity_columns[2:]
        cells = itertools.chain.from_iterable(row[2:] for row in rows)
        try:
            values = np.fromiter(map(float, cells), dtype=np.float64, count=len(rows) * len(names))
        except (TypeError, ValueError):
            for name in names:
                k = self.equity_columns.index(name)
                column = [row[k] for row in rows]
                bad = [v for v in column if _not_float(v)]
                if bad:
                    raise _bad_number("equity.csv", name, column) from None
            raise
        values = values.reshape(len(rows), len(names))
        frame = pd.DataFrame(values, columns=names)
        frame.insert(0, "ts_ns", ts)
        frame.index = pd.DatetimeIndex(pd.to_datetime(ts, unit="ns", utc=True), name="time")
        return frame

    def write(self, out: Path | str) -> Path:
        """Write summary.json, orders.csv, fills.csv, trades.csv, equity.csv, prices.csv
        (and risk_events.csv with a risk engine) into ``out``."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / "orders.csv", ORDER_COLUMNS, self.order_rows)
        write_csv(folder / "fills.csv", FILL_COLUMNS, self.fill_rows)
        write_csv(folder / "trades.csv", TRADE_COLUMNS, self.trade_rows)
        write_csv(folder / "equity.csv", self.equity_columns, self.equity_rows)
        write_csv(folder / "prices.csv", PRICE_COLUMNS, self.price_rows)
        if self.summary.get("risk") is not None:
            write_csv(folder / "risk_events.csv", RISK_COLUMNS, self.risk_rows)
        if self.sandbox is not None:
            write_json(folder / "sandbox.json", self.sandbox)
        write_json(folder / "summary.json", self.summary)  # last: its presence means done
        return folder

    # --- analytics (docs/analytics.md) --------------------------------------------------

    def _frames(self) -> Frames:
        """The frames every analytics method reads, built once per result (a result's
        rows are not changed after the run)."""
        if self._analysis is None:
            self._analysis = Frames(self.equity(), self.trades(), self.fills(), self.strategy_names)
        return self._analysis

    def metrics(
        self,
        *,
        calendar: Calendar = "24/7",
        periods_per_year: float | None = None,
        benchmark: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Every headline metric (rows) for the total and each strategy (columns);
        ``benchmark``: a time-indexed price series for alpha and beta."""
        return self._frames().metrics(Period(calendar, periods_per_year), benchmark)

    def returns(self, period: str | None = None) -> pd.DataFrame:
        """Simple returns per bar, or compounded per calendar ``period`` ("D", "ME")."""
        return self._frames().returns(period)

    def underwater(self) -> pd.DataFrame:
        """Drawdown below the running peak at every point, total and per strategy."""
        return self._frames().underwater()

    def drawdowns(self, strategy: str | None = None, top: int | None = None) -> pd.DataFrame:
        """Drawdown episodes, deepest first: peak, trough, recovery, depth, duration."""
        return self._frames().drawdowns(strategy, top)

    def monthly_returns(self, strategy: str | None = None) -> pd.DataFrame:
        """Compounded monthly returns, year x month, with a ``year`` column."""
        return self._frames().monthly(strategy)

    def rolling(
        self,
        window: int,
        strategy: str | None = None,
        *,
        calendar: Calendar = "24/7",
        periods_per_year: float | None = None,
    ) -> pd.DataFrame:
        """Annualized Sharpe and volatility over the trailing ``window`` bars."""
        return self._frames().rolling(window, strategy, Period(calendar, periods_per_year))

    def var(
        self, levels: tuple[float, ...] = (0.95, 0.99), strategy: str | None = None, seed: int = 0
    ) -> pd.DataFrame:
        """VaR and CVaR of per-bar returns (positive losses) by every method and level."""
        return self._frames().var(levels, strategy, seed)

    def monte_carlo(
        self,
        n_paths: int = 10_000,
        method: str = "bootstrap",
        seed: int = 0,
        strategy: str | None = None,
    ) -> pd.DataFrame:
        """One row per simulated path over the trades: its max drawdown and final equity
        (``.quantile(...)`` for percentiles)."""
        return self._frames().monte_carlo(n_paths, method, seed, strategy)

    def correlation(self) -> pd.DataFrame:
        """Correlation matrix of the strategies' per-bar returns."""
        return self._frames().correlation()


def _frame(
    columns: list[str], rows: list[list[Any]], exact: tuple[str, ...], file: str
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in exact:
        try:
            frame[column] = frame[column].map(lambda v: Decimal(v) if v != "" else None)
        except (InvalidOperation, TypeError, ValueError):
            raise _bad_number(file, column, list(frame[column])) from None
    return frame


def _not_float(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


def _bad_number(file: str, column: str, values: list[Any]) -> RunFolderError:
    """The first value of ``column`` that is not a decimal number, with its line."""
    for k, value in enumerate(values):
        try:
            Decimal(value) if value != "" else None
        except (InvalidOperation, TypeError, ValueError):
            return RunFolderError(
                f"{file}: line {k + 2}, column {column}: {value!r} is not a number. "
                "Fix: rerun the backtest (the file was edited or cut)"
            )
    return RunFolderError(f"{file}: column {column} holds a value that is not a number")
