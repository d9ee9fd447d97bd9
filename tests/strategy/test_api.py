"""The Strategy API against a real BacktestEngine on a small, hand-made bar table
(see ``_harness``): market orders fill at the next bar's open, every figure is exact."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from ironkeel.model import (
    InvalidInputError,
    OrderSide,
    OrderStatus,
    OrderType,
    StateError,
    StrategyId,
)
from ironkeel.strategy import OrderRequest
from tests._bars import MINUTE, bars_from_ohlc, instrument
from tests.strategy._harness import BTC, BTC_BARS, ETH, ETH_BARS, ROWS, Scripted, run_engine


def _alone(strategy: Scripted) -> None:
    run_engine({"s": (strategy, [BTC])}, [(BTC, BTC_BARS)])


def _caught(call: Callable[[], Any]) -> Exception | None:
    try:
        call()
    except Exception as error:  # the test inspects the error raised inside the hook
        return error
    return None


def _first_bar_actions(s: Scripted) -> None:
    s.buy("0.1")  # fills at bar 2's open
    s.buy("0.001")  # below the 0.01 minimum: denied by the engine
    s.sell("0.01", reduce_only=True)  # flat: the venue rejects a reduce-only order
    s.set_timer("beat", 2 * MINUTE)  # fires at bars 3, 5 and 7
    s.set_alarm("once", s.now + 3 * MINUTE)  # bar 4


def test_when_a_strategy_runs_then_every_hook_is_called_in_its_order() -> None:
    strategy = Scripted({1: _first_bar_actions})

    _alone(strategy)

    calls = strategy.calls
    assert calls[0] == "on_start"
    assert calls[-1] == "on_stop"
    assert (calls.count("on_start"), calls.count("on_stop")) == (1, 1)
    assert calls.count("on_bar") == len(ROWS)
    assert calls.count("on_fill") == 1
    assert calls.count("on_timer") == 4
    assert calls.count("on_order") >= 3


def test_when_bars_arrive_then_the_view_has_exact_float_prices_and_close_times() -> None:
    strategy = Scripted()

    _alone(strategy)

    first = strategy.bars[0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        100.0,
        101.0,
        99.0,
        100.5,
        10.0,
    )
    assert [b.ts for b in strategy.bars] == [b.ts_event for b in BTC_BARS]
    assert first.raw is BTC_BARS[0]


def test_when_increments_are_not_one_over_k_then_the_view_scales_prices_and_volume() -> None:
    # A 2.5 tick (5/2) and 0.003 lots (3/1000): the host's scaled view, not one division.
    odd = instrument("ODDUSD", tick="2.5", lot="0.003")
    bars = bars_from_ohlc(odd, [("100", "102.5", "97.5", "100"), ("105", "105", "95", "97.5")],
                          volume="0.9")  # fmt: skip
    strategy = Scripted()

    run_engine({"s": (strategy, [odd])}, [(odd, bars)])

    assert [(b.open, b.high, b.low, b.close, b.volume) for b in strategy.bars] == [
        (100.0, 102.5, 97.5, 100.0, 0.9),
        (105.0, 105.0, 95.0, 97.5, 0.9),
    ]
    assert [b.raw for b in strategy.bars] == bars


def test_when_an_order_is_below_the_minimum_then_on_order_gets_a_denial_with_reason() -> None:
    strategy = Scripted({1: _first_bar_actions})

    _alone(strategy)

    [denied] = strategy.events("OrderDenied")
    assert denied.status is OrderStatus.DENIED
    assert denied.reason is not None
    assert "below the minimum" in denied.reason


def test_when_the_venue_refuses_an_order_then_on_order_gets_the_rejection() -> None:
    strategy = Scripted({1: _first_bar_actions})

    _alone(strategy)

    [rejected] = strategy.events("OrderRejected")
    assert rejected.status is OrderStatus.REJECTED
    assert rejected.reason is not None
    assert "reduce-only" in rejected.reason


def test_when_a_market_order_fills_then_on_fill_gets_the_exact_execution() -> None:
    strategy = Scripted({1: _first_bar_actions})

    _alone(strategy)

    [fill] = strategy.fills
    assert (fill.side, fill.quantity, fill.price) == (OrderSide.BUY, Decimal("0.1"), Decimal(100))
    assert fill.commission.amount == Decimal("0.01")  # 10 bps of 10.0
    assert fill.ts == BTC_BARS[1].ts_event  # at the next bar, never the deciding one
    accepted = [u.client_order_id for u in strategy.events("OrderAccepted")]
    assert fill.client_order_id in accepted


def test_when_on_fill_is_called_then_position_and_cash_already_include_the_fill() -> None:
    strategy = Scripted({1: lambda s: s.buy("0.1")})
    strategy.on_fill_action = lambda s: s.seen.setdefault(0, _state(s))

    _alone(strategy)

    # marked at the last close (bar 1's 100.5) until bar 2 itself is marked
    assert strategy.seen[0] == (Decimal("0.1"), Decimal("9989.99"), Decimal("10000.04"), False)


def test_when_timers_and_alarms_are_set_then_on_timer_gets_each_by_name_and_time() -> None:
    strategy = Scripted({1: _first_bar_actions})

    _alone(strategy)

    start = BTC_BARS[0].ts_event
    fired = sorted((e.ts_event, e.name) for e in strategy.timer_events)
    assert fired == [
        (start + 2 * MINUTE, "beat"),
        (start + 3 * MINUTE, "once"),
        (start + 4 * MINUTE, "beat"),
        (start + 6 * MINUTE, "beat"),
    ]


def _place_every_type(s: Scripted) -> list[tuple[Any, ...]]:
    s.buy("0.1")
    s.buy("0.1", limit="95")
    s.sell("0.2", stop="90")
    s.buy("0.3", stop="110", limit="111")
    return [(o.order_type, o.side, o.quantity, o.price, o.trigger_price) for o in s.open_orders()]


def test_when_buy_and_sell_get_limit_and_stop_then_the_order_types_follow() -> None:
    strategy = Scripted({1: _place_every_type})

    _alone(strategy)

    assert strategy.seen[1] == [
        (OrderType.MARKET, OrderSide.BUY, Decimal("0.1"), None, None),
        (OrderType.LIMIT, OrderSide.BUY, Decimal("0.1"), Decimal(95), None),
        (OrderType.STOP_MARKET, OrderSide.SELL, Decimal("0.2"), None, Decimal(90)),
        (OrderType.STOP_LIMIT, OrderSide.BUY, Decimal("0.3"), Decimal(111), Decimal(110)),
    ]


def test_when_a_limit_buy_is_traded_through_then_it_fills_at_its_limit() -> None:
    strategy = Scripted({6: lambda s: s.buy("0.1", limit=99.5)})  # a float exactly on the grid

    _alone(strategy)

    [fill] = strategy.fills
    assert fill.price == Decimal("99.5")
    assert fill.ts == BTC_BARS[6].ts_event  # bar 7 trades down to 99


def test_when_a_price_is_off_the_grid_then_submitting_raises_and_names_the_fix() -> None:
    strategy = Scripted(
        {
            1: lambda s: (
                _caught(lambda: s.buy("0.1", limit="100.3")),
                _caught(lambda: s.buy("0.1", limit=100.3)),
                _caught(lambda: s.buy("0.0015")),
                s.open_orders(),
            )
        }
    )

    _alone(strategy)

    text_price, float_price, size, open_orders = strategy.seen[1]
    assert isinstance(text_price, InvalidInputError)
    assert "not a multiple of 0.5" in str(text_price)
    assert "use 100.0 or 100.5" in text_price.fix
    assert isinstance(float_price, InvalidInputError)
    assert "round it to a multiple of 0.5" in float_price.fix
    assert isinstance(size, InvalidInputError)
    assert size.field == "BTCUSD.SIM.size"
    assert open_orders == []  # nothing was sent
    assert strategy.calls[-1] == "on_stop"  # a caught input error does not fail the strategy


def test_when_a_price_is_rounded_explicitly_then_it_lands_on_the_grid() -> None:
    strategy = Scripted(
        {
            1: lambda s: (
                s.round_price(100.3, up=False),
                s.round_price(100.3, up=True),
                s.round_price(Decimal("100.5"), up=True),
            )
        }
    )

    _alone(strategy)

    assert strategy.seen[1] == (Decimal("100.0"), Decimal("100.5"), Decimal("100.5"))


def test_when_the_time_in_force_is_unknown_then_the_error_lists_the_valid_ones() -> None:
    strategy = Scripted({1: lambda s: _caught(lambda: s.buy("0.1", tif="day-ish"))})

    _alone(strategy)

    error = strategy.seen[1]
    assert isinstance(error, InvalidInputError)
    assert "'gtc'" in error.fix


def test_when_a_long_is_closed_then_a_reduce_only_market_sell_takes_it_to_flat() -> None:
    strategy = Scripted(
        {
            1: lambda s: s.buy("0.1"),
            3: lambda s: s.close_position(),
            5: lambda s: (s.position(), s.is_flat(), s.close_position()),
        }
    )

    engine = run_engine({"s": (strategy, [BTC])}, [(BTC, BTC_BARS)])

    assert strategy.seen[5] == (Decimal(0), True, None)  # nothing to close once flat
    close = engine.oms.order(strategy.seen[3])
    assert close is not None
    assert (close.side, close.order_type, close.reduce_only) == (
        OrderSide.SELL,
        OrderType.MARKET,
        True,
    )
    assert close.filled_qty == BTC.lots("0.1")


def test_when_a_short_is_closed_then_the_closing_order_buys() -> None:
    strategy = Scripted({1: lambda s: s.sell("0.2"), 3: lambda s: s.close_position()})

    engine = run_engine({"s": (strategy, [BTC])}, [(BTC, BTC_BARS)])

    close = engine.oms.order(strategy.seen[3])
    assert close is not None
    assert (close.side, close.quantity) == (OrderSide.BUY, BTC.lots("0.2"))
    assert engine.portfolio.position(StrategyId("s"), BTC.id).qty == 0


def test_when_flattening_then_orders_are_canceled_and_every_position_closed() -> None:
    strategy = Scripted(
        {
            1: lambda s: (s.buy("0.1"), s.sell("1", "ETHUSD.SIM"), s.buy("0.1", limit="90")),
            3: lambda s: (s.position(), s.position(ETH.id), len(s.open_orders()), s.flatten()),
            5: lambda s: (s.position(), s.position("ETHUSD.SIM"), s.open_orders()),
        }
    )

    run_engine({"s": (strategy, [BTC, ETH])}, [(BTC, BTC_BARS), (ETH, ETH_BARS)])

    assert strategy.seen[3][:3] == (Decimal("0.1"), Decimal(-1), 1)
    assert strategy.seen[5] == (Decimal(0), Decimal(0), [])
    assert len(strategy.events("OrderCanceled")) == 1


def _state(s: Scripted) -> tuple[Decimal, Decimal, Decimal, bool]:
    return s.position(), s.cash().amount, s.equity().amount, s.is_flat()


def test_when_a_position_is_held_then_position_cash_and_equity_are_exact() -> None:
    strategy = Scripted({1: lambda s: (_state(s), s.buy("0.1")), 3: _state, 4: _state})

    _alone(strategy)

    assert strategy.seen[1][0] == (Decimal(0), Decimal(10000), Decimal(10000), True)
    # bought 0.1 at 100 with a 0.01 fee; marked at bar 3's close 102.5, bar 4's close 103
    assert strategy.seen[3] == (Decimal("0.1"), Decimal("9989.99"), Decimal("10000.24"), False)
    assert strategy.seen[4] == (Decimal("0.1"), Decimal("9989.99"), Decimal("10000.29"), False)


def test_when_a_strategy_trades_an_instrument_not_its_own_then_it_is_refused() -> None:
    request = OrderRequest(instrument_id=ETH.id, side=OrderSide.BUY, quantity=100)
    strategy = Scripted(
        {
            1: lambda s: (
                _caught(lambda: s.buy("1", "ETHUSD.SIM")),
                _caught(lambda: s.ctx.submit(request)),  # even through the raw port
                _caught(lambda: s.position("ETHUSD.SIM")),
            )
        }
    )

    engine = run_engine({"s": (strategy, [BTC])}, [(BTC, BTC_BARS), (ETH, ETH_BARS)])

    for error in strategy.seen[1]:
        assert isinstance(error, InvalidInputError)
        assert "is not one of this strategy's instruments" in str(error)
        assert "['BTCUSD.SIM']" in error.fix
    assert engine.oms.orders() == []
    assert {b.instrument_id for b in strategy.bars} == {BTC.id}  # no ETH data either


def test_when_a_strategy_cancels_another_strategys_order_then_it_is_refused() -> None:
    owner = Scripted({1: lambda s: s.buy("0.1", limit="90")})
    intruder = Scripted(
        {
            2: lambda s: (
                _caught(lambda: s.cancel(owner.seen[1])),
                _caught(lambda: s.modify(owner.seen[1], limit="91")),
            )
        }
    )

    run_engine({"intruder": (intruder, [BTC]), "owner": (owner, [BTC])}, [(BTC, BTC_BARS)])

    for error in intruder.seen[2]:
        assert isinstance(error, InvalidInputError)
        assert "is not an order of this strategy" in str(error)
    assert owner.events("OrderCanceled") == []
    assert intruder.updates == []  # it hears nothing about the owner's orders


def test_when_a_working_order_is_modified_then_on_order_hears_it_and_it_changes() -> None:
    strategy = Scripted(
        {
            1: lambda s: s.buy("0.1", limit="95"),
            2: lambda s: s.modify(s.seen[1], size="0.2", limit="96"),
            3: lambda s: [(o.quantity, o.price) for o in s.open_orders()],
            4: lambda s: s.cancel_all(),
            5: lambda s: s.open_orders(),
        }
    )

    _alone(strategy)

    assert strategy.seen[3] == [(Decimal("0.2"), Decimal(96))]
    assert len(strategy.events("OrderUpdated")) == 1
    assert len(strategy.events("OrderCanceled")) == 1
    assert strategy.seen[5] == []


def test_when_a_strategy_is_not_attached_then_its_context_is_a_state_error() -> None:
    with pytest.raises(StateError, match="the engine attaches it at start"):
        Scripted().position()


def test_a_copy_or_pickle_of_an_unattached_strategy_is_unattached_and_can_be_attached() -> None:
    for clone in (
        copy.copy(Scripted()),
        copy.deepcopy(Scripted()),
        pickle.loads(pickle.dumps(Scripted())),
    ):
        with pytest.raises(StateError, match="the engine attaches it at start"):
            clone.is_flat()
    copied = copy.deepcopy(Scripted())
    engine = run_engine({"copied": (copied, [BTC])}, [(BTC, BTC_BARS)])
    assert copied.ctx is engine.host.slots[copied.id]
