"""The risk configuration: defaults, the documented example, every key documented, and
errors that name the key path, the value and the fix."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from ironkeel.model import AssetClass, Currency, Instrument, InstrumentId, StrategyId, Venue
from ironkeel.risk.config import (
    BreakerSettings,
    GlobalLimits,
    InstrumentLimits,
    RiskConfig,
    RiskConfigError,
    StrategyDefaults,
    StrategyInstrumentLimits,
    StrategyLimits,
    build_controls,
    load_risk_config,
)
from ironkeel.risk.controls import TradingHours

DOCS = Path(__file__).resolve().parents[2] / "docs" / "risk-config.md"
TABLES = [
    GlobalLimits,
    StrategyDefaults,
    StrategyLimits,
    StrategyInstrumentLimits,
    InstrumentLimits,
    BreakerSettings,
]


def _example() -> str:
    return re.search(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)[1]


def _error(text: str) -> RiskConfigError:
    with pytest.raises(RiskConfigError) as caught:
        load_risk_config(text)
    return caught.value


# --- what loads ------------------------------------------------------------------------


def test_empty_config_when_loaded_then_every_default_is_as_documented():
    config = load_risk_config("")
    assert config.global_.max_order_notional is None
    assert config.breakers == BreakerSettings()
    b = config.breakers
    assert (b.strategy_max_drawdown, b.strategy_daily_loss, b.warn_at) == (
        Decimal("0.05"),
        Decimal("0.05"),
        Decimal("0.8"),
    )
    assert (b.platform_max_drawdown, b.correlation_threshold, b.correlation_window_s) == (
        Decimal("0.15"),
        Decimal("0.85"),
        1800,
    )
    assert b.flatten_on_platform_trip is True


def test_documented_example_when_loaded_and_built_then_it_works():
    config = load_risk_config(_example())
    usd = Currency("USD", 2)
    instruments = [
        Instrument(id=InstrumentId("BTCUSDT", Venue("SIM")), asset_class=AssetClass.CRYPTO,
                   quote_currency=usd, price_increment="0.01", size_increment="0.001"),
        Instrument(id=InstrumentId("AAPL", Venue("XNAS")), asset_class=AssetClass.EQUITY,
                   quote_currency=usd, price_increment="0.01", size_increment="1"),
    ]  # fmt: skip
    controls = build_controls(config, instruments)
    assert isinstance(controls.controls(StrategyId("sma-1"), instruments[1].id)[0], TradingHours)
    assert len(controls.controls(StrategyId("sma-1"), instruments[0].id)) == 16
    assert controls.digest == config.digest()


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.__name__)
def test_docs_when_read_then_every_key_of_every_table_is_documented(table):
    text = DOCS.read_text(encoding="utf-8")
    missing = [
        k
        for k in table.__struct_encode_fields__
        if k != "instruments"
        and f"`{k}`" not in text
        and f"`{k}," not in text
        and f", `{k}`" not in text
    ]
    assert not missing, f"document {missing} in {DOCS}"


def test_config_when_loaded_from_a_path_or_a_toml_file_name_then_same_as_text(tmp_path):
    file = tmp_path / "risk.toml"
    file.write_text(_example(), encoding="utf-8")
    text = load_risk_config(_example())
    assert load_risk_config(file) == text
    assert load_risk_config(str(file)) == text


def test_config_when_file_is_missing_then_error_says_so(tmp_path):
    error = _error(str(tmp_path / "nope.toml"))
    assert "cannot be read" in str(error)


# --- the digest ------------------------------------------------------------------------


def test_digest_when_only_formatting_differs_then_it_is_equal():
    a = load_risk_config("[global]\nmax_leverage = 3\nmax_concentration = 0.25\n")
    b = load_risk_config(
        '[global]\nmax_concentration = "0.250"\nmax_leverage = "3.0"\n'
        "reduce_only = false\n[breakers]\nwarn_at = 0.80\n"
    )
    assert a.digest() == b.digest()
    assert len(a.digest()) == 64


def test_digest_when_any_value_changes_then_it_changes():
    base = load_risk_config(_example()).digest()
    changed = load_risk_config(_example().replace("max_leverage = 3", "max_leverage = 4"))
    assert changed.digest() != base


# --- what fails, naming the key --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "fix"),
    [
        ("[global]\nmax_order_notionl = 5", "global.max_order_notionl",
         "did you mean 'max_order_notional'?"),
        ("[strategies.sma]\nmax_gros_exposure = 5", "strategies.sma.max_gros_exposure",
         "did you mean 'max_gross_exposure'?"),
        ('[instruments."BTC.SIM"]\nmax_positon = 1', 'instruments."BTC.SIM".max_positon',
         "did you mean 'max_position'?"),
        ('[strategies.sma.instruments."BTC.SIM"]\nmax_order_quantity = 1',
         'strategies.sma.instruments."BTC.SIM".max_order_quantity', "did you mean 'max_order_qty'"),
        ("[breakers]\nwarn = 0.5", "breakers.warn", "did you mean 'warn_at'?"),
        ("[strategy]\nx = 1", "strategy", "did you mean 'strategies'?"),
        ("[global]\nmax_position = 5", "global.max_position", "max_position belongs in"),
        ("[strategy_defaults]\ncalendar = 'XNYS'", "strategy_defaults.calendar",
         'belongs in [global] or [instruments."SYMBOL.VENUE"]'),
        ("[global]\nfoo = 1", "global.foo",
         "remove it; the keys here are calendar, calendar_end, calendar_start"),
    ],
)  # fmt: skip
def test_unknown_key_when_loaded_then_error_names_the_path_and_the_closest_key(text, key, fix):
    error = _error(text)
    assert error.key == key
    assert "is not a key of" in str(error)
    assert fix in str(error)


MONEY_AND_QUANTITY = [
    ("global", "max_order_notional"),
    ("global", "max_gross_exposure"),
    ("global", "max_leverage"),
    ("global", "price_collar_bps"),
    ("global", "reference_max_age_s"),
    ("global", "submit_rate"),
    ("strategy_defaults", "max_net_exposure"),
    ("strategies.sma", "max_concentration"),
    ("strategies.sma", "modify_rate"),
    ('instruments."BTC.SIM"', "max_order_qty"),
    ('instruments."BTC.SIM"', "max_position"),
    ('instruments."BTC.SIM"', "max_strategy_position"),
    ('strategies.sma.instruments."BTC.SIM"', "max_position"),
    ("breakers", "max_slippage_bps"),
    ("breakers", "stale_data_s"),
]


@pytest.mark.parametrize("value", ["-1", "0"])
@pytest.mark.parametrize(("table", "key"), MONEY_AND_QUANTITY)
def test_limit_when_negative_or_zero_then_error_names_the_key_and_the_fix(table, key, value):
    extra = "\nreference_max_age_s = 5" if key == "price_collar_bps" else ""
    error = _error(f"[{table}]\n{key} = {value}{extra}")
    assert error.key == f"{table}.{key}"
    assert f"{table}.{key} = {value}: must be positive" in str(error)
    assert "Fix: write a value > 0" in str(error)


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("[breakers]\nwarn_at = 1", "breakers.warn_at", "below 1"),
        ("[breakers]\nwarn_at = 1.5", "breakers.warn_at", "below 1"),
        ("[breakers]\nplatform_max_drawdown = 15", "breakers.platform_max_drawdown",
         "0.05 is 5%"),
        ("[breakers]\nstrategy_max_drawdown = 1.01", "breakers.strategy_max_drawdown",
         "at most 1 (100%)"),
        ("[breakers]\nstrategy_daily_loss = 0", "breakers.strategy_daily_loss", "above 0"),
        ("[breakers]\ncorrelation_threshold = 2", "breakers.correlation_threshold", "at most 1"),
        ("[global]\nduplicate_count = 1\nduplicate_window_s = 1", "global.duplicate_count",
         "from 2 (one order is no duplicate)"),
        ("[global]\nduplicate_count = 65\nduplicate_window_s = 1", "global.duplicate_count",
         "last 64 orders"),
        ("[global]\nmax_order_notional = 0.0000000000001", "global.max_order_notional",
         "more than 12 decimals"),
        ("[global]\nreference_max_age_s = 0.0000000001", "global.reference_max_age_s",
         "whole number of ns"),
        ("[global]\nmax_leverage = nan", "global.max_leverage", "not a finite number"),
        ("[global]\ncalendar = 'XNYSE'", "global.calendar", "did you mean 'XNYS'?"),
        ("[global]\ncurrency = 'usd'", "global.currency", "not a currency code"),
        ("[global]\ncalendar_start = 2030-01-01\ncalendar_end = 2029-01-01",
         "global.calendar_end", "not after global.calendar_start"),
    ],
)  # fmt: skip
def test_value_when_out_of_range_then_error_names_the_key(text, key, says):
    error = _error(text)
    assert error.key == key
    assert says in str(error)


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("[global]\nsubmit_rate = 2.5", "global.submit_rate", "is a number, not a whole number"),
        ("[global]\nreduce_only = 'yes'", "global.reduce_only", "write true or false"),
        ("[global]\nmax_leverage = 'three'", "global.max_leverage", "is not a number"),
        ("[strategies.sma]\nmax_leverage = [3]", "strategies.sma.max_leverage", "is a list"),
        ("global = 5", "global", "is not a table"),
        ("[strategies]\nsma = 5", "strategies.sma", "is not a table"),
        ("[global\n", "(syntax)", "not valid TOML"),
    ],
)  # fmt: skip
def test_value_when_of_the_wrong_type_then_error_names_the_key(text, key, says):
    error = _error(text)
    assert error.key == key
    assert says in str(error)


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("[global]\nsubmit_burst = 5", "global.submit_burst", "submit_rate is not"),
        ("[strategies.a]\nmodify_per_s = 2", "strategies.a.modify_per_s", "modify_rate is not"),
        ("[global]\nduplicate_count = 3", "global.duplicate_window_s", "with its pair"),
        ("[global]\nprice_collar_bps = 50", "global.price_collar_bps",
         "reference_max_age_s is not set"),
        ('[instruments."BTC.SIM"]\nprice_collar_bps = 50', 'instruments."BTC.SIM".price_collar_bps',
         "no reference_max_age_s"),
        ("[strategies.'bad name']\nmax_leverage = 1", 'strategies."bad name"',
         "is not a valid name"),
        ("[instruments.BTC]\nmax_position = 1", "instruments.BTC", "SYMBOL.VENUE"),
    ],
)  # fmt: skip
def test_keys_that_go_together_when_one_is_missing_then_error_names_it(text, key, says):
    error = _error(text)
    assert error.key == key
    assert says in str(error)


@pytest.mark.parametrize(
    ("text", "key", "bound"),
    [
        ("[global]\nmax_order_notional = 10\n[strategies.a]\nmax_order_notional = 20",
         "strategies.a.max_order_notional", "global.max_order_notional = 10"),
        ("[global]\nmax_order_notional = 10\n[strategy_defaults]\nmax_order_notional = 11",
         "strategy_defaults.max_order_notional", "global.max_order_notional = 10"),
        ('[global]\nmax_order_notional = 10\n[instruments."B.SIM"]\nmax_order_notional = 11',
         'instruments."B.SIM".max_order_notional', "global.max_order_notional = 10"),
        ("[global]\nmax_gross_exposure = 100\n[strategies.a]\nmax_gross_exposure = 101",
         "strategies.a.max_gross_exposure", "global.max_gross_exposure = 100"),
        ("[strategies.a]\nmax_gross_exposure = 100\nmax_net_exposure = 101",
         "strategies.a.max_net_exposure", "strategies.a.max_gross_exposure = 100"),
        ("[global]\nmax_leverage = 2\nmax_concentration = 3",
         "global.max_concentration", "global.max_leverage = 2"),
        (('[instruments."B.SIM"]\nmax_order_qty = 1\n[strategies.a.instruments."B.SIM"]\n'
         "max_order_qty = 2"), 'strategies.a.instruments."B.SIM".max_order_qty',
         'instruments."B.SIM".max_order_qty = 1'),
        (('[instruments."B.SIM"]\nmax_strategy_position = 1\n[strategies.a.instruments."B.SIM"]\n'
         "max_position = 2"), 'strategies.a.instruments."B.SIM".max_position',
         'instruments."B.SIM".max_strategy_position = 1'),
        (("[global]\nduplicate_count = 2\nduplicate_window_s = 1\n[strategies.a]\n"
         "duplicate_count = 3\nduplicate_window_s = 1"), "strategies.a.duplicate_count",
         "global.duplicate_count = 2"),
        ("[global]\nsubmit_rate = 10\n[strategies.a]\nsubmit_rate = 20",
         "strategies.a.submit_rate", "global.submit_rate = 10"),
    ],
)  # fmt: skip
def test_limit_when_looser_than_one_that_always_applies_then_inconsistent(text, key, bound):
    error = _error(text)
    assert error.key == key
    assert f"is above {bound}" in str(error) or f"than {bound}" in str(error)
    assert "can never bind" in str(error)


@pytest.mark.parametrize(
    "text",
    [
        # strategies can offset each other: one strategy's net may exceed the total's
        "[global]\nmax_net_exposure = 100\n[strategies.a]\nmax_net_exposure = 200",
        # a strategy's leverage on its own equity may exceed the platform's
        "[global]\nmax_leverage = 2\n[strategies.a]\nmax_leverage = 3",
        # a strategy's position may exceed the instrument's net position (others offset)
        '[instruments."B.SIM"]\nmax_position = 1\nmax_strategy_position = 2',
        # a strategy's own value replaces the default, larger or not
        "[strategy_defaults]\nmax_gross_exposure = 10\n[strategies.a]\nmax_gross_exposure = 99",
        # a lower rate with a larger burst can still bind
        "[global]\nsubmit_rate = 10\n[strategies.a]\nsubmit_rate = 20\nsubmit_burst = 5",
    ],
)
def test_limit_when_above_another_but_meaningful_then_accepted(text):
    load_risk_config(text)


def test_risk_config_when_built_in_python_then_validated_the_same_way():
    with pytest.raises(RiskConfigError, match=r"global\.max_leverage = -1: must be positive"):
        RiskConfig(global_=GlobalLimits(max_leverage=Decimal(-1)))


def test_error_when_loaded_from_a_file_then_the_message_starts_with_the_file(tmp_path):
    file = tmp_path / "risk.toml"
    file.write_text("[global]\nmax_leverage = -1\n", encoding="utf-8")
    with pytest.raises(RiskConfigError) as caught:
        load_risk_config(file)
    assert str(caught.value).startswith(f"{file}: global.max_leverage = -1")
    assert caught.value.source == str(file)
