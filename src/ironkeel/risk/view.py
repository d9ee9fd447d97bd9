"""What a pre-trade control may read: ``PreTradeView``, and ``StaticView`` for tests.

Every figure is an exact int, and every call is O(1): the engine keeps the running
totals up to date as orders and fills arrive, so a check never walks the order book
of a strategy. Units:

- positions and working orders: signed / unsigned **lots** of the instrument;
- prices: **ticks** of the instrument;
- money (equity, capital, exposures, working notional): **raw** ints of 10**-12 of the
  one currency the risk limits are written in (``[global] currency``); the engine
  converts before it answers, the controls never see two currencies;
- time: ns from the injected clock (``now_ns``), never the wall clock.

"Working" orders are those sent and not yet done: submitted but not acknowledged (in
flight), accepted, partially filled (their leaves), pending update or cancel. The order
being checked is never among them. Exposures count positions only, valued at the
reference price; the controls that bound exposure add the working orders themselves
(``working_notional``), so an order in flight is counted from the moment it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ironkeel.model.enums import OrderType
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import OrderInitialized
from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.risk.ticket import Ticket

__all__ = ["RECENT_ORDERS", "PreTradeView", "StaticView"]

#: ``recent_orders`` holds at least a strategy's last this many orders (so the duplicate
#: control's ``duplicate_count`` is at most this).
RECENT_ORDERS: Final = 64


class PreTradeView:
    """Everything a pre-trade control may read; ``None`` for a strategy means all of them.

    A base class rather than a protocol: the compiled controls call its methods through
    a vtable (a protocol method is a generic Python call). ``ExposureTracker`` is the
    engine's, ``StaticView`` the one for tests and benchmarks.

    While a ``ControlSet`` checks one order (``begin_check`` .. ``end_check``) nothing a
    control reads can change, so figures several controls derive are computed once: the
    order's notional and reference on its ``Ticket``, a scope's gross exposure here, kept
    until ``end_check``."""

    def __init__(self) -> None:
        #: The order being checked by a ``ControlSet`` (None: no check under way).
        self.checking: Ticket | None = None

    def begin_check(self, ticket: Ticket) -> None:
        """A ``ControlSet`` starts checking ``ticket``: derived figures may be kept."""
        self.checking = ticket

    def end_check(self) -> None:
        """The check is over: nothing kept is used again (the next ``begin_check`` clears it)."""
        self.checking = None

    def now_ns(self) -> int:
        """The engine clock's time, in ns."""
        raise NotImplementedError

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        """The instrument's definition (grid and ``unit_raw``)."""
        raise NotImplementedError

    def position(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> int:
        """The strategy's signed position in lots (long > 0)."""
        raise NotImplementedError

    def net_position(self, instrument_id: InstrumentId) -> int:
        """The signed position in lots of all strategies together."""
        raise NotImplementedError

    def working(
        self, strategy_id: StrategyId | None, instrument_id: InstrumentId
    ) -> tuple[int, int]:
        """Lots of (open buy, open sell) orders, in flight included (leaves only)."""
        raise NotImplementedError

    def working_notional(self, strategy_id: StrategyId | None) -> tuple[int, int]:
        """Money raw of (open buy, open sell) orders over all instruments: leaves x limit
        price (a market order at the reference price when it was sent), in flight included."""
        raise NotImplementedError

    def reference(self, instrument_id: InstrumentId) -> tuple[int, int] | None:
        """The last market price in ticks and its ``ts_event`` in ns, or None if none yet."""
        raise NotImplementedError

    def load_reference(self, ticket: Ticket) -> None:
        """Put ``reference`` of the ticket's instrument on the ticket (``set_reference`` or
        ``set_no_reference``); a view may do it without building the tuple."""
        found = self.reference(ticket.instrument_id)
        if found is None:
            ticket.set_no_reference()
        else:
            ticket.set_reference(found[0], found[1])

    def equity(self, strategy_id: StrategyId | None) -> int:
        """Cash plus positions at the reference price, money raw."""
        raise NotImplementedError

    def capital(self, strategy_id: StrategyId | None) -> int:
        """Allocated capital, money raw (None: the total)."""
        raise NotImplementedError

    def gross_exposure(self, strategy_id: StrategyId | None) -> int:
        """Sum of |position| x reference price over instruments, money raw. For None, the
        sum over strategies (offsetting strategies do not cancel)."""
        raise NotImplementedError

    def net_exposure(self, strategy_id: StrategyId | None) -> int:
        """Sum of signed position x reference price over instruments, money raw."""
        raise NotImplementedError

    def recent_orders(self, strategy_id: StrategyId) -> list[Ticket]:
        """The strategy's last orders that passed the pre-trade checks, oldest first: at
        least the last ``RECENT_ORDERS`` (the engine keeps up to twice that). A list, read
        by index from the end when compiled; the caller must not change it."""
        raise NotImplementedError


_ALL: None = None


class StaticView(PreTradeView):
    """A plain in-memory ``PreTradeView``: every figure is set by hand, nothing is derived
    except that ``set_position`` keeps ``net_position`` and ``add_working`` keeps the
    working lots, working notional and recent orders in step (of the strategy and of all).
    """

    def __init__(self, instruments: Iterable[Instrument], *, now_ns: int = 0) -> None:
        super().__init__()
        self._instruments = {i.id: i for i in instruments}
        self.now = now_ns
        self._positions: dict[tuple[StrategyId, InstrumentId], int] = {}
        self._net: dict[InstrumentId, int] = {}
        self._working: dict[tuple[StrategyId | None, InstrumentId], tuple[int, int]] = {}
        self._working_notional: dict[StrategyId | None, tuple[int, int]] = {}
        self._references: dict[InstrumentId, tuple[int, int]] = {}
        self._equity: dict[StrategyId | None, int] = {}
        self._capital: dict[StrategyId | None, int] = {}
        self._gross: dict[StrategyId | None, int] = {}
        self._net_exposure: dict[StrategyId | None, int] = {}
        self._recent: dict[StrategyId, list[Ticket]] = {}

    # --- PreTradeView ---------------------------------------------------------------------

    def now_ns(self) -> int:
        return self.now

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        return self._instruments[instrument_id]

    def position(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> int:
        return self._positions.get((strategy_id, instrument_id), 0)

    def net_position(self, instrument_id: InstrumentId) -> int:
        return self._net.get(instrument_id, 0)

    def working(
        self, strategy_id: StrategyId | None, instrument_id: InstrumentId
    ) -> tuple[int, int]:
        return self._working.get((strategy_id, instrument_id), (0, 0))

    def working_notional(self, strategy_id: StrategyId | None) -> tuple[int, int]:
        return self._working_notional.get(strategy_id, (0, 0))

    def reference(self, instrument_id: InstrumentId) -> tuple[int, int] | None:
        return self._references.get(instrument_id)

    def equity(self, strategy_id: StrategyId | None) -> int:
        return self._equity.get(strategy_id, 0)

    def capital(self, strategy_id: StrategyId | None) -> int:
        return self._capital.get(strategy_id, 0)

    def gross_exposure(self, strategy_id: StrategyId | None) -> int:
        return self._gross.get(strategy_id, 0)

    def net_exposure(self, strategy_id: StrategyId | None) -> int:
        return self._net_exposure.get(strategy_id, 0)

    def recent_orders(self, strategy_id: StrategyId) -> list[Ticket]:
        return self._recent.get(strategy_id, [])

    # --- set-up ---------------------------------------------------------------------------

    def set_reference(self, instrument_id: InstrumentId, ticks: int, ts_ns: int) -> None:
        self._references[instrument_id] = (ticks, ts_ns)

    def clear_reference(self, instrument_id: InstrumentId) -> None:
        self._references.pop(instrument_id, None)

    def set_position(self, strategy_id: StrategyId, instrument_id: InstrumentId, lots: int) -> None:
        """The strategy's position; the net position of the instrument moves with it."""
        key = (strategy_id, instrument_id)
        change = lots - self._positions.get(key, 0)
        self._positions[key] = lots
        self._net[instrument_id] = self._net.get(instrument_id, 0) + change

    def set_equity(self, strategy_id: StrategyId | None, raw: int) -> None:
        self._equity[strategy_id] = raw

    def set_capital(self, strategy_id: StrategyId | None, raw: int) -> None:
        self._capital[strategy_id] = raw

    def set_exposure(self, strategy_id: StrategyId | None, *, gross: int, net: int) -> None:
        if gross < abs(net):
            raise InvalidInputError("gross", gross, f"is below |net| = {abs(net)}", "fix either")
        self._gross[strategy_id] = gross
        self._net_exposure[strategy_id] = net

    def add_working(self, order: OrderInitialized) -> None:
        """Count ``order`` as sent and not yet done: its lots, its notional (at its limit
        or stop price, a market order at the current reference) and a recent order."""
        price = order.price if order.price is not None else order.trigger_price
        if price is None or order.order_type is OrderType.MARKET:
            reference = self._references.get(order.instrument_id)
            if reference is None:
                raise InvalidInputError(
                    "reference", None, f"is missing for {order.instrument_id}", "set one first"
                )
            price = reference[0]
        notional = abs(price) * order.quantity * self._instruments[order.instrument_id].unit_raw
        ticket = Ticket(order)
        buy = ticket.buy
        for strategy_id in (order.strategy_id, _ALL):
            buys, sells = self.working(strategy_id, order.instrument_id)
            lots = order.quantity
            self._working[(strategy_id, order.instrument_id)] = (
                (buys + lots, sells) if buy else (buys, sells + lots)
            )
            nb, ns = self.working_notional(strategy_id)
            self._working_notional[strategy_id] = (
                (nb + notional, ns) if buy else (nb, ns + notional)
            )
        self._recent.setdefault(order.strategy_id, []).append(ticket)
