"""Market data: import from CSV/Parquet with validation, a Parquet catalog, resampling,
instrument files and seeded synthetic generators.

Load a file (prices become int ticks exactly; every problem is reported with
file, row, column and value)::

    result = load_bars("btc.csv", instrument, timestamp_is="close", policy="drop")
    result.items, result.report.summary()

Store and query::

    catalog = Catalog("catalog/")
    import_file("btc.csv", catalog, instrument, data_type="bars", timestamp_is="close")
    bars = catalog.query(instrument.id, "bars", start_ns, end_ns)
"""

from ironkeel.data.catalog import Catalog, import_file
from ironkeel.data.columns import ColumnMap, DataType
from ironkeel.data.ingest import Columns, TimestampIs, load_columns
from ironkeel.data.instruments import InstrumentSpec, load_instruments, parse_instruments
from ironkeel.data.load import LoadResult, load, load_bars, load_quotes, load_trades
from ironkeel.data.report import Action, DataError, DataReport, Problem
from ironkeel.data.resample import bars_to_bars, quotes_to_bars, trades_to_bars
from ironkeel.data.synthetic import (
    DEFAULT_REGIMES,
    Regime,
    SyntheticPath,
    gbm_bars,
    synthetic_bars,
    synthetic_path,
)
from ironkeel.data.validate import Policy

__all__ = [
    "DEFAULT_REGIMES",
    "Action",
    "Catalog",
    "ColumnMap",
    "Columns",
    "DataError",
    "DataReport",
    "DataType",
    "InstrumentSpec",
    "LoadResult",
    "Policy",
    "Problem",
    "Regime",
    "SyntheticPath",
    "TimestampIs",
    "bars_to_bars",
    "gbm_bars",
    "import_file",
    "load",
    "load_bars",
    "load_columns",
    "load_instruments",
    "load_quotes",
    "load_trades",
    "parse_instruments",
    "quotes_to_bars",
    "synthetic_bars",
    "synthetic_path",
    "trades_to_bars",
]
