"""The public API of ironkeel.data, pinned: a change here is a deliberate API change."""

from __future__ import annotations

import ironkeel.data
from ironkeel.model import IronkeelError

PUBLIC = {
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
}


def test_the_public_names_are_exactly_these():
    assert set(ironkeel.data.__all__) == PUBLIC
    assert len(ironkeel.data.__all__) == len(PUBLIC)
    assert all(hasattr(ironkeel.data, name) for name in PUBLIC)


def test_data_error_is_an_ironkeel_error_and_a_value_error():
    assert issubclass(ironkeel.data.DataError, IronkeelError)
    assert issubclass(ironkeel.data.DataError, ValueError)
