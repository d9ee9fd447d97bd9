"""The public API of ironkeel.venues.sim is explicit and pinned."""

from __future__ import annotations

import ironkeel.venues.sim as sim

EXPECTED = {
    "BpsFee",
    "FaultPlan",
    "FeeModel",
    "FillModel",
    "FixedBpsSlippage",
    "HalfSpreadSlippage",
    "LatencyModel",
    "MakerTakerFee",
    "NoFee",
    "NoSlippage",
    "Outage",
    "OutageMode",
    "PerUnitFee",
    "SimConfig",
    "SimOrder",
    "SimulatedExchange",
    "SlipContext",
    "SlippageModel",
    "SquareRootImpactSlippage",
    "TouchPolicy",
    "VolumeShareSlippage",
    "bar_path",
    "order_commission_raw",
}


def test_public_names_are_pinned() -> None:
    assert set(sim.__all__) == EXPECTED
    for name in sim.__all__:
        assert getattr(sim, name) is not None
