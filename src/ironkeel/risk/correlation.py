"""Rolling correlation of strategy returns, and the guard that halves correlated strategies' limits.

Three small pieces, floats throughout (this is analytics; the only exact output
is the limit scale, a ``Fraction``):

- ``ReturnSampler`` samples every strategy's equity on one time grid (every
  ``sample_ns``, default one minute) and turns the samples into simple returns
  ``equity_k / equity_(k-1) - 1``. A strategy without a new equity in a sample
  keeps its last one (a zero return), so all strategies stay aligned sample by
  sample. A strategy whose previous sampled equity is zero or negative has no
  return for that sample.
- ``RollingCorrelation`` is the Pearson correlation of one pair over its last
  ``window`` joint samples, in O(1) per sample from running sums of the values
  minus a shift (the window means at the last exact recomputation). Every
  ``window`` samples the sums are recomputed exactly (``math.fsum``) from the
  window's values, so rounding drift never builds up; so are they, at once, when
  a variance has become tiny next to values that went through the sums (a level
  shift), where the running sums would have lost digits. A window whose values of
  either series are all identical (zero variance) has no correlation (None).
- ``CorrelationGuard`` keeps one ``RollingCorrelation`` per pair. A pair whose
  correlation rises above ``threshold`` (0.85) is breached: ``CorrelationBreached``,
  and both strategies' ``limit_scale`` becomes 1/2 (halved once, however many
  breached pairs a strategy is in). The pair is released (``CorrelationReleased``)
  only when its correlation falls below ``release_below`` (0.70): hysteresis, so
  a correlation hovering at 0.85 does not flap. A pair with fewer than
  ``min_samples`` joint samples, or zero variance, has no correlation: it never
  breaches, and a breached pair whose correlation becomes undefined (a strategy
  stopped moving) is released.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Final

import msgspec

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import StrategyId

__all__ = [
    "CorrelationBreached",
    "CorrelationGuard",
    "CorrelationReleased",
    "ReturnSample",
    "ReturnSampler",
    "RollingCorrelation",
]

NANOS_PER_MINUTE: Final = 60 * 10**9
#: Recompute when a variance is below this x window x the largest squared deviation seen:
#: the running sums' relative error then stays near 1e-9.
_ILL_CONDITIONED: Final = 1e-7
FULL: Final = Fraction(1)
HALF: Final = Fraction(1, 2)

Pair = tuple[StrategyId, StrategyId]


class ReturnSample(msgspec.Struct, frozen=True, kw_only=True):
    """The simple returns of the strategies over one sample period ending at ``ts_ns``."""

    index: int
    ts_ns: int
    returns: dict[StrategyId, float]


class CorrelationBreached(msgspec.Struct, frozen=True, kw_only=True):
    """A pair's correlation rose above the threshold: both strategies' limits are halved."""

    pair: tuple[StrategyId, StrategyId]
    rho: float
    threshold: float
    ts_ns: int


class CorrelationReleased(msgspec.Struct, frozen=True, kw_only=True):
    """A breached pair's correlation fell below the release level (None: it became undefined)."""

    pair: tuple[StrategyId, StrategyId]
    rho: float | None
    release_below: float
    ts_ns: int


CorrelationEvent = CorrelationBreached | CorrelationReleased


def _positive(field: str, value: object, fix: str) -> int:
    if type(value) is not int or value <= 0:
        raise InvalidInputError(field, value, "must be a positive int", fix)
    return value


class ReturnSampler:
    """Samples equities on a ``sample_ns`` grid and emits one ``ReturnSample`` per period."""

    __slots__ = ("_bucket", "_latest", "_max_fill", "_previous", "_sample_ns")

    def __init__(self, sample_ns: int = NANOS_PER_MINUTE, *, max_fill: int | None = None) -> None:
        self._sample_ns = _positive("sample_ns", sample_ns, "pass e.g. 60 * 10**9 (one minute)")
        if max_fill is not None:
            _positive("max_fill", max_fill, "pass the correlation window, or None")
        #: After a gap, at most this many zero-return samples are emitted (None: all).
        self._max_fill = max_fill
        self._bucket: int | None = None
        self._latest: dict[StrategyId, int] = {}
        self._previous: dict[StrategyId, int] = {}

    @property
    def sample_ns(self) -> int:
        return self._sample_ns

    def observe(
        self, strategy: StrategyId, equity_raw: int, ts_ns: int
    ) -> tuple[ReturnSample, ...]:
        """Record a strategy's equity; return the samples of the periods that closed before it."""
        samples = self.advance(ts_ns)
        self._latest[strategy] = equity_raw
        return samples

    def forget(self, strategy: StrategyId) -> None:
        self._latest.pop(strategy, None)
        self._previous.pop(strategy, None)

    def advance(self, ts_ns: int) -> tuple[ReturnSample, ...]:
        """Close every period that ended at or before ``ts_ns``; return their samples."""
        bucket = ts_ns // self._sample_ns
        first = self._bucket
        if first is None or bucket <= first:
            if first is None:
                self._bucket = bucket
            return ()
        self._bucket = bucket
        samples = [self._close(first)]
        idle = bucket - first - 1
        if self._max_fill is not None:
            idle = min(idle, self._max_fill)
        flat = {s: 0.0 for s, equity in self._previous.items() if equity > 0}
        samples += [self._sample(k, dict(flat)) for k in range(bucket - idle, bucket)]
        return tuple(samples)

    def _close(self, bucket: int) -> ReturnSample:
        previous = self._previous
        returns = {
            s: equity / previous[s] - 1.0
            for s, equity in self._latest.items()
            if previous.get(s, 0) > 0
        }
        self._previous = dict(self._latest)
        return self._sample(bucket, returns)

    def _sample(self, bucket: int, returns: dict[StrategyId, float]) -> ReturnSample:
        return ReturnSample(index=bucket, ts_ns=(bucket + 1) * self._sample_ns, returns=returns)


class RollingCorrelation:
    """Pearson correlation of one pair over its last ``window`` samples, O(1) per sample."""

    __slots__ = (
        "_big_x",
        "_big_y",
        "_kx",
        "_ky",
        "_last_x",
        "_last_y",
        "_n",
        "_next",
        "_run_x",
        "_run_y",
        "_since",
        "_sx",
        "_sxx",
        "_sxy",
        "_sy",
        "_syy",
        "_window",
        "_xs",
        "_ys",
    )

    def __init__(self, window: int) -> None:
        if type(window) is not int or window < 2:
            raise InvalidInputError(
                "window", window, "must be an int >= 2", "pass the number of samples, e.g. 30"
            )
        self._window = window
        self._xs = [0.0] * window
        self._ys = [0.0] * window
        self._next = self._n = self._since = 0
        self._kx = self._ky = 0.0
        self._sx = self._sy = self._sxx = self._syy = self._sxy = 0.0
        self._run_x = self._run_y = 0
        self._last_x = self._last_y = math.nan
        #: The largest squared deviation from the shift added or removed since the last
        #: recomputation: it bounds the rounding error the running sums may carry.
        self._big_x = self._big_y = 0.0

    @property
    def count(self) -> int:
        """How many samples the window holds (at most ``window``)."""
        return self._n

    def add(self, x: float, y: float) -> None:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise InvalidInputError(
                "sample", (x, y), "is not finite", "pass finite returns; drop NaN and inf first"
            )
        if self._n == 0 and self._since == 0:
            self._kx, self._ky = x, y  # shift by the first sample until the first recomputation
        i = self._next
        kx, ky = self._kx, self._ky
        if self._n == self._window:
            dx, dy = self._xs[i] - kx, self._ys[i] - ky
            ax, ay = dx * dx, dy * dy
            self._sx -= dx
            self._sy -= dy
            self._sxx -= ax
            self._syy -= ay
            self._sxy -= dx * dy
            self._big_x = max(self._big_x, ax)
            self._big_y = max(self._big_y, ay)
        else:
            self._n += 1
        self._xs[i], self._ys[i] = x, y
        self._next = (i + 1) % self._window
        dx, dy = x - kx, y - ky
        ax, ay = dx * dx, dy * dy
        self._sx += dx
        self._sy += dy
        self._sxx += ax
        self._syy += ay
        self._sxy += dx * dy
        self._big_x = max(self._big_x, ax)
        self._big_y = max(self._big_y, ay)
        self._run_x = self._run_x + 1 if x == self._last_x else 1
        self._run_y = self._run_y + 1 if y == self._last_y else 1
        self._last_x, self._last_y = x, y
        self._since += 1
        if self._since >= self._window:
            self._recompute()

    def _recompute(self) -> None:
        """Exact sums of the window, shifted by its means (stable for any level of the data)."""
        n, window = self._n, self._window
        start = (self._next - n) % window
        xs = [self._xs[(start + j) % window] for j in range(n)]
        ys = [self._ys[(start + j) % window] for j in range(n)]
        kx, ky = math.fsum(xs) / n, math.fsum(ys) / n
        dxs = [x - kx for x in xs]
        dys = [y - ky for y in ys]
        self._kx, self._ky = kx, ky
        self._sx, self._sy = math.fsum(dxs), math.fsum(dys)
        self._sxx = math.fsum(d * d for d in dxs)
        self._syy = math.fsum(d * d for d in dys)
        self._sxy = math.fsum(a * b for a, b in zip(dxs, dys, strict=True))
        self._big_x = max(d * d for d in dxs)
        self._big_y = max(d * d for d in dys)
        self._since = 0

    @property
    def value(self) -> float | None:
        """The correlation in [-1, 1], or None (fewer than 2 samples, or zero variance)."""
        n = self._n
        if n < 2 or self._run_x >= n or self._run_y >= n:
            return None
        var_x = self._sxx - self._sx * self._sx / n
        var_y = self._syy - self._sy * self._sy / n
        ill = _ILL_CONDITIONED * self._window
        if var_x < ill * self._big_x or var_y < ill * self._big_y:
            # Values far from today's spread went through the sums (a level shift): the
            # rounding they left could be felt, so recompute exactly (O(window), rare).
            self._recompute()
            var_x = self._sxx - self._sx * self._sx / n
            var_y = self._syy - self._sy * self._sy / n
        if var_x <= 0.0 or var_y <= 0.0:
            return None
        rho = (self._sxy - self._sx * self._sy / n) / (math.sqrt(var_x) * math.sqrt(var_y))
        return max(-1.0, min(1.0, rho))


class CorrelationGuard:
    """Halves the limits of both strategies of any pair correlated above ``threshold``."""

    def __init__(
        self,
        *,
        threshold: float = 0.85,
        release_below: float = 0.70,
        window_ns: int = 30 * NANOS_PER_MINUTE,
        sample_ns: int = NANOS_PER_MINUTE,
        min_samples: int | None = None,
    ) -> None:
        _positive("sample_ns", sample_ns, "pass e.g. 60 * 10**9 (one minute)")
        _positive("window_ns", window_ns, "pass e.g. 30 * 60 * 10**9 (30 minutes)")
        window = window_ns // sample_ns
        if window < 2 or window_ns % sample_ns:
            raise InvalidInputError(
                "window_ns",
                window_ns,
                f"is not a whole number (>= 2) of samples of {sample_ns} ns",
                "pass a multiple of sample_ns, e.g. 30 minutes of 1-minute samples",
            )
        if not (-1.0 < release_below < threshold <= 1.0):
            raise InvalidInputError(
                "release_below",
                (release_below, threshold),
                "must satisfy -1 < release_below < threshold <= 1",
                "pass e.g. threshold=0.85, release_below=0.70",
            )
        if min_samples is None:
            min_samples = window
        if type(min_samples) is not int or not 2 <= min_samples <= window:
            raise InvalidInputError(
                "min_samples", min_samples, f"must be an int in [2, {window}]", "pass e.g. 20"
            )
        self.threshold = threshold
        self.release_below = release_below
        self.window = window
        self.min_samples = min_samples
        self._sampler = ReturnSampler(sample_ns, max_fill=window)
        self._pairs: dict[Pair, RollingCorrelation] = {}
        self._breached: set[Pair] = set()
        self._breaches: dict[StrategyId, int] = {}

    # --- feeding ----------------------------------------------------------------------

    def observe(
        self, strategy: StrategyId, equity_raw: int, ts_ns: int
    ) -> tuple[CorrelationEvent, ...]:
        """A strategy's equity changed: sample it and check the pairs of every closed period."""
        return self._feed(self._sampler.observe(strategy, equity_raw, ts_ns))

    def advance(self, ts_ns: int) -> tuple[CorrelationEvent, ...]:
        """Time passed (a timer): close the periods that ended and check the pairs."""
        return self._feed(self._sampler.advance(ts_ns))

    def add_returns(
        self, returns: Mapping[StrategyId, float], ts_ns: int
    ) -> tuple[CorrelationEvent, ...]:
        """One aligned sample of returns (bypassing the sampler): update and check every pair."""
        ids = sorted(returns, key=str)
        events: list[CorrelationEvent] = []
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pair = (a, b)
                corr = self._pairs.get(pair)
                if corr is None:
                    corr = self._pairs[pair] = RollingCorrelation(self.window)
                corr.add(returns[a], returns[b])
                event = self._check(pair, corr, ts_ns)
                if event is not None:
                    events.append(event)
        return tuple(events)

    def remove(self, strategy: StrategyId, ts_ns: int) -> tuple[CorrelationEvent, ...]:
        """A strategy stopped: release its breached pairs and forget its windows."""
        self._sampler.forget(strategy)
        events: list[CorrelationEvent] = []
        for pair in sorted(
            (p for p in self._pairs if strategy in p), key=lambda p: (str(p[0]), str(p[1]))
        ):
            if pair in self._breached:
                events.append(self._release(pair, None, ts_ns))
            del self._pairs[pair]
        return tuple(events)

    # --- reading ----------------------------------------------------------------------

    def rho(self, a: StrategyId, b: StrategyId) -> float | None:
        """The pair's correlation, or None (too few samples, zero variance, unknown pair)."""
        corr = self._pairs.get(self._key(a, b))
        if corr is None or corr.count < self.min_samples:
            return None
        return corr.value

    def is_breached(self, a: StrategyId, b: StrategyId) -> bool:
        return self._key(a, b) in self._breached

    @property
    def breached_pairs(self) -> frozenset[Pair]:
        return frozenset(self._breached)

    def limit_scale(self, strategy: StrategyId) -> Fraction:
        """1/2 while the strategy is in a breached pair, else 1 (exact)."""
        return HALF if self._breaches.get(strategy) else FULL

    # --- internals --------------------------------------------------------------------

    @staticmethod
    def _key(a: StrategyId, b: StrategyId) -> Pair:
        return (a, b) if str(a) <= str(b) else (b, a)

    def _feed(self, samples: tuple[ReturnSample, ...]) -> tuple[CorrelationEvent, ...]:
        events: list[CorrelationEvent] = []
        for sample in samples:
            events += self.add_returns(sample.returns, sample.ts_ns)
        return tuple(events)

    def _check(self, pair: Pair, corr: RollingCorrelation, ts_ns: int) -> CorrelationEvent | None:
        rho = corr.value if corr.count >= self.min_samples else None
        if pair not in self._breached:
            if rho is not None and rho > self.threshold:
                self._breached.add(pair)
                for s in pair:
                    self._breaches[s] = self._breaches.get(s, 0) + 1
                return CorrelationBreached(
                    pair=pair, rho=rho, threshold=self.threshold, ts_ns=ts_ns
                )
            return None
        if rho is None or rho < self.release_below:
            return self._release(pair, rho, ts_ns)
        return None

    def _release(self, pair: Pair, rho: float | None, ts_ns: int) -> CorrelationReleased:
        self._breached.discard(pair)
        for s in pair:
            left = self._breaches[s] - 1
            if left:
                self._breaches[s] = left
            else:
                del self._breaches[s]
        return CorrelationReleased(
            pair=pair, rho=rho, release_below=self.release_below, ts_ns=ts_ns
        )
