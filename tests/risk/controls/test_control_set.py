"""``build_controls``: the tightest level applies, the order of the controls, shared
throttles, defaults for new strategies, fail-closed gaps, and ten controls end to end."""

from __future__ import annotations

import pytest

from ironkeel.model import InstrumentId, StrategyId, Venue
from ironkeel.risk.config import RiskConfigError, build_controls, load_risk_config
from ironkeel.risk.controls import (
    DuplicateOrders,
    MaxConcentration,
    MaxGrossExposure,
    MaxLeverage,
    MaxNetExposure,
    MaxOrderNotional,
    MaxOrderQty,
    MaxPosition,
    MaxStrategyPosition,
    PriceCollar,
    ReduceOnlyMode,
    SubmitThrottle,
)
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import (
    AAPL,
    AAPL_ID,
    ALPHA,
    BETA,
    BTC,
    BTC_ID,
    SECOND,
    buy,
    sell,
    view,
)

USD = 10**12
FULL = """
[global]
currency = "USD"
calendar = "XNYS"
calendar_start = 2020-01-01
calendar_end = 2026-12-31
max_order_notional = 1000
max_gross_exposure = 100000
max_net_exposure = 50000
max_leverage = 4
max_concentration = "0.5"
price_collar_bps = 500
reference_max_age_s = 5
submit_rate = 50
duplicate_count = 3
duplicate_window_s = 1
modify_rate = 20

[strategy_defaults]
max_gross_exposure = 1000
submit_rate = 5

[strategies.alpha]
max_order_notional = 500
max_gross_exposure = 20000
max_net_exposure = 10000
max_leverage = 3
max_concentration = "0.25"
submit_rate = 10
submit_burst = 4
duplicate_count = 2
duplicate_window_s = "0.5"

[strategies.alpha.instruments."BTCUSDT.SIM"]
max_order_qty = "2"
max_position = "5"

[instruments."BTCUSDT.SIM"]
max_order_qty = "3"
max_order_notional = 800
max_position = 20
max_strategy_position = 10
price_collar_bps = 200
reduce_only = false
"""


@pytest.fixture(scope="module")
def full():
    return build_controls(load_risk_config(FULL), [BTC, AAPL])


def _kinds(controls):
    return [type(c).__name__ for c in controls]


def test_build_when_every_level_is_set_then_the_order_is_cheap_first_throttles_last(full):
    assert _kinds(full.controls(ALPHA, BTC_ID)) == [
        "MaxOrderQty", "MaxOrderNotional", "PriceCollar", "DuplicateOrders",
        "MaxStrategyPosition", "MaxPosition",
        "MaxGrossExposure", "MaxNetExposure", "MaxLeverage", "MaxConcentration",
        "MaxGrossExposure", "MaxNetExposure", "MaxLeverage", "MaxConcentration",
        "SubmitThrottle", "SubmitThrottle",
    ]  # fmt: skip
    assert _kinds(full.controls(ALPHA, AAPL_ID))[0] == "TradingHours"  # not crypto: XNYS


def _only(controls, kind, **where):
    found = [c for c in controls if isinstance(c, kind)]
    found = [c for c in found if all(getattr(c, k) == v for k, v in where.items())]
    assert len(found) == 1, found
    return found[0]


def test_build_when_a_limit_is_set_at_several_levels_then_the_tightest_applies(full):
    alpha = full.controls(ALPHA, BTC_ID)
    assert _only(alpha, MaxOrderQty).max_lots == 2_000  # strategy-instrument 2 < instrument 3
    assert _only(alpha, MaxOrderNotional).max_raw == 500 * USD  # strategy < instrument < global
    assert _only(alpha, MaxStrategyPosition).max_lots == 5_000
    assert _only(alpha, MaxPosition).max_lots == 20_000
    duplicates = _only(alpha, DuplicateOrders)
    assert (duplicates.count, duplicates.window_ns) == (2, SECOND)  # least count, widest window
    collar = _only(alpha, PriceCollar)
    assert (collar.num, collar.den, collar.max_age_ns) == (1, 50, 5 * SECOND)  # 200 bps
    assert _only(alpha, MaxGrossExposure, per_strategy=True).max_raw == 20_000 * USD
    assert _only(alpha, MaxGrossExposure, per_strategy=False).max_raw == 100_000 * USD
    assert _only(alpha, MaxLeverage, per_strategy=True).num == 3
    assert _only(alpha, MaxConcentration, per_strategy=False).den == 2


def test_build_when_strategy_is_not_configured_then_strategy_defaults_apply(full):
    beta = full.controls(BETA, BTC_ID)
    assert _only(beta, MaxOrderNotional).max_raw == 800 * USD  # instrument < global
    assert _only(beta, MaxGrossExposure, per_strategy=True).max_raw == 1_000 * USD
    assert _only(beta, MaxStrategyPosition).max_lots == 10_000
    assert _only(beta, SubmitThrottle, per_strategy=True).rate == 5
    assert not [c for c in beta if isinstance(c, MaxNetExposure) and c.per_strategy]


def test_build_when_throttles_are_shared_then_one_bucket_spans_instruments(full):
    alpha_btc, alpha_aapl = full.controls(ALPHA, BTC_ID), full.controls(ALPHA, AAPL_ID)
    assert alpha_btc[-1] is alpha_aapl[-1] is full.controls(BETA, BTC_ID)[-1]  # global
    assert alpha_btc[-2] is alpha_aapl[-2]  # alpha's own
    gamma, delta = StrategyId("gamma"), StrategyId("delta")
    assert full.controls(gamma, BTC_ID)[-2] is full.controls(delta, BTC_ID)[-2]  # defaults
    screen = view()
    screen.set_equity(None, 1_000 * USD)
    for n in range(5):  # the defaults allow a burst of 5 per strategy, each its own bucket
        assert full.check(Ticket(buy(1, 1_000 + n, strategy=gamma)), screen) is None
    assert full.check(Ticket(buy(1, 1_005, strategy=gamma)), screen).code == "SUBMIT_RATE"
    assert full.check(Ticket(buy(1, 1_005, strategy=delta)), screen) is None


def test_build_when_instrument_was_not_given_then_every_order_is_denied(full):
    denial = full.check(Ticket(buy(1, instrument=InstrumentId("ETHUSDT", Venue("SIM")))), view())
    assert denial.code == "UNKNOWN_INSTRUMENT"


def test_build_when_modify_throttles_then_strategy_then_global(full):
    screen = view()
    assert [t.rate for t in full.modify_throttles(ALPHA)] == [20]
    for _ in range(20):
        assert full.check_modify(ALPHA, screen) is None
    assert full.check_modify(BETA, screen).code == "MODIFY_RATE"  # global: shared
    assert full.check_modify(BETA, screen, emergency=True) is None


def test_build_when_reduce_only_is_on_anywhere_then_the_mode_names_where():
    config = load_risk_config("[strategies.alpha]\nreduce_only = true\n")
    controls = build_controls(config, [BTC]).controls(ALPHA, BTC_ID)
    assert [c.source for c in controls if isinstance(c, ReduceOnlyMode)] == [
        "strategies.alpha.reduce_only"
    ]
    defaults = load_risk_config(
        "[strategy_defaults]\nreduce_only = true\n[strategies.alpha]\nreduce_only = false\n"
    )
    built = build_controls(defaults, [BTC])
    assert not [c for c in built.controls(ALPHA, BTC_ID) if isinstance(c, ReduceOnlyMode)]
    assert _only(built.controls(BETA, BTC_ID), ReduceOnlyMode).source == (
        "strategy_defaults.reduce_only"
    )


def test_build_when_nothing_is_configured_then_a_crypto_instrument_has_no_controls():
    assert build_controls(load_risk_config(""), [BTC]).controls(ALPHA, BTC_ID) == ()


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("", 'instruments."AAPL.XNAS".calendar', "global.calendar is not set either"),
        (
            '[instruments."BTCUSDT.SIM"]\nmax_order_qty = "0.0005"\n[global]\ncalendar="XNYS"',
            'instruments."BTCUSDT.SIM".max_order_qty',
            "is not a multiple of 0.001",
        ),
        (
            '[instruments."BTCUSD.SIM"]\nmax_position = 1\n[global]\ncalendar="XNYS"',
            'instruments."BTCUSD.SIM"',
            "did you mean 'BTCUSDT.SIM'?",
        ),
        (
            '[strategies.alpha.instruments."ETH.SIM"]\nmax_position = 1\n[global]\ncalendar="XNYS"',
            'strategies.alpha.instruments."ETH.SIM"',
            "is not one of the instruments",
        ),
        (
            '[global]\ncalendar="XNYS"\ncurrency = "EUR"\nmax_leverage = 2',
            "global.currency",
            "differs from the quote currency ['USD']",
        ),
    ],
)
def test_build_when_config_does_not_fit_the_instruments_then_error_names_the_key(text, key, says):
    with pytest.raises(RiskConfigError) as caught:
        build_controls(load_risk_config(text), [BTC, AAPL])
    assert caught.value.key == key
    assert says in str(caught.value)


def test_build_digest_is_the_configs(full):
    assert full.digest == load_risk_config(FULL).digest()


# --- the controls end to end ----------------------------------------------------------

END_TO_END = """
[global]
max_order_notional = 1000
max_gross_exposure = 5000
max_leverage = 4
price_collar_bps = 500
reference_max_age_s = 5
submit_rate = 1000
submit_burst = 3
duplicate_count = 3
duplicate_window_s = 1
[instruments."BTCUSDT.SIM"]
max_order_qty = "5"
max_position = 50
max_strategy_position = 20
"""


def _nothing(screen, controls):
    pass


def _notional(screen, controls):
    screen.set_reference(BTC_ID, 3_000, screen.now)


def _stale(screen, controls):
    screen.now += 5 * SECOND + 1


def _twice_sent(screen, controls):
    screen.add_working(buy(10, 1_000, ts=screen.now))
    screen.add_working(buy(10, 1_000, ts=screen.now))


def _strategy_full(screen, controls):
    screen.set_position(ALPHA, BTC_ID, 20_000)


def _instrument_full(screen, controls):
    screen.set_position(ALPHA, BTC_ID, 10_000)
    screen.set_position(BETA, BTC_ID, 39_000)


def _gross_full(screen, controls):
    screen.set_exposure(None, gross=4_999 * USD + USD // 2, net=0)
    screen.set_equity(None, 10_000 * USD)


def _leverage_full(screen, controls):
    screen.set_exposure(None, gross=3_999 * USD + USD // 2, net=0)


def _two_sent(screen, controls):
    for price in (1_001, 1_002, 1_003):
        assert controls.check(Ticket(buy(1, price)), screen) is None


SCENARIOS = [
    (_nothing, buy(10, 1_000), None),
    (_nothing, buy(5_001, 100), "MAX_ORDER_QTY"),
    (_notional, buy(3_334, 3_000), "MAX_ORDER_NOTIONAL"),  # 1,000.2 USD
    (_notional, buy(3_333, 3_000), None),  # 999.9 USD
    (_nothing, buy(1, 1_051), "PRICE_COLLAR"),
    (_stale, buy(1, 1_000), "STALE_REFERENCE"),
    (_twice_sent, buy(10, 1_000), "DUPLICATE_ORDER"),
    (_strategy_full, buy(1), "MAX_STRATEGY_POSITION"),
    (_strategy_full, sell(1), None),
    (_instrument_full, buy(1_001), "MAX_POSITION"),
    (_instrument_full, buy(1_000), None),
    (_gross_full, buy(10), "MAX_GROSS_EXPOSURE"),  # 5,000.5 USD
    (_gross_full, buy(5), None),  # 5,000 USD
    (_leverage_full, buy(10), "MAX_LEVERAGE"),  # 4,000.5 USD on 1,000 USD equity
    (_two_sent, buy(1, 1_004), "SUBMIT_RATE"),  # a burst of 3
    (_two_sent, buy(1, 1_004, emergency=True), None),
]


@pytest.mark.parametrize(("setup", "order", "code"), SCENARIOS)
def test_control_set_when_an_order_breaks_one_limit_then_that_code(setup, order, code):
    controls = build_controls(load_risk_config(END_TO_END), [BTC])  # fresh throttles
    screen = view()
    screen.set_equity(None, 1_000 * USD)
    setup(screen, controls)
    denial = controls.check(Ticket(order), screen)
    assert (denial and denial.code) == code, denial


def test_a_market_orders_notional_and_reference_are_kept_on_its_ticket():
    # Two controls value the same market order at the reference through one ticket;
    # the reference then moves, and a new ticket of the same order sees it.
    controls = (
        MaxGrossExposure(3 * USD // 2, per_strategy=True),
        MaxLeverage(1, per_strategy=True),
    )
    made = view()
    made.set_equity(ALPHA, 10**6 * USD)
    order = buy(10, None)  # market: 10 lots (0.01 BTC) at the reference, 100 USD: 1 USD
    ticket = Ticket(order)
    made.begin_check(ticket)
    try:
        for control in controls:
            assert control.check(ticket, made) is None
            assert (ticket.notional, ticket.notional_known) == (USD, True)
        made.set_reference(BTC_ID, 2_000, made.now)  # not seen: kept for this check
        assert controls[0].check(ticket, made) is None
        assert ticket.notional == USD
    finally:
        made.end_check()
    assert made.checking is None
    denial = controls[0].check(Ticket(order), made)  # 200 USD: 2 USD of notional
    assert denial is not None
    assert "could reach 2 (positions 0 + working 0 + this order 2)" in denial.reason
