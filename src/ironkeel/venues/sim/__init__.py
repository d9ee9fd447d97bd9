"""The simulated exchange: a venue adapter with pluggable fill, slippage, fee, latency
and fault models. See ``exchange`` for timing, ``matching`` for the matching rules,
``fees``/``slippage``/``fills`` for the models and ``faults`` for fault injection.
"""

from ironkeel.venues.sim.config import SimConfig
from ironkeel.venues.sim.exchange import SimulatedExchange
from ironkeel.venues.sim.faults import FaultPlan, Outage, OutageMode
from ironkeel.venues.sim.fees import (
    BpsFee,
    FeeModel,
    MakerTakerFee,
    NoFee,
    PerUnitFee,
    order_commission_raw,
)
from ironkeel.venues.sim.fills import FillModel, TouchPolicy
from ironkeel.venues.sim.latency import LatencyModel
from ironkeel.venues.sim.path import bar_path
from ironkeel.venues.sim.records import SimOrder
from ironkeel.venues.sim.slippage import (
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SlipContext,
    SlippageModel,
    SquareRootImpactSlippage,
    VolumeShareSlippage,
)

__all__ = [
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
]
