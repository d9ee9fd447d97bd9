"""What the simulated venue refuses: the checks on new orders and on modify requests.

Each check returns a reason (a sentence for the OrderRejected / OrderModifyRejected
event) or None. Checks, in order, for a new order: the instrument is listed at
this venue; the quantity is within the instrument's min/max; the notional
(at the limit price, else the trigger price, else the current reference price;
skipped when no price is known yet) is not below the instrument's min notional;
a GTD order's expire time has not passed; a reduce-only order does not point
the same way as the venue's position (or meet a flat position); a post-only
order would not take liquidity, i.e. a buy's limit is below the reference ask
(best ask of the book, else of the quote, else the last trade or bar close).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ironkeel.model.commands import ModifyOrder
from ironkeel.model.enums import OrderType
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import AccountId, InstrumentId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.venues.sim.config import SimConfig
from ironkeel.venues.sim.faults import FaultPlan
from ironkeel.venues.sim.latency import LatencyModel
from ironkeel.venues.sim.market import Market
from ironkeel.venues.sim.records import SimOrder

__all__ = ["check_exchange_arguments", "modify_rejection", "order_rejection"]

_PRICED: Final = (OrderType.LIMIT, OrderType.STOP_LIMIT)
_STOPS: Final = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)


def _quantity_problem(instrument: Instrument, quantity: int) -> str | None:
    if quantity < instrument.min_quantity:
        return f"quantity {quantity} lots is below the minimum {instrument.min_quantity}"
    maximum = instrument.max_quantity
    if maximum is not None and quantity > maximum:
        return f"quantity {quantity} lots is above the maximum {maximum}"
    return None


def _notional_problem(market: Market, rec: SimOrder, quantity: int) -> str | None:
    instrument = market.instrument
    minimum = instrument.min_notional
    if minimum is None:
        return None
    price = rec.price if rec.price is not None else rec.trigger_price
    if price is None:
        price = market.reference_price(rec.side)
    if price is None:
        return None
    notional = instrument.notional(abs(price), quantity)
    if notional < minimum:
        return f"notional {notional} is below the minimum {minimum}"
    return None


def _post_only_problem(market: Market, rec: SimOrder, price: int | None) -> str | None:
    if not rec.post_only or price is None:
        return None
    reference = market.reference_price(rec.side)
    if reference is not None and (price - reference) * rec.side >= 0:
        return f"post-only order at {price} would take liquidity (opposite best {reference})"
    return None


def order_rejection(market: Market | None, rec: SimOrder, now: int) -> str | None:
    """Why the venue refuses the new order ``rec``, or None if it accepts it."""
    if market is None:
        return f"instrument {rec.instrument_id} is not listed at this venue"
    # Once per order: each check's helper runs only when its cheap guard says it may fail.
    instrument = market.instrument
    quantity = rec.quantity
    maximum = instrument.max_quantity
    if quantity < instrument.min_quantity or (maximum is not None and quantity > maximum):
        return _quantity_problem(instrument, quantity)
    if instrument.min_notional is not None:
        problem = _notional_problem(market, rec, quantity)
        if problem:
            return problem
    if rec.expire_time_ns is not None and rec.expire_time_ns <= now:
        return f"GTD expire time {rec.expire_time_ns} is not after the venue time {now}"
    if rec.reduce_only and market.position * rec.side >= 0:
        return (
            f"reduce-only {rec.side.name} would increase the position "
            f"({market.position} lots) instead of reducing it"
        )
    if rec.post_only:
        return _post_only_problem(market, rec, rec.price)
    return None


def modify_rejection(market: Market, rec: SimOrder, cmd: ModifyOrder) -> str | None:
    """Why the venue refuses to modify ``rec`` as ``cmd`` asks, or None."""
    if cmd.price is not None and rec.order_type not in _PRICED:
        return f"a {rec.order_type.value} order has no limit price to modify"
    if cmd.trigger_price is not None:
        if rec.order_type not in _STOPS:
            return f"a {rec.order_type.value} order has no trigger price to modify"
        if rec.triggered:
            return "the stop has already triggered; its trigger price cannot change"
    quantity = rec.quantity if cmd.quantity is None else cmd.quantity
    if quantity <= rec.filled:
        return f"quantity {quantity} is not above the {rec.filled} lots already filled"
    problem = _quantity_problem(market.instrument, quantity)
    if problem:
        return problem
    return _post_only_problem(market, rec, rec.price if cmd.price is None else cmd.price)


def check_exchange_arguments(
    *,
    venue: Venue,
    account_id: AccountId,
    instruments: Sequence[Instrument],
    config: SimConfig,
    latency: LatencyModel,
    faults: FaultPlan | None,
) -> None:
    """Check the simulated exchange's constructor arguments that a type check cannot."""
    checks: list[tuple[str, object, type]] = [
        ("venue", venue, Venue),
        ("account_id", account_id, AccountId),
        ("config", config, SimConfig),
        ("latency", latency, LatencyModel),
    ]
    if faults is not None:
        checks.append(("faults", faults, FaultPlan))
    for field, value, expected in checks:
        if not isinstance(value, expected):
            raise InvalidInputError(
                f"SimulatedExchange.{field}",
                value,
                f"is a {type(value).__name__}",
                f"pass a {expected.__name__}",
            )
    if not instruments:
        raise InvalidInputError(
            "SimulatedExchange.instruments", instruments, "is empty", "list at least one instrument"
        )
    seen: set[InstrumentId] = set()
    for instrument in instruments:
        if instrument.id.venue != venue:
            raise InvalidInputError(
                "SimulatedExchange.instruments",
                str(instrument.id),
                f"is listed at {instrument.id.venue}, not at {venue}",
                f"use instrument ids of the form SYMBOL.{venue}",
            )
        if instrument.id in seen:
            raise InvalidInputError(
                "SimulatedExchange.instruments",
                str(instrument.id),
                "is listed twice",
                "list each instrument once",
            )
        seen.add(instrument.id)
