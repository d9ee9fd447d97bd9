"""The engine's side of a sandboxed strategy: one handle the host calls like any strategy.

``SandboxedStrategy`` is a ``Strategy`` whose hooks forward to a strategy process
and apply what it asked for through the real context (so every check, the risk
engine included, sees the same orders as from an in-process strategy). The host
cannot tell the two apart: that is the "one interface, two hosts" of the design.

Every request has a deadline (default 50 ms; a longer one for loading and
``on_start``). A child that overruns, dies (EOF), or answers with anything but a
well-formed ``Reply`` is killed, and the hook raises ``SandboxError``: the host
then disables the strategy, cancels its orders and flattens it through the
emergency flow, exactly as for an exception inside an in-process strategy.
"""

from __future__ import annotations

from typing import Any

from ironkeel.model.book import OrderBook
from ironkeel.model.data import BarType
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.events import TimeEvent
from ironkeel.model.identifiers import ClientOrderId, InstrumentId
from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.channel import START_DEADLINE_S, Channel
from ironkeel.sandbox.codec import instrument_spec
from ironkeel.sandbox.errors import SandboxError
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.views import Fill, MarketBar, MarketQuote, MarketTrade, OrderUpdate

__all__ = ["SandboxedStrategy"]


class SandboxedStrategy(Strategy):
    """A strategy that lives in another process; the host drives it like any other."""

    def __init__(self, channel: Channel, params: dict[str, Any], name: str) -> None:
        super().__init__(None)
        self.params = dict(params)
        self.channel = channel
        self.name = name
        self._dirty = True  # open orders changed since the last request
        self._timers: set[str] = set()  # the timers the strategy set (cancelled on a swap)
        self._index: dict[InstrumentId, int] = {}  # instrument -> position (OnBar.index)
        self._bar_types: dict[int, BarType] = {}  # the last bar type sent per index

    def replace(self, channel: Channel) -> Channel:
        """Hand this strategy over to ``channel`` (a process already running the new
        version): cancel the old version's timers, start the new one on the current state
        (positions, open orders and equity carry over; the script rebuilds the rest in
        ``on_start``), and return the old channel for the caller to kill. If the new
        version fails to start, the old one stays in place and ``SandboxError`` is raised."""
        old = self.channel
        for name in sorted(self._timers):
            self.ctx.cancel_timer(name)
        self._timers.clear()
        self.channel = channel
        self._dirty = True
        try:
            self.on_start()
        except SandboxError:
            self.channel = old
            channel.kill("the new version failed to start")
            raise
        return old

    # --- hooks: forward, then apply ------------------------------------------------------

    def on_start(self) -> None:
        ctx = self.ctx
        self._index = {instrument.id: k for k, instrument in enumerate(ctx.instruments)}
        self._bar_types = {}
        request = p.Start(
            state=self._state(),
            instruments=[instrument_spec(i) for i in ctx.instruments],
            currency=ctx.equity(None).currency,
        )
        self._call(request, START_DEADLINE_S)

    def on_bar(self, bar: MarketBar) -> None:
        raw = bar.raw
        bar_type: BarType | None = raw.bar_type
        index = self._index.get(raw.bar_type.instrument_id, 0)
        sent = self._bar_types.get(index)
        if sent is raw.bar_type or sent == raw.bar_type:
            bar_type = None  # the child has it
        else:
            self._bar_types[index] = raw.bar_type
        self._call(
            p.OnBar(
                self._state(), bar_type, bar.open, bar.high, bar.low, bar.close, bar.volume,
                raw.open, raw.high, raw.low, raw.close, raw.volume, raw.ts_event, raw.ts_init,
                index,
            )
        )  # fmt: skip

    def on_quote(self, quote: MarketQuote) -> None:
        self._call(p.OnQuote(self._state(), quote))

    def on_trade(self, trade: MarketTrade) -> None:
        self._call(p.OnTrade(self._state(), trade))

    def on_book(self, book: OrderBook) -> None:
        request = p.OnBook(
            self._state(), book.instrument_id, list(book.bids()), list(book.asks()),
            book.last_update_id or 0,
        )  # fmt: skip
        self._call(request)

    def on_order(self, update: OrderUpdate) -> None:
        self._dirty = True
        event = update.raw
        self._call(p.OnOrder(self._state(), update.status.value, update.reason, event))  # type: ignore[arg-type]

    def on_fill(self, fill: Fill) -> None:
        self._dirty = True
        self._call(p.OnFill(self._state(), fill))

    def on_timer(self, event: TimeEvent) -> None:
        self._call(p.OnTimer(self._state(), event))

    def on_stop(self) -> None:
        self._call(p.Stop(self._state()), START_DEADLINE_S)

    def heap_bytes(self) -> int:
        """The bytes the strategy process has allocated now (``protocol.Usage``)."""
        reply = self.channel.call(p.Usage())
        value = None if reply.params is None else reply.params.get("heap_bytes")
        return value if isinstance(value, int) else 0

    def inspect(self, name: str) -> Any:
        """One allowed attribute of the strategy in the child (``protocol.INSPECTABLE``),
        as plain data, or None."""
        reply = self.channel.call(p.Inspect(name))
        return None if reply.params is None else reply.params.get(name)

    # --- internals ----------------------------------------------------------------------

    def _call(self, request: p.Request, timeout_s: float | None = None) -> None:
        """One hook, run in the child: serve its actions until its ``Reply``."""
        message = self.channel.exchange(request, timeout_s)
        while type(message) is p.Act:
            self._write(message.logs)
            result = self._act(message.action)
            message = self.channel.exchange(result, timeout_s)
        reply: p.Reply = message  # type: ignore[assignment]
        self._write(reply.logs)
        if reply.error is not None:
            raise SandboxError(reply.error, reply.location)

    def _state(self) -> p.State:
        ctx = self.ctx
        orders = None
        if self._dirty:
            orders = ctx.open_orders(None)
            self._dirty = False
        return p.State(
            ts=ctx.now_ns(),
            positions=[ctx.position_lots(i.id) for i in ctx.instruments],
            equity=ctx.equity(None).raw,
            cash=ctx.cash(None).raw,
            orders=orders,
        )

    def _write(self, logs: list[p.Log]) -> None:
        for line in logs:
            self.ctx.log.log(_level(line.level), "%s", line.message)

    def _act(self, action: p.Action) -> p.Result:
        """Apply one action through the real context; the error it raises goes back to
        the strategy, as it would in-process."""
        ctx = self.ctx
        kind = type(action)
        order_id = None
        try:
            if kind is p.Submit:
                self._dirty = True
                order_id = ctx.submit(action.request).value  # type: ignore[union-attr]
            elif kind is p.Cancel:
                self._dirty = True
                ctx.cancel(ClientOrderId(action.client_order_id))  # type: ignore[union-attr]
            elif kind is p.CancelAll:
                self._dirty = True
                ctx.cancel_all(action.instrument_id)  # type: ignore[union-attr]
            elif kind is p.Modify:
                self._dirty = True
                m: p.Modify = action  # type: ignore[assignment]
                ctx.modify(ClientOrderId(m.client_order_id), m.quantity, m.price, m.trigger_price)
            elif kind is p.SetTimer:
                t: p.SetTimer = action  # type: ignore[assignment]
                ctx.set_timer(t.name, t.interval_ns, t.start_ns)
                self._timers.add(t.name)
            elif kind is p.SetAlarm:
                ctx.set_alarm(action.name, action.ts_ns)  # type: ignore[union-attr]
                self._timers.add(action.name)  # type: ignore[union-attr]
            elif kind is p.CancelTimer:
                ctx.cancel_timer(action.name)  # type: ignore[union-attr]
                self._timers.discard(action.name)  # type: ignore[union-attr]
        except (InvalidInputError, StateError) as error:
            return p.Result(self._state(), error=str(error), error_kind=type(error).__name__)
        except Exception as error:
            self.channel.kill(f"engine error while applying {kind.__name__}: {error}")
            raise
        return p.Result(self._state(), client_order_id=order_id)


def _level(level: int) -> int:
    """A log level a strategy may use (DEBUG..CRITICAL); anything else is WARNING."""
    return level if level in (10, 20, 30, 40, 50) else 30
