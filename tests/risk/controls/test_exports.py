"""The public names of the controls and the configuration, pinned."""

from __future__ import annotations

import importlib

import pytest

from ironkeel.risk.controls import ReasonCode

EXPORTS = {
    "ironkeel.risk.controls": {
        "ALWAYS_OPEN", "Assembly", "Control", "ControlSet", "Denial", "DuplicateOrders",
        "InstrumentScope", "Rate", "ScopeLimits", "assemble",
        "MaxConcentration", "MaxGrossExposure", "MaxLeverage", "MaxNetExposure",
        "MaxOrderNotional", "MaxOrderQty", "MaxPosition", "MaxStrategyPosition",
        "ModifyThrottle", "PriceCollar", "ReasonCode", "ReduceOnlyMode", "SubmitThrottle",
        "TokenBucket", "TradingHours", "UnknownInstrument", "calendar_names",
        "emergency_exit", "order_price", "reduces",
    },
    "ironkeel.risk.config": {
        "BreakerSettings", "GlobalLimits", "InstrumentLimits", "RiskConfig",
        "RiskConfigError", "StrategyDefaults", "StrategyInstrumentLimits", "StrategyLimits",
        "build_assembly", "build_controls", "load_risk_config",
    },
    "ironkeel.risk.view": {"RECENT_ORDERS", "PreTradeView", "StaticView"},
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_public_names_when_imported_then_exactly_the_pinned_ones_exist(module):
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == EXPORTS[module]
    assert all(hasattr(loaded, name) for name in loaded.__all__)


def test_reason_codes_when_listed_then_each_is_its_own_name():
    codes = {k: v for k, v in vars(ReasonCode).items() if k.isupper()}
    assert all(k == v for k, v in codes.items())
    assert len(codes) == 17
