"""Fixtures for the data tests: instruments for the real files, paths, a CSV writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ironkeel.model import AssetClass, Currency, Instrument, InstrumentId, Venue

TESTS = Path(__file__).resolve().parents[1]
#: Small real files copied into the repository (tests/data/real).
FIXTURES = TESTS / "data" / "real"
#: The large real files stay in the shared data folder next to the repository.
SHARED = TESTS.parent.parent / "shared" / "data" / "real"

USD = Currency("USD", 2)
USDT = Currency("USDT", 8)
BTC = Currency("BTC", 8)


def instrument(
    symbol: str,
    tick: str,
    lot: str,
    *,
    quote: Currency = USD,
    asset: AssetClass = AssetClass.CRYPTO,
) -> Instrument:
    return Instrument(
        id=InstrumentId(symbol, Venue("SIM")),
        asset_class=asset,
        quote_currency=quote,
        price_increment=tick,
        size_increment=lot,
    )


def shared(name: str) -> Path:
    """A real file from ../shared/data/real, or skip the test saying why."""
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"real data file {path} is absent (it lives outside the repository)")
    return path


@pytest.fixture
def inst() -> Instrument:
    """Tick 0.5, lot 0.01: small enough to write test CSVs by hand."""
    return instrument("TEST", "0.5", "0.01")


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` (dedented lines) to a file in tmp_path and return its path."""

    def write(text: str, name: str = "data.csv") -> Path:
        path = tmp_path / name
        lines = [line.strip() for line in text.strip().splitlines()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
