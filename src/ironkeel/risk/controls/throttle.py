"""Message-rate throttles: token buckets for submits and modifies, per strategy or global.

A bucket holds at most ``burst`` tokens and gains ``rate`` tokens every ``per_ns``
(continuously, in exact integer arithmetic: the level is kept in units of
1/``per_ns`` token). A message takes one token; with none left it is denied. So in any
window of ``w`` ns at most ``burst + rate * w / per_ns`` messages pass (for a window of
``per_ns``: ``burst + rate``), and over a long span the rate is ``rate`` per ``per_ns``.

Time comes only from ``view.now_ns()``; a clock that steps back adds no tokens.

An ``emergency`` order (a forced flatten) is never denied: it takes a token when one is
there, so what follows it is slowed down, and never goes into debt. Cancels are never
throttled (the engine does not ask). A control stops at the first denial, so a bucket
is run last: a token is taken only by an order every other control has passed.
"""

from __future__ import annotations

from typing import ClassVar

from ironkeel.core.exact import mul
from ironkeel.model.identifiers import StrategyId
from ironkeel.risk.controls.base import Control, Denial, ReasonCode, positive_int
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["ModifyThrottle", "SubmitThrottle", "TokenBucket"]


class TokenBucket:
    """``rate`` tokens per ``per_ns``, at most ``burst``; starts full."""

    __slots__ = ("_cap", "_last", "_level", "_started", "burst", "per_ns", "rate")

    def __init__(self, rate: object, per_ns: object, burst: object) -> None:
        self.rate = positive_int("rate", rate)
        self.per_ns = positive_int("per_ns", per_ns)
        self.burst = positive_int("burst", burst)
        self._cap = self.burst * self.per_ns
        self._level = self._cap
        self._started = False  # no token asked for yet (``_last`` is then meaningless)
        self._last = 0

    def _refill(self, now_ns: int) -> int:
        last, level = self._last, self._level
        if not self._started or now_ns > last:
            if self._started:
                level = min(self._cap, level + mul(now_ns - last, self.rate))
                self._level = level
            self._started = True
            self._last = now_ns
        return level

    def take(self, now_ns: int) -> bool:
        """Take one token at ``now_ns`` if there is one."""
        level = self._refill(now_ns)
        if level >= self.per_ns:
            self._level = level - self.per_ns
            return True
        return False

    def wait_ns(self, now_ns: int) -> int:
        """How long until a token is there (0 if one is there now)."""
        missing = self.per_ns - self._refill(now_ns)
        return 0 if missing <= 0 else -(-missing // self.rate)


class _Throttle(Control):
    """Buckets of one configuration: one per strategy, or one shared by all strategies."""

    __slots__ = ("_bucket", "_bucket_of", "_buckets", "burst", "per_ns", "per_strategy", "rate")
    #: What is throttled, for the reason.
    _what: ClassVar[str] = ""

    def __init__(self, rate: object, per_ns: object, burst: object, *, per_strategy: bool) -> None:
        checked = TokenBucket(rate, per_ns, burst)  # validates the figures
        self.rate, self.per_ns, self.burst = checked.rate, checked.per_ns, checked.burst
        self.per_strategy = per_strategy
        self._buckets: dict[StrategyId | None, TokenBucket] = {}
        # The strategy of the last message and its bucket (ids compared by identity).
        self._bucket_of: StrategyId | None = None
        self._bucket: TokenBucket | None = None

    def _take(self, strategy_id: StrategyId, now: int, emergency: bool) -> Denial | None:
        bucket = self._bucket
        if bucket is None or (self.per_strategy and strategy_id is not self._bucket_of):
            bucket = self._buckets.get(strategy_id if self.per_strategy else None)
            if bucket is not None:
                self._bucket, self._bucket_of = bucket, strategy_id
        if bucket is not None and bucket.take(now):
            return None
        if bucket is None:  # the strategy's first message
            key = strategy_id if self.per_strategy else None
            bucket = self._buckets[key] = TokenBucket(self.rate, self.per_ns, self.burst)
            if bucket.take(now):
                return None
        if emergency:
            return None
        whose = f"strategy {strategy_id}" if self.per_strategy else "all strategies"
        return Denial(
            code=self.code,
            reason=(
                f"{self._what} rate of {whose} is above {self.rate} per {self.per_ns} ns "
                f"(burst {self.burst}): next allowed in {bucket.wait_ns(now)} ns"
            ),
        )


class SubmitThrottle(_Throttle):
    """Order submissions: ``rate`` per ``per_ns`` with ``burst``; never denies an emergency."""

    __slots__ = ()
    code: ClassVar[str] = ReasonCode.SUBMIT_RATE
    _what: ClassVar[str] = "submit"

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        return self._take(ticket.strategy_id, view.now_ns(), ticket.emergency)


class ModifyThrottle(_Throttle):
    """Order modifications: ``rate`` per ``per_ns`` with ``burst``. Not a submit control:
    the engine calls ``check_modify`` before it sends a modify (its ``check`` is not
    defined)."""

    __slots__ = ()
    code: ClassVar[str] = ReasonCode.MODIFY_RATE
    _what: ClassVar[str] = "modify"

    def check_modify(
        self, strategy_id: StrategyId, view: PreTradeView, *, emergency: bool = False
    ) -> Denial | None:
        return self._take(strategy_id, view.now_ns(), emergency)
