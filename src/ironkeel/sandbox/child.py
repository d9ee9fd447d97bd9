"""The strategy process: harden, say hello, then answer the engine's requests.

The strategy runs against a ``MirrorContext``: reads (position, equity, cash, open
orders, time) come from the ``State`` shipped with each request and each result;
every action (submit, modify, cancel, timers) is a synchronous call to the engine,
which applies it through the strategy's real context and may, before it answers,
call the strategy's hooks again (nested requests, served here while the call
waits). So the strategy sees the same sequence of calls and values as in-process,
and an isolated run produces the same outputs as an in-process one.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import socket
import traceback
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final, NoReturn

from ironkeel.model.book import OrderBook
from ironkeel.model.data import Bar, BarType, OrderBookSnapshot
from ironkeel.model.enums import OrderStatus
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.codec import child_decoder, encoder, instrument_of
from ironkeel.sandbox.guards import install_guards
from ironkeel.sandbox.harden import Limits, harden
from ironkeel.sandbox.probe import run_probes
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.context import OrderRequest
from ironkeel.strategy.loader import strategy_class_from_source
from ironkeel.strategy.views import MarketBar, OrderInfo, OrderUpdate

__all__ = ["Link", "MirrorContext", "Runner", "main"]


class _Collect(logging.Handler):
    def __init__(self, logs: list[p.Log]) -> None:
        super().__init__()
        self.logs = logs
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.logs) >= p.MAX_ACTIONS:
            self.dropped += 1
            return
        text = record.getMessage()[: p.MAX_LOG_CHARS]
        self.logs.append(p.Log(level=record.levelno, message=text))


#: Shared by every reply without log lines (never mutated: replies are frozen).
#: The usual answer to a bar: nothing to say (sent as bytes encoded once).
EMPTY_REPLY: Final = p.EMPTY_REPLY
_NO_LOGS: Final = EMPTY_REPLY.logs

#: Errors the engine's context raised, re-raised in the strategy as the same class.
_ERRORS: dict[str, type[Exception]] = {
    "InvalidInputError": InvalidInputError,
    "StateError": StateError,
}


class MirrorContext:
    """``StrategyContext`` inside the sandbox: reads from the engine's last ``State``,
    actions as synchronous calls to the engine (``Link.act``)."""

    def __init__(self, strategy_id: StrategyId, link: Link) -> None:
        self._id = strategy_id
        self._link = link
        self.logs: list[p.Log] = []
        self._instruments: tuple[Instrument, ...] = ()
        self.currency: Currency | None = None
        self.state = p.State(ts=0, positions=[], equity=0, cash=0, orders=[])
        self._orders: list[OrderInfo] = []
        self.acted = 0
        logger = logging.getLogger(f"ironkeel.sandboxed.{strategy_id}")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        self._collect = _Collect(self.logs)
        logger.handlers[:] = [self._collect]
        self._log = logging.LoggerAdapter(logger, {"strategy": str(strategy_id)})

    def begin(self, instruments: Sequence[Instrument], currency: Currency) -> None:
        self._instruments = tuple(instruments)
        self.currency = currency

    def update(self, state: p.State) -> None:
        self.state = state
        if state.orders is not None:
            self._orders = state.orders

    def take_logs(self) -> list[p.Log]:
        if not self.logs and not self._collect.dropped:
            return _NO_LOGS  # the usual case: no list made per request
        taken = list(self.logs)
        self.logs.clear()
        if self._collect.dropped:
            taken.append(p.Log(30, f"{self._collect.dropped} log lines dropped (too many)"))
            self._collect.dropped = 0
        return taken

    def _act(self, action: p.Action) -> p.Result:
        self.acted += 1
        if self.acted > p.MAX_ACTIONS:
            raise RuntimeError(
                f"runaway strategy: more than {p.MAX_ACTIONS} actions in one callback"
            )
        result = self._link.act(p.Act(action, self.take_logs()))
        self.update(result.state)
        if result.error is not None:
            raise _ERRORS.get(result.error_kind or "", RuntimeError)(result.error)
        return result

    # --- StrategyContext ----------------------------------------------------------------

    @property
    def strategy_id(self) -> StrategyId:
        return self._id

    @property
    def instruments(self) -> Sequence[Instrument]:
        return self._instruments

    @property
    def log(self) -> logging.LoggerAdapter[logging.Logger]:
        return self._log

    def now_ns(self) -> int:
        return self.state.ts

    def submit(self, request: OrderRequest) -> ClientOrderId:
        result = self._act(p.Submit(request))
        assert result.client_order_id is not None, "the engine answers a submit with its id"
        return ClientOrderId(result.client_order_id)

    def modify(
        self,
        client_order_id: ClientOrderId,
        quantity: int | None,
        price: int | None,
        trigger_price: int | None,
    ) -> None:
        self._act(p.Modify(client_order_id.value, quantity, price, trigger_price))

    def cancel(self, client_order_id: ClientOrderId) -> None:
        self._act(p.Cancel(client_order_id.value))

    def cancel_all(self, instrument_id: InstrumentId | None) -> None:
        self._act(p.CancelAll(instrument_id))

    def position_lots(self, instrument_id: InstrumentId) -> int:
        for index, instrument in enumerate(self._instruments):
            if instrument.id == instrument_id:
                return self.state.positions[index]
        return 0

    def open_orders(self, instrument_id: InstrumentId | None) -> list[OrderInfo]:
        return [
            o for o in self._orders if instrument_id is None or o.instrument_id == instrument_id
        ]

    def equity(self, currency: Currency | None) -> Money:
        return Money.from_raw(self.state.equity, self._currency(currency))

    def cash(self, currency: Currency | None) -> Money:
        return Money.from_raw(self.state.cash, self._currency(currency))

    def set_timer(self, name: str, interval_ns: int, start_ns: int | None) -> None:
        self._act(p.SetTimer(name, interval_ns, start_ns))

    def set_alarm(self, name: str, ts_ns: int) -> None:
        self._act(p.SetAlarm(name, ts_ns))

    def cancel_timer(self, name: str) -> None:
        self._act(p.CancelTimer(name))

    def _currency(self, currency: Currency | None) -> Currency:
        assert self.currency is not None, "the engine sends Start first"
        if currency is not None and currency != self.currency:
            raise InvalidInputError(
                "currency", currency.code, "is not the strategy's currency in the sandbox",
                f"read equity and cash in {self.currency.code}",
            )  # fmt: skip
        return self.currency


class Link:
    """The child's end of the socket: answers requests, and makes synchronous calls
    during which it answers the nested requests they trigger."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._send = encoder().encode
        self._decode = child_decoder().decode
        self._empty = p.EMPTY_REPLY_BYTES
        self._buffer = bytearray(p.MAX_MESSAGE)  # reused: no allocation per message
        self._view = memoryview(self._buffer)
        self.runner = Runner(self)

    def receive(self) -> p.ToChild:
        try:
            size = self.sock.recv_into(self._buffer)
        except OSError:
            os._exit(1)
        if not size:  # the engine closed the socket: the run is over
            os._exit(0)
        return self._decode(self._view[:size])

    def send(self, message: p.Reply | p.Act | p.Hello) -> None:
        if message is EMPTY_REPLY:
            self.sock.send(self._empty)
            return
        data = self._send(message)
        if len(data) > p.MAX_MESSAGE:
            data = self._send(p.Reply(error="protocol: reply too large", location="sandbox"))
        self.sock.send(data)

    def act(self, act: p.Act) -> p.Result:
        self.send(act)
        while True:
            message = self.receive()
            if type(message) is p.Result:
                return message
            self.send(self.runner.handle(message))

    def serve(self) -> NoReturn:
        """Answer requests until the engine closes the socket (the hot loop: names bound
        once, the common empty reply sent as pre-encoded bytes)."""
        recv_into, send_bytes = self.sock.recv_into, self.sock.send
        buffer, view, decode = self._buffer, self._view, self._decode
        handle, empty = self.runner.handle, self._empty
        while True:
            try:
                size = recv_into(buffer)
            except OSError:
                os._exit(1)
            if not size:  # the engine closed the socket: the run is over
                os._exit(0)
            reply = handle(decode(view[:size]))
            if reply is EMPTY_REPLY:
                send_bytes(empty)
            else:
                self.send(reply)


class Runner:
    """Turns requests into hook calls and replies."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.strategy: Strategy | None = None
        self.ctx: MirrorContext | None = None
        self.filename = "<strategy>"
        self.books: dict[InstrumentId, OrderBook] = {}
        self.bar_types: dict[int, BarType] = {}
        self.guarded = False
        # Before the guards (which refuse dlopen): malloc's statistics, for ``Usage``.
        self._mallinfo2 = ctypes.CDLL(None).mallinfo2
        self._mallinfo2.restype = _MallInfo2

    def handle(self, message: p.ToChild) -> p.Reply:
        ctx = self.ctx
        if type(message) is p.OnBar and ctx is not None and self.strategy is not None:
            ctx.update(message.state)  # the hot path: a bar, usually no action, no log
            outer = ctx.acted
            try:
                self.strategy.on_bar(self._bar(message))
            except BaseException as error:
                return self._failed(ctx, error)
            finally:
                ctx.acted = outer
            logs = ctx.take_logs()
            return EMPTY_REPLY if logs is _NO_LOGS else p.Reply(logs=logs)
        if type(message) is p.Probe:
            return p.Reply(probes=run_probes())
        if type(message) is p.Load:
            return self._load(message)
        if type(message) is p.Inspect:
            return self._inspect(message)
        if type(message) is p.Usage:
            return p.Reply(params={"heap_bytes": self._heap()})
        if self.strategy is None or self.ctx is None:
            return p.Reply(error="protocol: the strategy is not loaded", location="engine")
        if type(message) is p.Result:
            return p.Reply(error="protocol: a Result outside a call", location="engine")
        ctx, strategy = self.ctx, self.strategy
        ctx.update(message.state)  # type: ignore[union-attr]  # Load/Probe/Result: above
        outer = ctx.acted
        try:
            self._dispatch(message, strategy, ctx)
        except BaseException as error:
            return self._failed(ctx, error)
        finally:
            ctx.acted = outer
        return p.Reply(logs=ctx.take_logs())

    def _failed(self, ctx: MirrorContext, error: BaseException) -> p.Reply:
        """The reply to a hook the strategy's error ended (everything it raises counts)."""
        return p.Reply(
            logs=ctx.take_logs(),
            error=f"{type(error).__name__}: {error}",
            location=self._where(error),
        )

    def _dispatch(self, message: p.ToChild, strategy: Strategy, ctx: MirrorContext) -> None:
        # OnBar never gets here: ``handle`` takes it on its fast path.
        if isinstance(message, p.OnOrder):
            event = message.event
            strategy.on_order(
                OrderUpdate(
                    client_order_id=event.client_order_id,
                    instrument_id=event.instrument_id,
                    status=OrderStatus(message.status),
                    event=type(event).__name__,
                    reason=message.reason,
                    ts=event.ts_event,
                    raw=event,
                )
            )
        elif isinstance(message, p.OnFill):
            strategy.on_fill(message.fill)
        elif isinstance(message, p.OnQuote):
            strategy.on_quote(message.quote)
        elif isinstance(message, p.OnTrade):
            strategy.on_trade(message.trade)
        elif isinstance(message, p.OnBook):
            strategy.on_book(self._book(message))
        elif isinstance(message, p.OnTimer):
            strategy.on_timer(message.event)
        elif isinstance(message, p.Start):
            ctx.begin([instrument_of(s) for s in message.instruments], message.currency)
            strategy.attach(ctx)
            strategy.on_start()
        elif isinstance(message, p.Stop):
            strategy.on_stop()

    def _bar(self, m: p.OnBar) -> MarketBar:
        bar_type = m.bar_type
        if bar_type is None:
            bar_type = self.bar_types[m.index]
        else:
            self.bar_types[m.index] = bar_type
        raw = Bar(
            bar_type, m.raw_open, m.raw_high, m.raw_low, m.raw_close, m.raw_volume,
            m.ts_event, m.ts_init,
        )  # fmt: skip
        return MarketBar(
            bar_type.instrument_id, m.ts_event, m.open, m.high, m.low, m.close, m.volume, raw
        )

    def _book(self, message: p.OnBook) -> OrderBook:
        book = self.books.get(message.instrument_id)
        if book is None:
            book = self.books[message.instrument_id] = OrderBook(message.instrument_id)
        ts = message.state.ts
        book.apply_snapshot(
            OrderBookSnapshot(
                instrument_id=message.instrument_id,
                bids=tuple(message.bids),
                asks=tuple(message.asks),
                last_update_id=message.last_update_id,
                ts_event=ts,
                ts_init=ts,
            )
        )
        return book

    def _load(self, message: p.Load) -> p.Reply:
        self.filename = message.filename
        if not self.guarded:  # before any strategy code; probes (sandbox check) run without
            install_guards()
            self.guarded = True
        try:
            cls = strategy_class_from_source(
                message.source, message.filename, message.class_name, message.strategy_id
            )
            strategy = cls(message.params)
        except BaseException as error:
            return p.Reply(error=str(error), location=self._where(error))
        self.strategy = strategy
        self.ctx = MirrorContext(StrategyId(message.strategy_id), self.link)
        return p.Reply(params={k: _plain(v) for k, v in strategy.params.items()})

    def _heap(self) -> int:
        info = self._mallinfo2()
        return int(info.uordblks + info.hblkhd)

    def _inspect(self, message: p.Inspect) -> p.Reply:
        if message.name not in p.INSPECTABLE or self.strategy is None:
            return p.Reply(params={message.name: None})
        value = vars(self.strategy).get(message.name)
        if isinstance(value, dict):
            value = {str(k): _text(v) for k, v in value.items()}
        elif value is not None:
            value = _text(value)
        return p.Reply(params={message.name: value})

    def _where(self, error: BaseException) -> str:
        frames = traceback.extract_tb(error.__traceback__)
        mine = [f for f in frames if f.filename == self.filename]
        chosen = mine[-1] if mine else (frames[-1] if frames else None)
        return "unknown" if chosen is None else f"{chosen.filename}:{chosen.lineno}"


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (glibc >= 2.33)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                     "uordblks", "fordblks", "keepcost")
    ]  # fmt: skip


def _text(value: Any) -> str | None:
    """A number as exact text (what validation compares), anything else as None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    return str(value)


def _plain(value: Any) -> Any:
    """A parameter value as plain data (Decimal as exact text)."""
    return str(value) if isinstance(value, Decimal) else value


def main(fd: int, slot: int, limits: Limits) -> NoReturn:
    """The child's whole life, right after the zygote forked it."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sock = socket.socket(fileno=fd)
    protections = harden(fd, slot, limits)
    # Fewer, larger young-generation collections: each request allocates a few tracked
    # objects, and at the default threshold (700) every few hundred requests would pay a
    # collection inside the engine's wait.
    gc.set_threshold(10_000, 10, 10)
    link = Link(sock)
    link.send(p.Hello(pid=os.getpid(), protections=protections))
    link.serve()
