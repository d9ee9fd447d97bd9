"""Configuration and model objects validate their inputs and say how to fix them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironkeel.model import InvalidInputError
from ironkeel.venues.sim import FillModel, LatencyModel, SimConfig


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(
            lambda: SimConfig(max_participation=Decimal(0)),
            "SimConfig.max_participation",
            id="zero-share",
        ),
        pytest.param(
            lambda: SimConfig(max_participation=Decimal("1.5")),
            "SimConfig.max_participation",
            id="share-above-one",
        ),
        pytest.param(
            lambda: SimConfig(max_participation=0.1),
            "SimConfig.max_participation",
            id="float-share",
        ),
        pytest.param(
            lambda: SimConfig(session_end_ns=-1),
            "SimConfig.session_end_ns",
            id="negative-session-end",
        ),
        pytest.param(
            lambda: SimConfig(session_end_ns=86_400 * 10**9),
            "SimConfig.session_end_ns",
            id="session-end-a-day",
        ),
        pytest.param(
            lambda: SimConfig(fill_on_close=1),
            "SimConfig.fill_on_close",
            id="fill-on-close-not-bool",
        ),
        pytest.param(
            lambda: SimConfig.from_dict({"max_participaton": "0.1"}),
            "SimConfig.max_participaton",
            id="misspelt-key",
        ),
        pytest.param(
            lambda: LatencyModel(submit_ns=-1), "LatencyModel.submit_ns", id="negative-latency"
        ),
        pytest.param(
            lambda: LatencyModel(cancel_ns=0.5), "LatencyModel.cancel_ns", id="float-latency"
        ),
        pytest.param(
            lambda: FillModel(touch_probability="1.5"),
            "FillModel.touch_probability",
            id="probability-above-one",
        ),
        pytest.param(
            lambda: FillModel(fill_on_touch=False, touch_probability="0.5"),
            "FillModel.touch_probability",
            id="probability-without-touch-fills",
        ),
        pytest.param(lambda: FillModel(seed="x"), "FillModel.seed", id="seed-not-int"),
    ],
)
def test_invalid_inputs_are_refused_with_field(build: object, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()  # type: ignore[operator]

    assert info.value.field == field
    assert info.value.fix


def test_misspelt_key_suggests_the_closest() -> None:
    with pytest.raises(InvalidInputError, match="did you mean 'max_participation'"):
        SimConfig.from_dict({"max_participaton": "0.1"})


def test_config_from_dict_reads_decimal_strings() -> None:
    config = SimConfig.from_dict({"max_participation": "0.1", "fill_on_close": True})

    assert config == SimConfig(max_participation=Decimal("0.1"), fill_on_close=True)
    assert config.participation_cap(55) == 5


def test_latency_from_dict() -> None:
    assert LatencyModel.from_dict({"submit_ns": 5}) == LatencyModel(submit_ns=5)


def test_config_is_frozen_and_keyword_only() -> None:
    config = SimConfig()

    with pytest.raises(AttributeError):
        config.fill_on_close = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        SimConfig(True)  # type: ignore[misc]


def test_fill_model_draws_are_seeded() -> None:
    def draws(seed: int) -> list[bool]:
        model = FillModel(touch_probability="0.3", seed=seed)
        return [model.touch_fills() for _ in range(50)]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    assert not any(FillModel(fill_on_touch=False).touch_fills() for _ in range(3))
    assert all(FillModel().touch_fills() for _ in range(3))
