"""Pre-trade controls: small policy objects behind one method, ``check(order, view)``.

Each is set up once (limits in lots, ticks and money raw, ratios as exact integer
fractions) and then does a few integer operations per order. ``build_controls``
(``ironkeel.risk.config``) assembles them per (strategy, instrument) into a ``ControlSet``.
"""

from ironkeel.risk.controls.assembly import (
    Assembly,
    InstrumentScope,
    Rate,
    ScopeLimits,
    assemble,
)
from ironkeel.risk.controls.base import (
    Control,
    Denial,
    ReasonCode,
    emergency_exit,
    order_price,
    reduces,
)
from ironkeel.risk.controls.collar import PriceCollar
from ironkeel.risk.controls.control_set import ControlSet, UnknownInstrument
from ironkeel.risk.controls.duplicate import DuplicateOrders
from ironkeel.risk.controls.exposure import (
    MaxConcentration,
    MaxGrossExposure,
    MaxLeverage,
    MaxNetExposure,
)
from ironkeel.risk.controls.hours import ALWAYS_OPEN, TradingHours, calendar_names
from ironkeel.risk.controls.position import MaxPosition, MaxStrategyPosition
from ironkeel.risk.controls.reduce_only import ReduceOnlyMode
from ironkeel.risk.controls.size import MaxOrderNotional, MaxOrderQty
from ironkeel.risk.controls.throttle import ModifyThrottle, SubmitThrottle, TokenBucket

__all__ = [
    "ALWAYS_OPEN",
    "Assembly",
    "Control",
    "ControlSet",
    "Denial",
    "DuplicateOrders",
    "InstrumentScope",
    "MaxConcentration",
    "MaxGrossExposure",
    "MaxLeverage",
    "MaxNetExposure",
    "MaxOrderNotional",
    "MaxOrderQty",
    "MaxPosition",
    "MaxStrategyPosition",
    "ModifyThrottle",
    "PriceCollar",
    "Rate",
    "ReasonCode",
    "ReduceOnlyMode",
    "ScopeLimits",
    "SubmitThrottle",
    "TokenBucket",
    "TradingHours",
    "UnknownInstrument",
    "assemble",
    "calendar_names",
    "emergency_exit",
    "order_price",
    "reduces",
]
