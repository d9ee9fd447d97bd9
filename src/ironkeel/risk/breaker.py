"""Drawdown circuit breakers: one transition table, exact integer decisions, latched trips.

A ``DrawdownBreaker`` watches one equity series (a strategy, a portfolio or the
whole platform) and moves through ``BREAKER_TRANSITIONS``, the only place that
says which trigger may move a breaker from which state to which::

    ARMED --start--> MONITORING --warn--> WARNING --recover--> MONITORING
    MONITORING | WARNING --trip--> TRIGGERED --cooled--> COOLING_DOWN
    TRIGGERED | COOLING_DOWN --reset (operator)--> RESET --rearm--> MONITORING
    any state but HALTED --halt (operator)--> HALTED --resume (operator)--> MONITORING

Decisions (``evaluate``), all in int arithmetic on money raws (10**-12 units):

- drawdown = peak - equity, where the peak is the highest equity since the
  breaker started (or last re-based), or the rolling high-water mark when a
  ``RollingHighWaterMark`` is given. The basis is the allocated capital
  (``drawdown_basis="capital"``) or the peak itself (``"hwm"``).
- daily loss = equity at the start of the day - equity, against the capital. The
  day is the UTC day shifted by ``day_boundary_ns``; its start equity is the last
  equity seen before the boundary (the first equity ever seen on the first day).
- A limit ``L`` (a Decimal, exactly ``num/den``) is breached when
  ``loss * den >= num * basis``; as losses are ints this is ``loss >= ceil(L * basis)``,
  and the breaker keeps these integer thresholds. No float decides anything.
- WARNING at ``warn_at`` of a limit (either limit), back to MONITORING only when
  both losses are below ``rearm_below`` of their limits (hysteresis: a loss
  hovering at 80% gives one warning, not one per tick). TRIGGERED at 100%.
- TRIGGERED latches: later evaluations return ``()`` whatever the equity does,
  so a trip happens exactly once. Only an operator's ``reset`` (or ``resume``
  after a ``halt``) gets out; either one re-bases the breaker on the next equity
  it sees (the peak and the day start become that equity: the operator accepted
  the loss so far), through RESET --rearm--> MONITORING.
- A ``halt`` from MONITORING or WARNING keeps tracking the peak and the day
  start while halted, so ``resume`` does not forgive losses made meanwhile.

Journaling (journal first, then effect): give the breaker a ``BreakerRecorder``
and every transition is written, with a snapshot of the whole breaker, in one
SQLite transaction before the call that made it returns. A breaker rebuilt from
the journal (``DrawdownBreaker.restore``) is in the same state: a trip survives a
restart. If the write raises, the breaker keeps its new state in memory (a trip
stays tripped: fail closed) and the error propagates; the caller must then treat
the breaker as tripped and alert. Between transitions only ``checkpoint()``
writes (the peak moves on every new high: checkpoint at a cadence, e.g. each
minute or session close).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.breaker_states import (
    _ARMED,
    _COOLING,
    _HALTED,
    _LATCHED,
    _MONITORING,
    _NONE,
    _RESET,
    _TRADING,
    _TRIGGERED,
    _WARNING,
)
from ironkeel.risk.breaker_types import (  # the state machine's types, re-exported
    BASES,
    BREAKER_TRANSITIONS,
    COOLED,
    HALT,
    LEVELS,
    PLATFORM_MAX_DRAWDOWN,
    REARM,
    RECOVER,
    RESET,
    RESUME,
    START,
    TRIP,
    WARN,
    Basis,
    BreakerRecorder,
    BreakerSnapshot,
    BreakerState,
    BreakerTransition,
    IllegalBreakerTransitionError,
    Level,
    _ceil,
    _check_int,
    _fraction,
    _money,
    _nonempty,
    _pct,
)
from ironkeel.risk.hwm import NANOS_PER_DAY, RollingHighWaterMark

__all__ = [
    "BREAKER_TRANSITIONS",
    "PLATFORM_MAX_DRAWDOWN",
    "BreakerRecorder",
    "BreakerSnapshot",
    "BreakerState",
    "BreakerTransition",
    "DrawdownBreaker",
    "IllegalBreakerTransitionError",
]


class DrawdownBreaker:
    """A latched drawdown and daily-loss breaker for one strategy, portfolio or the platform."""

    __slots__ = (
        "_capital",
        "_day",
        "_day_boundary_ns",
        "_day_start",
        "_dd_frac",
        "_dd_rearm",
        "_dd_rearm_frac",
        "_dd_trip",
        "_dd_warn",
        "_dd_warn_frac",
        "_dl_frac",
        "_dl_rearm",
        "_dl_trip",
        "_dl_warn",
        "_fast",
        "_fast_hi",
        "_fast_lo",
        "_fast_until",
        "_halted_from",
        "_hwm",
        "_hwm_origin_ns",
        "_hwm_session_ns",
        "_journal",
        "_last_equity",
        "_peak",
        "_peak_basis",
        "_rebase_pending",
        "_state",
        "_thresholds_peak",
        "_trips",
        "daily_loss",
        "drawdown_basis",
        "level",
        "max_drawdown",
        "name",
        "rearm_below",
        "scope",
        "warn_at",
    )

    def __init__(
        self,
        name: str,
        *,
        level: Level,
        scope: str = "",
        capital_raw: object,
        max_drawdown: Decimal = Decimal("0.05"),
        daily_loss: Decimal | None = Decimal("0.05"),
        warn_at: Decimal = Decimal("0.8"),
        rearm_below: Decimal = Decimal("0.7"),
        drawdown_basis: Basis = "capital",
        hwm: RollingHighWaterMark | None = None,
        day_boundary_ns: object = 0,
        journal: BreakerRecorder | None = None,
    ) -> None:
        self.name = _nonempty("name", name, "name the breaker, e.g. 'strategy:sma-1'")
        if level not in LEVELS:
            raise InvalidInputError("level", level, "is not a level", f"pass one of {LEVELS}")
        if drawdown_basis not in BASES:
            raise InvalidInputError(
                "drawdown_basis", drawdown_basis, "is not a basis", f"pass one of {BASES}"
            )
        if type(scope) is not str:
            raise InvalidInputError("scope", scope, "must be a str", "pass the strategy id text")
        capital = _check_int("capital_raw", capital_raw)
        if capital <= 0:
            raise InvalidInputError(
                "capital_raw", capital_raw, "must be positive", "pass the allocated capital raw"
            )
        boundary = _check_int("day_boundary_ns", day_boundary_ns)
        self.level: Level = level
        self.scope = scope
        self.drawdown_basis: Basis = drawdown_basis
        self.max_drawdown = _fraction("max_drawdown", max_drawdown, below_one=False, example="0.05")
        self.daily_loss = (
            None
            if daily_loss is None
            else _fraction("daily_loss", daily_loss, below_one=False, example="0.05")
        )
        self.warn_at = _fraction("warn_at", warn_at, below_one=True, example="0.8")
        self.rearm_below = _fraction("rearm_below", rearm_below, below_one=True, example="0.7")
        if self.rearm_below > self.warn_at:
            raise InvalidInputError(
                "rearm_below",
                rearm_below,
                f"is above warn_at={self.warn_at}: a warning would clear while still warned",
                "pass rearm_below <= warn_at, e.g. 0.7 with warn_at 0.8",
            )
        self._capital = capital
        self._peak_basis = drawdown_basis == "hwm"
        self._day_boundary_ns = boundary
        self._hwm = hwm
        self._journal = journal
        warn, rearm = Fraction(self.warn_at), Fraction(self.rearm_below)
        self._dd_frac = Fraction(self.max_drawdown)
        self._dd_warn_frac = self._dd_frac * warn
        self._dd_rearm_frac = self._dd_frac * rearm
        self._thresholds_peak = 0
        self._set_drawdown_thresholds(capital)
        self._dl_frac: Fraction | None = None
        self._dl_trip: int | None = None
        self._dl_warn = self._dl_rearm = 0
        if self.daily_loss is not None:
            self._dl_frac = Fraction(self.daily_loss)
            self._dl_trip = _ceil(self._dl_frac, capital)
            self._dl_warn = _ceil(self._dl_frac * warn, capital)
            self._dl_rearm = _ceil(self._dl_frac * rearm, capital)
        self._state = _ARMED
        self._trips = 0
        self._halted_from: BreakerState | None = None
        self._rebase_pending = True
        self._peak = self._day = self._day_start = self._last_equity = 0
        # The fast path's band (see ``_refresh_fast``): empty (0 < e <= 0) until an evaluation.
        self._fast = True
        self._fast_lo = self._fast_hi = self._fast_until = 0
        self._hwm_origin_ns = self._hwm_session_ns = 0
        if hwm is not None:  # the rolling window's session grid (fixed for the hwm's life)
            config = hwm.state()
            self._hwm_origin_ns, self._hwm_session_ns = config.origin_ns, config.session_ns

    @classmethod
    def platform(
        cls,
        capital_raw: int,
        *,
        name: str = "platform",
        max_drawdown: Decimal = PLATFORM_MAX_DRAWDOWN,
        daily_loss: Decimal | None = None,
        warn_at: Decimal = Decimal("0.8"),
        rearm_below: Decimal = Decimal("0.7"),
        drawdown_basis: Basis = "capital",
        hwm: RollingHighWaterMark | None = None,
        journal: BreakerRecorder | None = None,
    ) -> DrawdownBreaker:
        """The global breaker: total equity 15% below its peak (of total capital) trips it."""
        return cls(
            name,
            level="platform",
            capital_raw=capital_raw,
            max_drawdown=max_drawdown,
            daily_loss=daily_loss,
            warn_at=warn_at,
            rearm_below=rearm_below,
            drawdown_basis=drawdown_basis,
            hwm=hwm,
            journal=journal,
        )

    # --- reading ----------------------------------------------------------------------

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def trips(self) -> int:
        """How many times the breaker tripped (each trip counts once, however long it lasts)."""
        return self._trips

    @property
    def allows_trading(self) -> bool:
        """False while TRIGGERED, COOLING_DOWN or HALTED."""
        return self._state in _TRADING

    @property
    def capital_raw(self) -> int:
        return self._capital

    @property
    def peak_raw(self) -> int:
        return self._peak

    @property
    def day_start_raw(self) -> int:
        return self._day_start

    @property
    def drawdown_limit_raw(self) -> int:
        """The smallest drawdown that trips, for the current basis."""
        return self._dd_trip

    @property
    def daily_loss_limit_raw(self) -> int | None:
        return self._dl_trip

    # --- the hot path -----------------------------------------------------------------

    def evaluate(self, equity: object, now: object) -> tuple[BreakerTransition, ...]:
        """Take a new equity (int raw) at ``now`` (int ns) into account; return the
        transitions it caused (usually none). Typed ``object`` and checked here, so a float
        is refused with the field named also when compiled."""
        equity_raw = equity if type(equity) is int else _check_int("equity_raw", equity)
        ts_ns = now if type(now) is int else _check_int("ts_ns", now)
        return self.observe(equity_raw, ts_ns)

    # One flat function on purpose: each helper call would cost ~70 ns on the hot path.
    def observe(self, equity_raw: int, ts_ns: int) -> tuple[BreakerTransition, ...]:  # noqa: PLR0912
        """``evaluate`` for a caller that holds exact ints already (the risk engine): no
        argument checks, no boxing when compiled."""
        if ts_ns < self._fast_until and self._fast_lo < equity_raw <= self._fast_hi:
            # Same day (and rolling-HWM session), no new peak, no transition: bookkeeping only.
            self._last_equity = equity_raw
            if self._hwm is not None:
                self._hwm.update(equity_raw, ts_ns)
            return _NONE
        state = self._state
        if state is _TRIGGERED or state is _COOLING:
            return _NONE
        if self._rebase_pending:
            return self._rebase(equity_raw, ts_ns)
        day = (ts_ns - self._day_boundary_ns) // NANOS_PER_DAY
        if day > self._day:
            self._day = day
            self._day_start = self._last_equity
        self._last_equity = equity_raw
        hwm = self._hwm
        if hwm is None:
            peak = self._peak
            if equity_raw > peak:
                self._peak = peak = equity_raw
        else:
            self._peak = peak = hwm.update(equity_raw, ts_ns)
        if self._peak_basis and peak != self._thresholds_peak:
            self._set_drawdown_thresholds(peak)
        if state is _HALTED:
            return _NONE
        drawdown = peak - equity_raw
        dl_trip = self._dl_trip
        loss = self._day_start - equity_raw
        if drawdown >= self._dd_trip or (dl_trip is not None and loss >= dl_trip):
            transition = self._trip(equity_raw, ts_ns)
            self._fast_lo = self._fast_hi = 0
            return self._emit(transition)
        if state is _MONITORING:
            if drawdown >= self._dd_warn or (dl_trip is not None and loss >= self._dl_warn):
                return self._crossed(WARN, equity_raw, ts_ns)
        elif drawdown < self._dd_rearm and (dl_trip is None or loss < self._dl_rearm):
            return self._crossed(RECOVER, equity_raw, ts_ns)
        self._refresh_fast(ts_ns)
        return _NONE

    # --- operator actions -------------------------------------------------------------

    def cooled(self, reason: str, ts_ns: int) -> BreakerTransition:
        """TRIGGERED -> COOLING_DOWN: the flatten completed or the cool-down time passed."""
        _nonempty("reason", reason, "say what completed, e.g. 'flatten done'")
        self._fast_lo = self._fast_hi = 0
        transition = self._apply(COOLED, ts_ns, reason, "")
        self._record(transition)
        return transition

    def reset(self, operator: str, reason: str, ts_ns: int) -> BreakerTransition:
        """An operator clears a trip; the breaker re-arms, re-based, on the next equity."""
        self._check_operator(operator, reason)
        self._fast_lo = self._fast_hi = 0
        transition = self._apply(RESET, ts_ns, f"reset by {operator}: {reason}", operator)
        self._rebase_pending = True
        self._record(transition)
        return transition

    def halt(self, operator: str, reason: str, ts_ns: int) -> BreakerTransition:
        """An operator stops trading under this breaker, from any state."""
        self._check_operator(operator, reason)
        self._fast_lo = self._fast_hi = 0
        before = self._state
        transition = self._apply(HALT, ts_ns, f"halted by {operator}: {reason}", operator)
        self._halted_from = before
        self._record(transition)
        return transition

    def resume(self, operator: str, reason: str, ts_ns: int) -> BreakerTransition:
        """An operator re-enables trading after a halt (a latched trip is cleared with it)."""
        self._check_operator(operator, reason)
        self._fast_lo = self._fast_hi = 0
        latched = self._halted_from in _LATCHED
        text = f"resumed by {operator}: {reason}"
        if latched:
            text += "; this clears the latched trip (re-based on the next equity)"
        transition = self._apply(RESUME, ts_ns, text, operator)
        if latched:
            self._rebase_pending = True
        self._halted_from = None
        self._record(transition)
        return transition

    # --- persistence ------------------------------------------------------------------

    def snapshot(self) -> BreakerSnapshot:
        hwm = self._hwm
        return BreakerSnapshot(
            name=self.name,
            level=self.level,
            scope=self.scope,
            capital_raw=self._capital,
            max_drawdown=self.max_drawdown,
            daily_loss=self.daily_loss,
            warn_at=self.warn_at,
            rearm_below=self.rearm_below,
            drawdown_basis=self.drawdown_basis,
            day_boundary_ns=self._day_boundary_ns,
            state=self._state,
            trips=self._trips,
            halted_from=self._halted_from,
            rebase_pending=self._rebase_pending,
            peak_raw=self._peak,
            day=self._day,
            day_start_raw=self._day_start,
            last_equity_raw=self._last_equity,
            hwm=None if hwm is None else hwm.state(),
        )

    @classmethod
    def restore(
        cls, snapshot: BreakerSnapshot, *, journal: BreakerRecorder | None = None
    ) -> DrawdownBreaker:
        """The breaker ``snapshot`` describes, in the same state (a trip is still a trip)."""
        breaker = cls(
            snapshot.name,
            level=snapshot.level,
            scope=snapshot.scope,
            capital_raw=snapshot.capital_raw,
            max_drawdown=snapshot.max_drawdown,
            daily_loss=snapshot.daily_loss,
            warn_at=snapshot.warn_at,
            rearm_below=snapshot.rearm_below,
            drawdown_basis=snapshot.drawdown_basis,
            hwm=None if snapshot.hwm is None else RollingHighWaterMark.from_state(snapshot.hwm),
            day_boundary_ns=snapshot.day_boundary_ns,
            journal=journal,
        )
        if snapshot.trips < 0:
            raise InvalidInputError(
                "BreakerSnapshot.trips", snapshot.trips, "is negative", "restore a real snapshot"
            )
        breaker._state = snapshot.state
        breaker._trips = snapshot.trips
        breaker._halted_from = snapshot.halted_from
        breaker._rebase_pending = snapshot.rebase_pending
        breaker._peak = snapshot.peak_raw
        breaker._day = snapshot.day
        breaker._day_start = snapshot.day_start_raw
        breaker._last_equity = snapshot.last_equity_raw
        if breaker._peak_basis and not snapshot.rebase_pending:
            breaker._set_drawdown_thresholds(snapshot.peak_raw)
        return breaker

    def checkpoint(self) -> None:
        """Write the current snapshot to the journal (no-op without one)."""
        if self._journal is not None:
            self._journal.record(self.snapshot())

    # --- internals --------------------------------------------------------------------

    def _set_drawdown_thresholds(self, basis: int) -> None:
        self._thresholds_peak = basis
        self._dd_trip = _ceil(self._dd_frac, basis)
        self._dd_warn = _ceil(self._dd_warn_frac, basis)
        self._dd_rearm = _ceil(self._dd_rearm_frac, basis)

    def _refresh_fast(self, ts_ns: int) -> None:
        """Recompute the fast path's band after an evaluation at ``ts_ns`` changed something.

        ``evaluate`` returns at once, only remembering the equity (and feeding the rolling
        high-water mark), when ``ts_ns < _fast_until`` and ``_fast_lo < equity <= _fast_hi``.
        Inside that band the full path provably changes nothing else: ``_fast_until`` is the
        next day boundary (and the next rolling-HWM session start), so neither the day start
        nor the rolling window moves; ``_fast_hi <= peak``, so the peak and the thresholds
        stay; and the band lies strictly inside the no-transition region of the state:

        - MONITORING: drawdown below the warn (and trip) threshold, daily loss likewise.
        - WARNING: no trip (both losses below their trip thresholds) and no recovery (the
          drawdown or the daily loss still at or above its rearm threshold).

        Any other state, or a pending re-base, gets the empty band ``0 < e <= 0``.
        """
        state = self._state
        if (
            not self._fast
            or self._rebase_pending
            or (state is not _MONITORING and state is not _WARNING)
        ):
            self._fast_lo = self._fast_hi = 0
            return
        peak = self._peak
        if self._peak_basis and self._thresholds_peak != peak:
            self._fast_lo = self._fast_hi = 0
            return
        day_start = self._day_start
        dl_trip = self._dl_trip
        if state is _MONITORING:
            lo = peak - min(self._dd_warn, self._dd_trip)
            hi = peak
            if dl_trip is not None:
                lo = max(lo, day_start - min(self._dl_warn, dl_trip))
        else:
            lo = peak - self._dd_trip
            rearm_ceiling = peak - self._dd_rearm
            if dl_trip is not None:
                lo = max(lo, day_start - dl_trip)
                rearm_ceiling = max(rearm_ceiling, day_start - self._dl_rearm)
            hi = min(peak, rearm_ceiling)
        until = self._day_boundary_ns + (self._day + 1) * NANOS_PER_DAY
        if self._hwm is not None:
            origin, length = self._hwm_origin_ns, self._hwm_session_ns
            until = min(until, origin + ((ts_ns - origin) // length + 1) * length)
        self._fast_until = until
        if lo >= hi:
            lo = hi = 0
        self._fast_lo = lo
        self._fast_hi = hi

    def _apply(self, trigger: str, ts_ns: int, reason: str, operator: str) -> BreakerTransition:
        """Move by the table, or raise and change nothing."""
        _check_int("ts_ns", ts_ns)
        before = self._state
        after = BREAKER_TRANSITIONS.get((before, trigger))
        if after is None:
            allowed = sorted(t for (s, t) in BREAKER_TRANSITIONS if s is before)
            raise IllegalBreakerTransitionError(self.name, before.name, trigger, allowed)
        self._state = after
        return BreakerTransition(
            breaker=self.name,
            level=self.level,
            scope=self.scope,
            from_state=before,
            to_state=after,
            trigger=trigger,
            reason=reason,
            ts_ns=ts_ns,
            operator=operator,
        )

    def _record(self, *transitions: BreakerTransition) -> None:
        if self._journal is not None:
            self._journal.record(self.snapshot(), transitions)

    def _emit(self, *transitions: BreakerTransition) -> tuple[BreakerTransition, ...]:
        self._record(*transitions)
        return transitions

    @staticmethod
    def _check_operator(operator: str, reason: str) -> None:
        _nonempty("operator", operator, "pass the name of the operator who takes this action")
        _nonempty("reason", reason, "say why, e.g. 'loss reviewed with the desk head'")

    def _rebase(self, equity_raw: int, ts_ns: int) -> tuple[BreakerTransition, ...]:
        """Start (or restart) from this equity: it becomes the peak and the day start."""
        self._rebase_pending = False
        self._day = (ts_ns - self._day_boundary_ns) // NANOS_PER_DAY
        self._day_start = self._last_equity = self._peak = equity_raw
        if self._hwm is not None:
            self._hwm.reset()
            self._hwm.update(equity_raw, ts_ns)
        if self._peak_basis:
            self._set_drawdown_thresholds(equity_raw)
        state = self._state
        transitions: list[BreakerTransition] = []
        if state is _ARMED or state is _RESET:
            trigger = START if state is _ARMED else REARM
            reason = f"{trigger}: peak and day start set to equity {_money(equity_raw)}"
            transitions.append(self._apply(trigger, ts_ns, reason, ""))
        if self._dd_trip <= 0 and self._state is _MONITORING:
            # A peak at or below zero (hwm basis): any drawdown is a breach. Fail closed.
            transitions.append(self._trip(equity_raw, ts_ns))
        self._refresh_fast(ts_ns)
        return self._emit(*transitions) if transitions else _NONE

    def _figures(self, equity_raw: int) -> tuple[str, str]:
        basis = "capital" if self.drawdown_basis == "capital" else "peak"
        basis_raw = self._capital if self.drawdown_basis == "capital" else self._peak
        drawdown = (
            f"drawdown {_money(self._peak - equity_raw)} (peak {_money(self._peak)}, "
            f"equity {_money(equity_raw)}; limit {_money(self._dd_trip)} = "
            f"{_pct(self.max_drawdown)} of {basis} {_money(basis_raw)})"
        )
        daily = "no daily loss limit"
        if self.daily_loss is not None and self._dl_trip is not None:
            daily = (
                f"daily loss {_money(self._day_start - equity_raw)} (day start "
                f"{_money(self._day_start)}; limit {_money(self._dl_trip)} = "
                f"{_pct(self.daily_loss)} of capital {_money(self._capital)})"
            )
        return drawdown, daily

    def _trip(self, equity_raw: int, ts_ns: int) -> BreakerTransition:
        drawdown, daily = self._figures(equity_raw)
        hit = []
        if self._peak - equity_raw >= self._dd_trip:
            hit.append(drawdown)
        if self._dl_trip is not None and self._day_start - equity_raw >= self._dl_trip:
            hit.append(daily)
        transition = self._apply(TRIP, ts_ns, "tripped: " + "; ".join(hit), "")
        self._trips += 1
        return transition

    def _crossed(self, trigger: str, equity_raw: int, ts_ns: int) -> tuple[BreakerTransition, ...]:
        """A warning (at ``warn_at`` of a limit) or a recovery (below ``rearm_below`` of both)."""
        warn = trigger == WARN
        share = self.warn_at if warn else self.rearm_below
        dd_at, dl_at = (self._dd_warn, self._dl_warn) if warn else (self._dd_rearm, self._dl_rearm)
        at = f"drawdown {_money(dd_at)}"
        if self._dl_trip is not None:
            at += f", daily loss {_money(dl_at)}"
        drawdown, daily = self._figures(equity_raw)
        what = "warning at" if warn else "recovered below"
        reason = f"{what} {_pct(share)} of the limits ({at}): {drawdown}; {daily}"
        transition = self._apply(trigger, ts_ns, reason, "")
        self._refresh_fast(ts_ns)
        return self._emit(transition)
