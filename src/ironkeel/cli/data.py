"""``ironkeel data import``: validate a data file and store it in the Parquet catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

from ironkeel.backtest.inputs import infer_instrument
from ironkeel.backtest.runner import currency_of
from ironkeel.cli.render import console
from ironkeel.data import Catalog, import_file, load_instruments
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import Venue
from ironkeel.model.instruments import Instrument

__all__ = ["import_command"]

Kind = Literal["bars", "quotes", "trades"]


def import_command(
    path: Path,
    *,
    catalog: Path,
    symbol: str,
    kind: str,
    instruments: Path | None,
    policy: str,
    currency: str,
    timestamp_is: str = "open",
) -> None:
    """Load and check ``path``; on success write it into ``catalog`` and print the report."""
    if kind not in ("bars", "quotes", "trades"):
        raise InvalidInputError("--kind", kind, "is not a data type", "use bars, quotes or trades")
    if timestamp_is not in ("open", "close"):
        raise InvalidInputError("--timestamp-is", timestamp_is, "is invalid", "use open or close")
    data_type = cast(Kind, kind)
    instrument = _instrument(path, symbol, data_type, instruments, currency)
    store = Catalog(catalog)
    report = import_file(
        path,
        store,
        instrument,
        data_type=data_type,
        policy=policy,
        timestamp_is=cast(Literal["open", "close"], timestamp_is),
    )
    console.print(report.summary())
    for problem in report.problems[:20]:
        console.print(f"  {problem}")
    if len(report.problems) > 20:
        console.print(f"  ... and {len(report.problems) - 20} more (see the report)")
    for note in report.notes:
        console.print(f"[dim]note: {note}[/dim]")
    console.print(f"catalog: [bold]{catalog}[/bold] (instrument {instrument.id})")


def _instrument(
    path: Path, symbol: str, kind: Kind, instruments: Path | None, currency: str
) -> Instrument:
    if instruments is not None:
        defined = load_instruments(instruments)
        for instrument_id, instrument in defined.items():
            if instrument_id.symbol == symbol:
                return instrument
        raise InvalidInputError(
            "--symbol",
            symbol,
            f"is not defined in {instruments}",
            f"use one of {sorted(i.symbol for i in defined)}",
        )
    instrument = infer_instrument(path, symbol, Venue("SIM"), currency_of(currency), kind=kind)
    console.print(
        f"[dim]note: instrument {instrument.id} inferred: price increment "
        f"{instrument.price_increment}, size increment {instrument.size_increment} "
        "(pass --instruments FILE.toml to declare it)[/dim]"
    )
    return instrument
