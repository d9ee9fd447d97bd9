"""The one base class of every strategy script.

    from decimal import Decimal
    from ironkeel import Strategy
    from ironkeel.indicators import SMA

    class SmaCross(Strategy):
        fast: int = 10
        slow: int = 30
        size: Decimal = Decimal("1")

        def on_start(self) -> None:
            self.fast_sma, self.slow_sma = SMA(self.fast), SMA(self.slow)

        def on_bar(self, bar) -> None:
            ...
            self.buy(self.size)

Lifecycle: ``on_start`` once, then market data (``on_bar``, ``on_quote``,
``on_trade``, ``on_book``), order updates (``on_order``; fills go to
``on_fill``), timers (``on_timer``), and ``on_stop`` once at the end. The
engine calls the hooks; the strategy acts through the methods below, which talk
only to its ``StrategyContext``. The same class runs in a backtest, in a
sandboxed process, and in paper and live trading.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, ClassVar, cast

from ironkeel.model.book import OrderBook
from ironkeel.model.enums import OrderSide, OrderType, TimeInForce
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.events import TimeEvent
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money, Price, Quantity
from ironkeel.strategy.context import OrderRequest, StrategyContext
from ironkeel.strategy.params import ParamSpec, parse_params, resolve_params
from ironkeel.strategy.views import (
    Fill,
    MarketBar,
    MarketQuote,
    MarketTrade,
    OrderInfo,
    OrderUpdate,
)

__all__ = ["Strategy"]

Number = Decimal | int | str | float
_TIF = {t.value: t for t in TimeInForce}


class _Detached:
    """The context of a strategy the engine has not attached: every use is refused. One
    instance; copies and pickles of a strategy keep referring to it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # protocol lookups (copy, pickle) are not uses
            raise AttributeError(name)
        raise StateError("the strategy is not running: the engine attaches it at start")

    def __copy__(self) -> _Detached:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Detached:
        return self

    def __reduce__(self) -> str:
        return "_DETACHED"


_DETACHED = cast("StrategyContext", _Detached())


class Strategy:
    """Subclass it, declare parameters as annotated class attributes, override hooks."""

    #: The parameters this class declares (filled in for each subclass).
    param_specs: ClassVar[dict[str, ParamSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.param_specs = resolve_params(cls)

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = parse_params(type(self), params, self.param_specs)
        for name, value in self.params.items():
            setattr(self, name, value)
        #: What the strategy acts through; until the engine attaches one, a context that
        #: refuses every use (a plain attribute, not a property: helpers read it per call).
        self.ctx: StrategyContext = _DETACHED

    # --- lifecycle hooks (override what you need) --------------------------------------

    def on_start(self) -> None:
        """Called once before the first event."""

    def on_bar(self, bar: MarketBar) -> None:
        """A bar closed for one of the strategy's instruments."""

    def on_quote(self, quote: MarketQuote) -> None:
        """A new best bid/ask."""

    def on_trade(self, trade: MarketTrade) -> None:
        """A trade printed."""

    def on_book(self, book: OrderBook) -> None:
        """The L2 book changed (prices in ticks, sizes in lots)."""

    def on_order(self, update: OrderUpdate) -> None:
        """One of the strategy's orders changed: accepted, denied, rejected, canceled..."""

    def on_fill(self, fill: Fill) -> None:
        """One of the strategy's orders (partly) filled."""

    def on_timer(self, event: TimeEvent) -> None:
        """A timer or alarm set with ``set_timer``/``set_alarm`` went off."""

    def on_stop(self) -> None:
        """Called once after the last event."""

    # --- the engine attaches the context ------------------------------------------------

    def attach(self, context: StrategyContext) -> None:
        """Called by the host before ``on_start``; a strategy is attached once."""
        if not isinstance(self.ctx, _Detached):
            raise StateError(f"strategy {context.strategy_id} is already attached")
        self.ctx = context

    # --- identity, time, logging --------------------------------------------------------

    @property
    def id(self) -> StrategyId:
        return self.ctx.strategy_id

    @property
    def now(self) -> int:
        """The current time in ns (the engine's clock, simulated in a backtest)."""
        return self.ctx.now_ns()

    @property
    def log(self) -> logging.LoggerAdapter[logging.Logger]:
        return self.ctx.log

    @property
    def instrument(self) -> Instrument:
        """The strategy's first (often only) instrument."""
        return self.ctx.instruments[0]

    def get_instrument(self, instrument: InstrumentId | str | None = None) -> Instrument:
        """An instrument of this strategy by id or ``SYMBOL.VENUE`` text (default: the first)."""
        instruments = self.ctx.instruments
        if instrument is None:
            return instruments[0]
        wanted = InstrumentId.parse(instrument) if isinstance(instrument, str) else instrument
        for candidate in instruments:
            if candidate.id == wanted:
                return candidate
        raise InvalidInputError(
            "instrument",
            str(wanted),
            "is not one of this strategy's instruments",
            f"use one of {[str(i.id) for i in instruments]}",
        )

    # --- orders -------------------------------------------------------------------------

    def buy(
        self,
        size: Number | Quantity,
        instrument: InstrumentId | str | None = None,
        *,
        limit: Number | Price | None = None,
        stop: Number | Price | None = None,
        tif: str = "gtc",
        expire_ns: int | None = None,
        reduce_only: bool = False,
        post_only: bool = False,
    ) -> ClientOrderId:
        """Buy ``size``: market, or limit / stop / stop-limit when ``limit``/``stop`` are given."""
        return self.submit(
            OrderSide.BUY,
            size,
            instrument,
            limit=limit,
            stop=stop,
            tif=tif,
            expire_ns=expire_ns,
            reduce_only=reduce_only,
            post_only=post_only,
        )

    def sell(
        self,
        size: Number | Quantity,
        instrument: InstrumentId | str | None = None,
        *,
        limit: Number | Price | None = None,
        stop: Number | Price | None = None,
        tif: str = "gtc",
        expire_ns: int | None = None,
        reduce_only: bool = False,
        post_only: bool = False,
    ) -> ClientOrderId:
        """Sell ``size``: market, or limit / stop / stop-limit when ``limit``/``stop`` are given."""
        return self.submit(
            OrderSide.SELL,
            size,
            instrument,
            limit=limit,
            stop=stop,
            tif=tif,
            expire_ns=expire_ns,
            reduce_only=reduce_only,
            post_only=post_only,
        )

    def submit(
        self,
        side: OrderSide,
        size: Number | Quantity,
        instrument: InstrumentId | str | None = None,
        *,
        limit: Number | Price | None = None,
        stop: Number | Price | None = None,
        tif: str = "gtc",
        expire_ns: int | None = None,
        reduce_only: bool = False,
        post_only: bool = False,
    ) -> ClientOrderId:
        """Place an order; its answers arrive in ``on_order`` / ``on_fill``.

        Sizes and prices must lie on the instrument's grid (a float is accepted
        when it is exactly a grid value; round with ``round_price`` otherwise).
        """
        target = self.get_instrument(instrument)
        time_in_force = _TIF.get(tif.lower()) if isinstance(tif, str) else None
        if time_in_force is None:
            raise InvalidInputError(
                "tif", tif, "is not a time in force", f"use one of {list(_TIF)}"
            )
        price = None if limit is None else target.ticks(limit, "limit")
        trigger = None if stop is None else target.ticks(stop, "stop")
        if trigger is None:
            order_type = OrderType.MARKET if price is None else OrderType.LIMIT
        else:
            order_type = OrderType.STOP_MARKET if price is None else OrderType.STOP_LIMIT
        return self.ctx.submit(
            OrderRequest(
                instrument_id=target.id,
                side=side,
                quantity=target.lots(size, "size"),
                order_type=order_type,
                price=price,
                trigger_price=trigger,
                time_in_force=time_in_force,
                expire_time_ns=expire_ns,
                reduce_only=reduce_only,
                post_only=post_only,
            )
        )

    def modify(
        self,
        order_id: ClientOrderId,
        *,
        size: Number | Quantity | None = None,
        limit: Number | Price | None = None,
        stop: Number | Price | None = None,
        instrument: InstrumentId | str | None = None,
    ) -> None:
        """Change a working order's size, limit or stop price."""
        target = self.get_instrument(instrument)
        self.ctx.modify(
            order_id,
            None if size is None else target.lots(size, "size"),
            None if limit is None else target.ticks(limit, "limit"),
            None if stop is None else target.ticks(stop, "stop"),
        )

    def cancel(self, order_id: ClientOrderId) -> None:
        self.ctx.cancel(order_id)

    def cancel_all(self, instrument: InstrumentId | str | None = None) -> None:
        """Cancel every open order (of one instrument, if given)."""
        target = None if instrument is None else self.get_instrument(instrument).id
        self.ctx.cancel_all(target)

    def close_position(self, instrument: InstrumentId | str | None = None) -> ClientOrderId | None:
        """Send a reduce-only market order that brings the position to flat (None if flat)."""
        target = self.get_instrument(instrument)
        lots = self.ctx.position_lots(target.id)
        if lots == 0:
            return None
        side = OrderSide.SELL if lots > 0 else OrderSide.BUY
        return self.ctx.submit(
            OrderRequest(instrument_id=target.id, side=side, quantity=abs(lots), reduce_only=True)
        )

    def flatten(self) -> None:
        """Cancel every open order and close every position of this strategy."""
        self.ctx.cancel_all(None)
        for instrument in self.ctx.instruments:
            self.close_position(instrument.id)

    # --- state --------------------------------------------------------------------------

    def position(self, instrument: InstrumentId | str | None = None) -> Decimal:
        """The signed position (+ long, - short) in the instrument's units."""
        target = self.get_instrument(instrument)
        return self.ctx.position_lots(target.id) * target.size_increment

    def is_flat(self, instrument: InstrumentId | str | None = None) -> bool:
        """True when the strategy holds nothing of the instrument (default: the first)."""
        return self.ctx.position_lots(self.get_instrument(instrument).id) == 0

    def open_orders(self, instrument: InstrumentId | str | None = None) -> list[OrderInfo]:
        target = None if instrument is None else self.get_instrument(instrument).id
        return self.ctx.open_orders(target)

    def equity(self, currency: Currency | None = None) -> Money:
        """The strategy's equity: its cash plus its positions at market."""
        return self.ctx.equity(currency)

    def cash(self, currency: Currency | None = None) -> Money:
        return self.ctx.cash(currency)

    def round_price(
        self, value: float | Decimal, instrument: InstrumentId | str | None = None, *, up: bool
    ) -> Decimal:
        """``value`` rounded onto the instrument's price grid, up or down (explicitly)."""
        target = self.get_instrument(instrument)
        step = target.price_increment
        steps = (Decimal(repr(value)) if isinstance(value, float) else value) / step
        whole = steps.to_integral_value(rounding="ROUND_CEILING" if up else "ROUND_FLOOR")
        return whole * step

    # --- timers -------------------------------------------------------------------------

    def set_timer(self, name: str, interval_ns: int, start_ns: int | None = None) -> None:
        """Call ``on_timer`` every ``interval_ns`` (from ``start_ns``, default now)."""
        self.ctx.set_timer(name, interval_ns, start_ns)

    def set_alarm(self, name: str, ts_ns: int) -> None:
        """Call ``on_timer`` once at ``ts_ns``."""
        self.ctx.set_alarm(name, ts_ns)

    def cancel_timer(self, name: str) -> None:
        self.ctx.cancel_timer(name)
