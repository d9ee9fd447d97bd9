"""Instruments to and from their wire form, and the two typed msgpack codecs."""

from __future__ import annotations

from typing import Any

import msgspec

from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.sandbox.protocol import InstrumentSpec, ToChild, ToEngine

__all__ = [
    "child_decoder",
    "encoder",
    "engine_decoder",
    "instrument_of",
    "instrument_spec",
]


def instrument_spec(instrument: Instrument) -> InstrumentSpec:
    lot = instrument.size_increment
    return InstrumentSpec(
        id=instrument.id,
        asset_class=instrument.asset_class,
        quote_currency=instrument.quote_currency,
        base_currency=instrument.base_currency,
        price_increment=instrument.price_increment,
        size_increment=lot,
        multiplier=instrument.multiplier,
        min_quantity=instrument.min_quantity * lot,
        max_quantity=None if instrument.max_quantity is None else instrument.max_quantity * lot,
        min_notional=None if instrument.min_notional is None else instrument.min_notional.amount,
        maker_fee=instrument.maker_fee,
        taker_fee=instrument.taker_fee,
    )


def instrument_of(spec: InstrumentSpec) -> Instrument:
    return Instrument(
        id=spec.id,
        asset_class=spec.asset_class,
        quote_currency=spec.quote_currency,
        base_currency=spec.base_currency,
        price_increment=spec.price_increment,
        size_increment=spec.size_increment,
        multiplier=spec.multiplier,
        min_quantity=spec.min_quantity,
        max_quantity=spec.max_quantity,
        min_notional=spec.min_notional,
        maker_fee=spec.maker_fee,
        taker_fee=spec.taker_fee,
    )


def _encode_hook(value: Any) -> Any:
    if type(value) is Money:
        return (value.raw, value.currency.code, value.currency.precision)
    raise NotImplementedError(f"cannot send a {type(value).__name__} to a strategy process")


def _decode_hook(kind: type, value: Any) -> Any:
    if kind is Money:
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int)):
            raise ValueError("Money is [raw, code, precision]")
        return Money.from_raw(value[0], Currency(str(value[1]), int(value[2])))
    raise NotImplementedError(f"{kind.__name__} does not travel between processes")


def encoder() -> msgspec.msgpack.Encoder:
    """Decimals travel as text (exact); Money as its raw int and currency."""
    return msgspec.msgpack.Encoder(enc_hook=_encode_hook, decimal_format="string")


def engine_decoder() -> msgspec.msgpack.Decoder[ToEngine]:
    """What the engine accepts from a child: ``Hello`` or ``Reply``, nothing else."""
    return msgspec.msgpack.Decoder(ToEngine)


def child_decoder() -> msgspec.msgpack.Decoder[ToChild]:
    return msgspec.msgpack.Decoder(ToChild, dec_hook=_decode_hook)
