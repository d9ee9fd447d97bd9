"""Reference definitions computed with pandas/numpy over a whole series, and the test data.

Each reference is the textbook formula written with vectorized pandas/numpy, independent
of the incremental code. Seeded smoothings (EMA, Wilder) use pandas
``ewm(alpha=..., adjust=False)`` on the series whose first ``period`` values are replaced
by their mean: the first output is then that mean (the SMA seed) and every later one is
``(1 - alpha) * previous + alpha * x``, exactly the seeded definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

RTOL = 1e-9
ATOL = 1e-9


def assert_matches(actual: Iterable[float], expected: Iterable[float]) -> None:
    """Equal within 1e-9 (relative or absolute), with nan exactly where the reference has nan."""
    np.testing.assert_allclose(
        np.asarray(list(actual), dtype=float),
        np.asarray(list(expected), dtype=float),
        rtol=RTOL,
        atol=ATOL,
    )


# --- test data ----------------------------------------------------------------------------


def random_walk(size: int, seed: int, *, level: float = 100.0, step: float = 1.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(level + np.cumsum(rng.normal(0.0, step, size)))


def bars(size: int = 1500, seed: int = 7) -> pd.DataFrame:
    """Random OHLCV bars: closes rounded to 0.1 (some unchanged), ~5% bars without volume."""
    rng = np.random.default_rng(seed)
    close = np.round(500.0 + np.cumsum(rng.normal(0.0, 1.0, size)), 1)
    open_ = np.concatenate([[close[0]], close[:-1]])
    high = np.maximum(open_, close) + np.abs(rng.normal(0.0, 0.5, size))
    low = np.minimum(open_, close) - np.abs(rng.normal(0.0, 0.5, size))
    volume = np.floor(rng.exponential(1000.0, size)) * (rng.random(size) > 0.05)
    return pd.DataFrame({"high": high, "low": low, "close": close, "volume": volume})


def with_flat_stretch(x: pd.Series, start: int, length: int) -> pd.Series:
    """``x`` with ``length`` identical values from ``start``: windows inside it have std 0."""
    out = x.copy()
    out.iloc[start : start + length] = out.iloc[start]
    return out


def rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[float, ...]]:
    """The update arguments, one tuple of plain floats per bar."""
    return list(zip(*(frame[c].tolist() for c in columns), strict=True))


def feed(
    indicator: object, args: Sequence[tuple[float, ...]], *outputs: str
) -> dict[str, list[float]]:
    """Update with every row and record the named outputs after each update."""
    update = indicator.update  # type: ignore[attr-defined]
    seen: dict[str, list[float]] = {name: [] for name in outputs}
    for row in args:
        update(*row)
        for name in outputs:
            seen[name].append(getattr(indicator, name))
    return seen


# --- references ---------------------------------------------------------------------------


def seeded_ewm(x: pd.Series, period: int, alpha: float) -> pd.Series:
    """``period`` values' mean at index ``period - 1``, then ``(1 - alpha) * prev + alpha * x``."""
    seeded = x.copy()
    seeded.iloc[:period] = x.iloc[:period].mean()
    out = seeded.ewm(alpha=alpha, adjust=False).mean()
    out.iloc[: period - 1] = np.nan
    return out


def sma(x: pd.Series, period: int) -> pd.Series:
    return x.rolling(period).mean()


def ema(x: pd.Series, period: int) -> pd.Series:
    return seeded_ewm(x, period, 2.0 / (period + 1))


def wma(x: pd.Series, period: int) -> np.ndarray:
    weights = np.arange(1, period + 1, dtype=float)
    windows = sliding_window_view(x.to_numpy(), period)
    return np.concatenate([np.full(period - 1, np.nan), windows @ weights / weights.sum()])


def rsi(x: pd.Series, period: int) -> pd.Series:
    change = x.diff()
    gain = seeded_ewm(change.clip(lower=0.0).iloc[1:], period, 1.0 / period)
    loss = seeded_ewm((-change).clip(lower=0.0).iloc[1:], period, 1.0 / period)
    with np.errstate(divide="ignore"):
        strength = gain / loss
    return (100.0 - 100.0 / (1.0 + strength)).reindex(x.index)


def macd(x: pd.Series, fast: int, slow: int, signal: int) -> pd.DataFrame:
    line = ema(x, fast) - ema(x, slow)
    signal_line = ema(line.dropna(), signal).reindex(x.index)
    line = line.where(signal_line.notna())
    return pd.DataFrame({"macd": line, "signal": signal_line, "histogram": line - signal_line})


def true_range(frame: pd.DataFrame) -> pd.Series:
    prev = frame["close"].shift(1)
    parts = [
        frame["high"] - frame["low"],
        (frame["high"] - prev).abs(),
        (frame["low"] - prev).abs(),
    ]
    return pd.concat(parts, axis=1).max(axis=1)


def atr(frame: pd.DataFrame, period: int) -> pd.Series:
    return seeded_ewm(true_range(frame), period, 1.0 / period)


def _padded(values: np.ndarray, period: int) -> np.ndarray:
    return np.concatenate([np.full(period - 1, np.nan), values])


def window_mean(x: pd.Series, period: int) -> np.ndarray:
    """Each window's mean, numpy's pairwise sum / period."""
    return _padded(sliding_window_view(x.to_numpy(), period).mean(axis=1), period)


def window_std(x: pd.Series, period: int, ddof: int) -> np.ndarray:
    """Each window's std by numpy's two-pass formula: the definition, at full precision.

    pandas ``rolling(period).std(ddof=ddof)`` is the same definition computed online; it
    agrees to ~1e-10 on well-spread windows but not in nearly constant ones (a window of
    equal values can come out as 4e-6 instead of 0 after large values), so the precise
    references are numpy's and pandas is compared separately on a series without such
    windows. A window of equal values has a std of exactly 0 (numpy's rounded mean would
    leave ~3e-14).
    """
    windows = sliding_window_view(x.to_numpy(), period)
    constant = windows.min(axis=1) == windows.max(axis=1)  # numpy's rounded mean: 3e-14
    return _padded(np.where(constant, 0.0, windows.std(axis=1, ddof=ddof)), period)


def zscore(x: pd.Series, period: int, ddof: int) -> np.ndarray:
    """``(x - mean) / std`` of each window, nan where the std is 0."""
    std = window_std(x, period, ddof)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x.to_numpy() - window_mean(x, period)) / std
    return np.where(std == 0.0, np.nan, z)


def bollinger(x: pd.Series, period: int, k: float) -> pd.DataFrame:
    middle = window_mean(x, period)
    std = window_std(x, period, 0)
    return pd.DataFrame({"middle": middle, "upper": middle + k * std, "lower": middle - k * std})


def typical_price(frame: pd.DataFrame) -> pd.Series:
    return (frame["high"] + frame["low"] + frame["close"]) / 3.0


def vwap(frame: pd.DataFrame) -> pd.Series:
    weighted = typical_price(frame) * frame["volume"]
    return weighted.cumsum() / frame["volume"].cumsum()


def rolling_vwap(frame: pd.DataFrame, period: int) -> pd.Series:
    weighted = typical_price(frame) * frame["volume"]
    return weighted.rolling(period).sum() / frame["volume"].rolling(period).sum()


def obv(frame: pd.DataFrame) -> pd.Series:
    change = frame["close"].diff().fillna(0.0)
    direction = change.gt(0.0).astype(float) - change.lt(0.0).astype(float)
    return (direction * frame["volume"]).cumsum()


def stochastic(frame: pd.DataFrame, k_period: int, d_period: int) -> pd.DataFrame:
    lowest = frame["low"].rolling(k_period).min()
    highest = frame["high"].rolling(k_period).max()
    spread = highest - lowest
    k = (100.0 * (frame["close"] - lowest) / spread).where(spread > 0, 50.0)
    k = k.where(lowest.notna())
    d = k.rolling(d_period).mean()
    return pd.DataFrame({"k": k.where(d.notna()), "d": d})
