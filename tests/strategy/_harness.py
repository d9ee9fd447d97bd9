"""A scripted, recording strategy and a one-call backtest engine for the strategy tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ironkeel import Strategy
from ironkeel.backtest import BacktestEngine
from ironkeel.model import Bar, Instrument, Money, TimeEvent
from ironkeel.strategy import Fill, MarketBar, OrderUpdate
from tests._bars import SIM, START_NS, USD, bars_from_ohlc, instrument

Action = Callable[["Scripted"], Any]

# A 0.5 grid, 0.001 lots with a 0.01 minimum and a 10 bps taker fee.
BTC = instrument("BTCUSD", tick="0.5", lot="0.001", min_quantity="0.01", taker_fee="0.001")
ETH = instrument("ETHUSD", tick="0.01", lot="0.01")
ROWS = [
    ("100", "101", "99", "100.5"),
    ("100", "102", "99.5", "101"),  # bar 2: a market order sent at bar 1 fills at 100
    ("101", "103", "100.5", "102.5"),
    ("102.5", "104", "102", "103"),
    ("103", "103.5", "101", "101.5"),
    ("101.5", "102", "100", "100.5"),
    ("100.5", "101", "99", "99.5"),
    ("99.5", "100", "98", "98.5"),
]
BTC_BARS = bars_from_ohlc(BTC, ROWS)
ETH_BARS = bars_from_ohlc(ETH, [("20", "21", "19", "20.5")] * len(ROWS))


class Scripted(Strategy):
    """Records every hook call; at its n-th bar of its first instrument it runs ``script[n]``.

    ``on_fill_action`` / ``on_timer_action`` / ``on_start_action`` run inside those hooks.
    """

    def __init__(
        self,
        script: Mapping[int, Action] | None = None,
        *,
        on_start_action: Action | None = None,
        on_fill_action: Action | None = None,
        on_timer_action: Action | None = None,
    ) -> None:
        super().__init__()
        self.script = dict(script or {})
        self.on_start_action = on_start_action
        self.on_fill_action = on_fill_action
        self.on_timer_action = on_timer_action
        self.calls: list[str] = []
        self.bars: list[MarketBar] = []
        self.updates: list[OrderUpdate] = []
        self.fills: list[Fill] = []
        self.timer_events: list[TimeEvent] = []
        self.seen: dict[int, Any] = {}  # what the script's actions returned, by bar number
        self.n = 0

    def on_start(self) -> None:
        self.calls.append("on_start")
        if self.on_start_action is not None:
            self.on_start_action(self)

    def on_bar(self, bar: MarketBar) -> None:
        self.calls.append("on_bar")
        self.bars.append(bar)
        if bar.instrument_id != self.instrument.id:
            return
        self.n += 1
        action = self.script.get(self.n)
        if action is not None:
            self.seen[self.n] = action(self)

    def on_order(self, update: OrderUpdate) -> None:
        self.calls.append("on_order")
        self.updates.append(update)

    def on_fill(self, fill: Fill) -> None:
        self.calls.append("on_fill")
        self.fills.append(fill)
        if self.on_fill_action is not None:
            self.on_fill_action(self)

    def on_timer(self, event: TimeEvent) -> None:
        self.calls.append("on_timer")
        self.timer_events.append(event)
        if self.on_timer_action is not None:
            self.on_timer_action(self)

    def on_stop(self) -> None:
        self.calls.append("on_stop")

    def events(self, name: str) -> list[OrderUpdate]:
        return [u for u in self.updates if u.event == name]


def build_engine(
    strategies: Mapping[str, tuple[Strategy, Sequence[Instrument]]],
    data: Sequence[tuple[Instrument, list[Bar]]],
    *,
    allocation: str = "10000",
    cash: str = "100000",
) -> BacktestEngine:
    """An engine with ``data`` and every strategy hosted, built but not run yet."""
    engine = BacktestEngine(seed=7, start_ns=START_NS)
    for target, _ in data:
        engine.add_instrument(target)
    engine.add_venue(SIM, [Money(cash, USD)])
    for target, bars in data:
        engine.add_data(bars, str(target.id))
    for name, (strategy, instruments) in strategies.items():
        engine.add_strategy(
            name,
            strategy,
            instruments=[i.id for i in instruments],
            allocation=Money(allocation, USD),
        )
    engine.record_equity(USD)
    engine.build()
    return engine


def run_engine(
    strategies: Mapping[str, tuple[Strategy, Sequence[Instrument]]],
    data: Sequence[tuple[Instrument, list[Bar]]],
    *,
    allocation: str = "10000",
) -> BacktestEngine:
    """Replay ``data`` with every strategy hosted in one engine; returns the finished engine."""
    engine = build_engine(strategies, data, allocation=allocation)
    engine.run()
    return engine
