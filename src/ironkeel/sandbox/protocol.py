"""The messages between the engine and a sandboxed strategy process.

One ``SOCK_SEQPACKET`` socket per strategy carries msgspec MessagePack, one message
per packet. The engine sends a request and waits until the child ends it with a
``Reply`` (answering each ``Act`` on the way); the child never speaks first except
for its ``Hello`` after hardening. Every type is a
tagged, frozen msgspec struct, and both sides decode with a typed decoder: a child
can send only data of these shapes (never pickle), and a packet larger than
``MAX_MESSAGE`` is refused.

What the child reads of the engine's state (positions, equity, cash, open orders)
travels with each request as a ``State``. What the strategy asks of the engine is
a synchronous call, as in-process: the child sends ``Act`` and waits; the engine
applies the action through the strategy's normal context (every check an in-process
strategy meets, the risk engine included), and any hook that action triggers at
once -- a denial's ``on_order``, say -- is sent to the child as a nested request
before the engine answers with a ``Result`` (the id, a fresh ``State``, or the
error to raise in the strategy). So an isolated strategy sees exactly the sequence
of calls and values an in-process one sees. Log lines ride along in batches.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import msgspec

from ironkeel.model.data import BarType, BookLevel
from ironkeel.model.enums import AssetClass
from ironkeel.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderTriggered,
    OrderUpdated,
    TimeEvent,
)
from ironkeel.model.identifiers import InstrumentId
from ironkeel.model.values import Currency
from ironkeel.strategy.context import OrderRequest
from ironkeel.strategy.views import Fill, MarketQuote, MarketTrade, OrderInfo

__all__ = [
    "EMPTY_REPLY",
    "EMPTY_REPLY_BYTES",
    "INSPECTABLE",
    "MAX_ACTIONS",
    "MAX_LOG_CHARS",
    "MAX_MESSAGE",
    "Act",
    "Action",
    "Cancel",
    "CancelAll",
    "CancelTimer",
    "HeardEvent",
    "Hello",
    "Inspect",
    "InstrumentSpec",
    "Load",
    "Log",
    "Modify",
    "OnBar",
    "OnBook",
    "OnFill",
    "OnOrder",
    "OnQuote",
    "OnTimer",
    "OnTrade",
    "Probe",
    "Protection",
    "Reply",
    "Request",
    "Result",
    "SetAlarm",
    "SetTimer",
    "Start",
    "State",
    "Stop",
    "Submit",
    "ToChild",
    "ToEngine",
    "Usage",
]

#: The largest packet either side accepts (bytes); a bigger one is a protocol error.
MAX_MESSAGE: Final = 192 * 1024
#: The most actions one callback may take, and log lines one message may carry (a
#: runaway loop is cut off here: the strategy fails).
MAX_ACTIONS: Final = 1_000
#: Log lines from a strategy are cut to this many characters.
MAX_LOG_CHARS: Final = 2_000


class _Msg(msgspec.Struct, frozen=True, tag=True, array_like=True, gc=False):
    """Base of every message: tagged by class name, encoded as an array."""


# --- engine to child -------------------------------------------------------------------


class InstrumentSpec(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Everything needed to rebuild an ``Instrument`` in the child (exact, as text)."""

    id: InstrumentId
    asset_class: AssetClass
    quote_currency: Currency
    base_currency: Currency | None
    price_increment: Decimal
    size_increment: Decimal
    multiplier: Decimal
    min_quantity: Decimal
    max_quantity: Decimal | None
    min_notional: Decimal | None
    maker_fee: Decimal
    taker_fee: Decimal


class State(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """The engine's view of the strategy when a request is sent: the clock, the position
    of each instrument (lots, in the strategy's instrument order), equity and cash (raw
    10**-12 units of the strategy's currency), and its open orders when they changed
    since the last request (None: unchanged)."""

    ts: int
    positions: list[int]
    equity: int
    cash: int
    orders: list[OrderInfo] | None = None


#: The order events a strategy hears, as concrete types (for typed decoding).
HeardEvent = (
    OrderAccepted
    | OrderRejected
    | OrderDenied
    | OrderTriggered
    | OrderUpdated
    | OrderModifyRejected
    | OrderCancelRejected
    | OrderCanceled
    | OrderExpired
    | OrderFilled
)


class Load(_Msg, frozen=True):
    """Load the strategy: its source, the file name it reports errors against, the class
    to use (None: the only one), its parameters, its id and the run's seed."""

    source: str
    filename: str
    class_name: str | None
    params: dict[str, Any]
    strategy_id: str
    seed: int


class Start(_Msg, frozen=True):
    state: State
    instruments: list[InstrumentSpec]
    currency: Currency


class OnBar(_Msg, frozen=True):
    """A bar, flat: the view's floats as the engine computed them, the bar's exact ints,
    and its ``BarType`` only when it is new for that instrument (``None``: the last one
    sent), so the common message decodes no nested ids."""

    state: State
    bar_type: BarType | None
    open: float
    high: float
    low: float
    close: float
    volume: float
    raw_open: int
    raw_high: int
    raw_low: int
    raw_close: int
    raw_volume: int
    ts_event: int
    ts_init: int
    #: Which bar type: the instrument's position in the strategy's instruments.
    index: int


class OnQuote(_Msg, frozen=True):
    state: State
    quote: MarketQuote


class OnTrade(_Msg, frozen=True):
    state: State
    trade: MarketTrade


class OnBook(_Msg, frozen=True):
    state: State
    instrument_id: InstrumentId
    bids: list[BookLevel]
    asks: list[BookLevel]
    last_update_id: int


class OnOrder(_Msg, frozen=True):
    state: State
    status: str
    reason: str | None
    event: HeardEvent


class OnFill(_Msg, frozen=True):
    state: State
    fill: Fill


class OnTimer(_Msg, frozen=True):
    state: State
    event: TimeEvent


class Stop(_Msg, frozen=True):
    state: State


class Probe(_Msg, frozen=True):
    """Ask the child to try each forbidden thing and report what stopped it."""


class Inspect(_Msg, frozen=True):
    """Ask for one attribute of the strategy that validation reads (``INSPECTABLE``);
    the answer is ``Reply.params[name]``, plain data (numbers as exact text)."""

    name: str


class Usage(_Msg, frozen=True):
    """Ask for the bytes the strategy process has allocated now (malloc's in-use bytes,
    mmap'd blocks included: ``Reply.params["heap_bytes"]``). Unlike the resident size it
    moves with every allocation, so a leak shows at once."""


#: The strategy attributes the engine may read (the validation convention).
INSPECTABLE: Final = frozenset({"tracked_position"})


class Result(_Msg, frozen=True):
    """The engine's answer to an ``Act``: the new order's id (for a submit), the state
    after the action and whatever it triggered, or the error the context raised
    (``error_kind`` names its class: InvalidInputError, StateError, ...)."""

    state: State
    client_order_id: str | None = None
    error: str | None = None
    error_kind: str | None = None


Request = Load | Start | OnBar | OnQuote | OnTrade | OnBook | OnOrder | OnFill | OnTimer | Stop
ToChild = Request | Probe | Result | Inspect | Usage


# --- child to engine -------------------------------------------------------------------


class Submit(_Msg, frozen=True):
    request: OrderRequest


class Modify(_Msg, frozen=True):
    client_order_id: str
    quantity: int | None
    price: int | None
    trigger_price: int | None


class Cancel(_Msg, frozen=True):
    client_order_id: str


class CancelAll(_Msg, frozen=True):
    instrument_id: InstrumentId | None


class SetTimer(_Msg, frozen=True):
    name: str
    interval_ns: int
    start_ns: int | None


class SetAlarm(_Msg, frozen=True):
    name: str
    ts_ns: int


class CancelTimer(_Msg, frozen=True):
    name: str


class Log(_Msg, frozen=True):
    level: int
    message: str


Action = Submit | Modify | Cancel | CancelAll | SetTimer | SetAlarm | CancelTimer


class Act(_Msg, frozen=True):
    """One action, applied at once by the engine (the child waits for its ``Result``),
    with the log lines written since the last message."""

    action: Action
    logs: list[Log] = []


class Protection(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One isolation mechanism as the child applied it: active or not, and why."""

    name: str
    active: bool
    detail: str


class Hello(_Msg, frozen=True):
    """The child's first message, after hardening: its pid and what is in force."""

    pid: int
    protections: list[Protection]


class Reply(_Msg, frozen=True):
    """The end of one request: the log lines not sent yet, and the error that ended the
    hook, if any (``location`` is file:line in the strategy script). ``params`` is set
    in the answer to ``Load`` (the parsed parameter values), ``probes`` to ``Probe``."""

    logs: list[Log] = []
    error: str | None = None
    location: str | None = None
    params: dict[str, Any] | None = None
    probes: list[Protection] | None = None


ToEngine = Hello | Reply | Act

#: The usual answer to a bar: no logs, no error. On the wire it is ``EMPTY_REPLY_BYTES``,
#: msgpack nil: one byte that no other message can be, which the engine recognizes by
#: its length and value and answers with this object, without decoding anything.
EMPTY_REPLY: Final = Reply(logs=[])
EMPTY_REPLY_BYTES: Final = b"\xc0"
