"""Enumerations of the trading model."""

from __future__ import annotations

from enum import Enum, IntEnum

__all__ = [
    "AggressorSide",
    "AssetClass",
    "BookAction",
    "BookSide",
    "LiquiditySide",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "TimeInForce",
]


class _Enum(Enum):
    """An Enum hashed by identity: members are singletons compared by identity, and
    ``Enum.__hash__`` (a Python-level hash of the name) costs ~100 ns per dict lookup on
    the order path."""

    __hash__ = object.__hash__


class AssetClass(_Enum):
    CRYPTO = "crypto"
    FX = "fx"
    EQUITY = "equity"
    FUTURE = "future"
    OPTION = "option"
    INDEX = "index"
    COMMODITY = "commodity"


class OrderSide(IntEnum):
    """BUY is +1 and SELL is -1, so ``side * lots`` is a signed quantity."""

    BUY = 1
    SELL = -1

    @property
    def opposite(self) -> OrderSide:
        return OrderSide.SELL if self is OrderSide.BUY else OrderSide.BUY


class OrderType(_Enum):
    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"


class TimeInForce(_Enum):
    GTC = "gtc"  # good till cancelled
    IOC = "ioc"  # immediate or cancel: fill what is possible now, cancel the rest
    FOK = "fok"  # fill or kill: fill all of it now or none of it
    DAY = "day"  # expires at the end of the trading day
    GTD = "gtd"  # good till a given time (expire_time_ns)


class OrderStatus(_Enum):
    INITIALIZED = "initialized"
    DENIED = "denied"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    TRIGGERED = "triggered"
    PENDING_UPDATE = "pending_update"
    PENDING_CANCEL = "pending_cancel"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_open(self) -> bool:
        """Working at (or on its way to) the venue: can still fill."""
        return self in _OPEN


_TERMINAL = frozenset(
    {
        OrderStatus.DENIED,
        OrderStatus.REJECTED,
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.EXPIRED,
    }
)
_OPEN = frozenset(
    {
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
        OrderStatus.TRIGGERED,
        OrderStatus.PENDING_UPDATE,
        OrderStatus.PENDING_CANCEL,
        OrderStatus.PARTIALLY_FILLED,
    }
)


class LiquiditySide(_Enum):
    MAKER = "maker"
    TAKER = "taker"


class AggressorSide(_Enum):
    BUYER = "buyer"
    SELLER = "seller"
    NONE = "none"


class BookSide(IntEnum):
    BID = 1
    ASK = -1


class BookAction(_Enum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    CLEAR = "clear"
