"""Reading a finished run folder back: the files ``BacktestResult.write`` made.

Every problem names the file (and the line for a bad row): a missing required file,
unreadable JSON, a header that is not the expected one, a row with the wrong number of
fields or a timestamp that is not an integer. Optional files (``risk_events.csv``
without a risk engine, ``prices.csv`` from older runs) are empty when absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ironkeel.backtest.outputs import FILL_COLUMNS, ORDER_COLUMNS, PRICE_COLUMNS, TRADE_COLUMNS
from ironkeel.model.errors import IronkeelError

__all__ = ["RISK_COLUMNS", "RunFolderError", "read_run_files"]

RISK_COLUMNS = [
    "ts_ns", "time", "level", "scope", "strategy", "from_state", "to_state", "reason",
]  # fmt: skip
REQUIRED = ("summary.json", "equity.csv", "trades.csv", "fills.csv", "orders.csv")
#: Columns that hold integers (nanoseconds) in each file.
INT_COLUMNS = ("ts_ns", "entry_ns", "exit_ns", "created_ns", "last_update_ns")
#: Columns added after the first runs were written: older folders may lack them.
LATER_COLUMNS = {"fills.csv": ("slippage",)}


class RunFolderError(IronkeelError):
    """A run folder is missing a file or holds a corrupt one: the message names it."""


def read_run_files(folder: Path | str) -> dict[str, Any]:
    """The fields of a ``BacktestResult`` read from ``folder`` (see the module doc)."""
    root = Path(folder)
    if not root.is_dir():
        raise RunFolderError(
            f"{root}: the run folder does not exist. Fix: pass the --out folder of a backtest"
        )
    missing = [name for name in REQUIRED if not (root / name).is_file()]
    if missing:
        raise RunFolderError(
            f"{root / missing[0]}: missing from the run folder (also missing: "
            f"{', '.join(missing[1:]) or 'nothing else'}). Fix: rerun the backtest with "
            "--out into this folder; a folder without summary.json did not finish"
        )
    summary = _json(root / "summary.json")
    equity_header, equity_rows = _csv(root / "equity.csv", None)
    if equity_header[:3] != ["ts_ns", "time", "equity"]:
        raise RunFolderError(
            f"{root / 'equity.csv'}: line 1 starts {equity_header[:3]}, expected "
            "['ts_ns', 'time', 'equity']. Fix: rerun the backtest"
        )
    risk_path = root / "risk_events.csv"
    if summary.get("risk") is not None and not risk_path.is_file():
        raise RunFolderError(f"{risk_path}: missing (the run had a risk engine). Fix: rerun")
    return {
        "summary": summary,
        "order_rows": _csv(root / "orders.csv", ORDER_COLUMNS)[1],
        "fill_rows": _csv(root / "fills.csv", FILL_COLUMNS)[1],
        "trade_rows": _csv(root / "trades.csv", TRADE_COLUMNS)[1],
        "equity_columns": equity_header,
        "equity_rows": equity_rows,
        "failures": list(summary.get("failures", [])),
        "risk_rows": _csv(risk_path, RISK_COLUMNS)[1] if risk_path.is_file() else [],
        "price_rows": (
            _csv(root / "prices.csv", PRICE_COLUMNS)[1] if (root / "prices.csv").is_file() else []
        ),
    }


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFolderError(
            f"{path}: not readable JSON ({error}). Fix: rerun the backtest"
        ) from None
    if not isinstance(data, dict) or "strategies" not in data:
        raise RunFolderError(f"{path}: not a run summary (no 'strategies'). Fix: rerun")
    return data


def _csv(path: Path, expected: list[str] | None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a CSV file; integer columns parsed, row widths checked."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RunFolderError(f"{path}: not readable CSV ({error}). Fix: rerun") from None
    if not lines:
        raise RunFolderError(f"{path}: empty, not even a header. Fix: rerun the backtest")
    header = lines[0]
    later = LATER_COLUMNS.get(path.name, ())
    if expected is not None and header not in (expected, expected[: len(expected) - len(later)]):
        raise RunFolderError(
            f"{path}: line 1 is {header}, expected {expected}. Fix: rerun the backtest"
        )
    fill = [""] * (len(expected) - len(header)) if expected is not None else []
    ints = [k for k, name in enumerate(header) if name in INT_COLUMNS]
    rows: list[list[Any]] = []
    for number, text_row in enumerate(lines[1:], start=2):
        row: list[Any] = list(text_row)
        if len(row) != len(header):
            raise RunFolderError(
                f"{path}: line {number} has {len(row)} fields, the header {len(header)}. "
                "Fix: rerun the backtest (the file was cut or edited)"
            )
        for k in ints:
            try:
                row[k] = int(row[k])
            except ValueError:
                raise RunFolderError(
                    f"{path}: line {number}, column {header[k]}: {row[k]!r} is not an "
                    "integer. Fix: rerun the backtest"
                ) from None
        rows.append(row + ["0"] * len(fill) if fill else row)
    return header, rows
