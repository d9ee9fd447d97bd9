"""The contract every indicator keeps: warm-up, reset, input rejection and parameter checks."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from ironkeel.indicators import (
    ATR,
    EMA,
    MACD,
    OBV,
    RSI,
    SMA,
    VWAP,
    WMA,
    Bollinger,
    Indicator,
    RollingStd,
    RollingVWAP,
    Stochastic,
    ZScore,
)
from ironkeel.model.errors import InvalidInputError

from . import _reference as ref

_BARS = ref.bars(120, seed=3)
_BARS["volume"] += 1.0  # every bar traded: VWAP is ready at the first bar
INPUTS = {
    "x": ["close"],
    "hlc": ["high", "low", "close"],
    "hlcv": ["high", "low", "close", "volume"],
    "cv": ["close", "volume"],
}
ROWS = {kind: ref.rows(_BARS, columns) for kind, columns in INPUTS.items()}

# name: (factory, inputs, expected warmup, outputs)
CASES: dict[str, tuple[Callable[[], Indicator], str, int, tuple[str, ...]]] = {
    "SMA(5)": (lambda: SMA(5), "x", 5, ("value",)),
    "SMA(1)": (lambda: SMA(1), "x", 1, ("value",)),
    "EMA(5)": (lambda: EMA(5), "x", 5, ("value",)),
    "WMA(5)": (lambda: WMA(5), "x", 5, ("value",)),
    "RSI(5)": (lambda: RSI(5), "x", 6, ("value",)),
    "RSI(1)": (lambda: RSI(1), "x", 2, ("value",)),
    "MACD(3,6,4)": (
        lambda: MACD(fast=3, slow=6, signal=4),
        "x",
        9,
        ("value", "macd", "signal", "histogram"),
    ),
    "Stochastic(5,3)": (
        lambda: Stochastic(k_period=5, d_period=3),
        "hlc",
        7,
        ("value", "k", "d"),
    ),
    "ATR(5)": (lambda: ATR(5), "hlc", 5, ("value",)),
    "Bollinger(5)": (lambda: Bollinger(5), "x", 5, ("value", "middle", "upper", "lower")),
    "RollingStd(5)": (lambda: RollingStd(5), "x", 5, ("value", "mean", "variance")),
    "RollingStd(1,ddof=0)": (lambda: RollingStd(1, ddof=0), "x", 1, ("value",)),
    "ZScore(5)": (lambda: ZScore(5), "x", 5, ("value", "mean", "std")),
    "VWAP": (VWAP, "hlcv", 1, ("value",)),
    "RollingVWAP(5)": (lambda: RollingVWAP(5), "hlcv", 5, ("value",)),
    "OBV": (OBV, "cv", 1, ("value",)),
}
NAMES = list(CASES)


def outputs(indicator: Indicator, names: tuple[str, ...]) -> list[float]:
    return [getattr(indicator, name) for name in names]


def run(indicator: Indicator, rows: list[tuple[float, ...]]) -> list[str]:
    """Every update's value (its exact repr: nan equals nan), ready and count."""
    update = indicator.update  # type: ignore[attr-defined]
    seen = []
    for row in rows:
        update(*row)
        seen.append(f"{indicator.value!r} {indicator.ready} {indicator.count}")
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_when_one_update_short_of_warmup_then_not_ready_and_every_output_nan(name: str) -> None:
    factory, kind, warmup, names = CASES[name]
    indicator = factory()
    assert indicator.warmup == warmup
    assert (indicator.ready, indicator.count) == (False, 0)
    for row in ROWS[kind][: warmup - 1]:
        indicator.update(*row)  # type: ignore[attr-defined]
        assert not indicator.ready
        assert all(math.isnan(v) for v in outputs(indicator, names))
    indicator.update(*ROWS[kind][warmup - 1])  # type: ignore[attr-defined]
    assert indicator.ready
    assert indicator.count == warmup
    assert all(math.isfinite(v) for v in outputs(indicator, names))


@pytest.mark.parametrize("period", [1, 2, 7, 33])
@pytest.mark.parametrize("kind", [SMA, EMA, WMA, RollingStd, ZScore, Bollinger, ATR, RollingVWAP])
def test_when_period_updates_then_ready_and_not_before(kind: type, period: int) -> None:
    if kind in (RollingStd, ZScore) and period == 1:
        period = 2  # the sample std (ddof=1) needs two values
    indicator = kind(period)
    rows = ROWS["hlc" if kind is ATR else "hlcv" if kind is RollingVWAP else "x"]
    for row in rows[: period - 1]:
        indicator.update(*row)
    assert not indicator.ready
    indicator.update(*rows[period - 1])
    assert indicator.ready


@pytest.mark.parametrize("name", NAMES)
def test_when_reset_then_fresh_and_replays_identically(name: str) -> None:
    factory, kind, _, names = CASES[name]
    used, fresh = factory(), factory()
    run(used, ROWS[kind][:50])
    used.reset()
    assert (used.ready, used.count) == (False, 0)
    assert all(math.isnan(v) for v in outputs(used, names))
    assert run(used, ROWS[kind]) == run(fresh, ROWS[kind])


def _bad_input_cases() -> list[tuple[str, int, float]]:
    return [
        (name, position, bad)
        for name, (_, kind, _, _) in CASES.items()
        for position in range(len(INPUTS[kind]))
        for bad in (math.nan, math.inf, -math.inf)
    ]


@pytest.mark.parametrize(("name", "position", "bad"), _bad_input_cases())
def test_when_input_not_finite_then_rejected_naming_the_indicator_and_nothing_changes(
    name: str, position: int, bad: float
) -> None:
    factory, kind, _, _ = CASES[name]
    rows = ROWS[kind]
    indicator, clean = factory(), factory()
    before = run(indicator, rows[:20])
    assert before == run(clean, rows[:20])
    row = list(rows[20])
    row[position] = bad
    with pytest.raises(InvalidInputError) as caught:
        indicator.update(*row)  # type: ignore[attr-defined]
    argument = "x" if kind == "x" else INPUTS[kind][position]
    assert caught.value.field.startswith(name.partition("(")[0])
    assert caught.value.field.endswith(f".update({argument})")
    assert "finite" in caught.value.problem
    assert indicator.count == 20
    assert run(indicator, rows[20:]) == run(clean, rows[20:])


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[1] in ("hlc", "hlcv")])
def test_when_low_above_high_then_rejected(name: str) -> None:
    factory, kind, _, _ = CASES[name]
    indicator = factory()
    row = (9.0, 10.0, *ROWS[kind][0][2:])
    with pytest.raises(InvalidInputError, match=r"update\(low\)=10\.0: is above high=9\.0"):
        indicator.update(*row)  # type: ignore[attr-defined]
    assert indicator.count == 0


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[1] in ("cv", "hlcv")])
def test_when_volume_negative_then_rejected(name: str) -> None:
    factory, kind, _, _ = CASES[name]
    indicator = factory()
    row = (*ROWS[kind][0][:-1], -1.0)
    with pytest.raises(InvalidInputError, match=r"update\(volume\)=-1\.0: is negative"):
        indicator.update(*row)  # type: ignore[attr-defined]
    assert indicator.count == 0


BAD_PARAMETERS: list[tuple[Callable[[], object], str]] = [
    (lambda: SMA(0), "SMA.period"),
    (lambda: SMA(-3), "SMA.period"),
    (lambda: SMA(2.5), "SMA.period"),  # type: ignore[arg-type]
    (lambda: SMA(True), "SMA.period"),
    (lambda: SMA("20"), "SMA.period"),  # type: ignore[arg-type]
    (lambda: EMA(0), "EMA.period"),
    (lambda: WMA(0), "WMA.period"),
    (lambda: RSI(0), "RSI.period"),
    (lambda: MACD(fast=0), "MACD.fast"),
    (lambda: MACD(slow=0), "MACD.slow"),
    (lambda: MACD(signal=0), "MACD.signal"),
    (lambda: MACD(fast=26, slow=12), "MACD.fast"),
    (lambda: MACD(fast=12, slow=12), "MACD.fast"),
    (lambda: Stochastic(k_period=0), "Stochastic.k_period"),
    (lambda: Stochastic(d_period=0), "Stochastic.d_period"),
    (lambda: ATR(0), "ATR.period"),
    (lambda: Bollinger(0), "Bollinger.period"),
    (lambda: Bollinger(20, k=0.0), "Bollinger.k"),
    (lambda: Bollinger(20, k=-2.0), "Bollinger.k"),
    (lambda: Bollinger(20, k=math.nan), "Bollinger.k"),
    (lambda: Bollinger(20, k="2"), "Bollinger.k"),  # type: ignore[arg-type]
    (lambda: RollingStd(1), "RollingStd.period"),
    (lambda: RollingStd(5, ddof=-1), "RollingStd.ddof"),
    (lambda: ZScore(1), "ZScore.period"),
    (lambda: ZScore(3, ddof=3), "ZScore.period"),
    (lambda: ZScore(3, ddof=-1), "ZScore.ddof"),
    (lambda: RollingVWAP(0), "RollingVWAP.period"),
]


@pytest.mark.parametrize(("make", "field"), BAD_PARAMETERS, ids=[f for _, f in BAD_PARAMETERS])
def test_when_parameter_invalid_then_error_names_the_field_and_the_fix(
    make: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        make()
    assert caught.value.field == field
    assert caught.value.fix


def test_when_period_below_ddof_then_the_message_says_why() -> None:
    with pytest.raises(InvalidInputError, match=r"must be >= 2 \(more than ddof=1\)"):
        RollingStd(1)


@pytest.mark.parametrize("name", NAMES)
def test_repr_names_the_indicator(name: str) -> None:
    factory, _, _, _ = CASES[name]
    assert repr(factory()).startswith(name.partition("(")[0])
