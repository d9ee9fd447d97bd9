"""The backtest engine: the core assembled with a test clock, simulated venues and replayed data.

Backtest, paper and live differ only in the clock, the data source and the venue
adapter; this module chooses the backtest ones (TestClock, replay, simulated
exchange) and wires the rest exactly as every mode does:

- each data stream's items go to the venue first (fills against the new data),
  then the portfolio (mark to market), then strategies (subscribed later);
- the OMS owns orders; fills reach the portfolio over the bus.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ironkeel.audit import AuditLog
from ironkeel.backtest.recording import EquityRecorder, FillRecorder
from ironkeel.core.bus import MessageBus
from ironkeel.core.clock import TestClock
from ironkeel.core.loop import EventLoop, stream_key
from ironkeel.execution.factory import OrderFactory
from ironkeel.execution.oms import OrderManager
from ironkeel.model.data import Bar, OrderBookDeltas, OrderBookSnapshot, QuoteTick, TradeTick
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import AccountId, InstrumentId, StrategyId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.portfolio import Portfolio
from ironkeel.risk.config import RiskConfig, build_controls
from ironkeel.risk.engine import RiskEngine
from ironkeel.risk.journal import BreakerJournal
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.host import StrategyHost
from ironkeel.venues.sim import SimulatedExchange

__all__ = ["BacktestEngine"]


class _Wiring(NamedTuple):
    oms: OrderManager
    portfolio: Portfolio
    host: StrategyHost
    risk: RiskEngine | None


class _RiskSpec(NamedTuple):
    config: RiskConfig
    currency: Currency
    journal: Path | None
    audit: Path | None


class _StrategyEntry(NamedTuple):
    strategy_id: StrategyId
    strategy: Strategy
    instruments: tuple[InstrumentId, ...]
    allocation: Money | None


class BacktestEngine:
    """Add instruments, venues and data; ``build()`` wires the core; ``run()`` replays."""

    def __init__(self, *, seed: int = 0, start_ns: int = 0) -> None:
        self.seed = seed
        self.clock = TestClock(start_ns)
        self.bus = MessageBus()
        self.loop = EventLoop(self.clock)
        self._instruments: dict[InstrumentId, Instrument] = {}
        self._venue_specs: dict[Venue, tuple[AccountId, list[Money], dict[str, Any]]] = {}
        self._streams: list[tuple[Sequence[Any], str]] = []
        self._wiring: _Wiring | None = None
        self._strategies: list[_StrategyEntry] = []
        self._equity_currency: Currency | None = None
        self.equity: EquityRecorder | None = None
        self.fills = FillRecorder()
        self._risk: _RiskSpec | None = None
        self.audit: AuditLog | None = None
        self.exchanges: dict[Venue, SimulatedExchange] = {}

    # --- set-up ---------------------------------------------------------------------------

    def add_instrument(self, instrument: Instrument) -> None:
        self._not_built("add_instrument")
        if instrument.id in self._instruments:
            raise InvalidInputError(
                "instrument", str(instrument.id), "is already added", "add each instrument once"
            )
        self._instruments[instrument.id] = instrument

    def add_venue(
        self,
        venue: Venue,
        starting_cash: Iterable[Money],
        *,
        account_id: AccountId | None = None,
        **exchange_options: Any,
    ) -> None:
        """A simulated venue with an account holding ``starting_cash``; options go to the
        ``SimulatedExchange`` (config, fill_model, slippage, fees, latency, faults)."""
        self._not_built("add_venue")
        if venue in self._venue_specs:
            raise InvalidInputError("venue", str(venue), "is already added", "add each venue once")
        account = account_id or AccountId(f"{venue}-001")
        self._venue_specs[venue] = (account, list(starting_cash), exchange_options)

    def add_data(self, items: Sequence[Any], name: str = "") -> None:
        """One stream of one data type of one instrument, in time order."""
        self._not_built("add_data")
        if items and items[0].instrument_id not in self._instruments:
            raise InvalidInputError(
                f"data {name or len(self._streams)}",
                str(items[0].instrument_id),
                "is for an instrument that was not added",
                "call add_instrument first",
            )
        self.loop.add_stream(items, name)
        self._streams.append((items, name))

    def add_strategy(
        self,
        name: str | StrategyId,
        strategy: Strategy,
        *,
        instruments: Sequence[InstrumentId] | None = None,
        allocation: Money | None = None,
    ) -> StrategyId:
        """Host ``strategy`` in-process, trading ``instruments`` (default: all), with
        ``allocation`` moved from the account into its ledger at start."""
        self._not_built("add_strategy")
        strategy_id = name if isinstance(name, StrategyId) else StrategyId(name)
        chosen = tuple(instruments) if instruments is not None else tuple(self._instruments)
        self._strategies.append(_StrategyEntry(strategy_id, strategy, chosen, allocation))
        return strategy_id

    def record_equity(self, currency: Currency) -> None:
        """Keep an equity curve in ``currency`` (total and per strategy), one row per time."""
        self._not_built("record_equity")
        self._equity_currency = currency

    def add_risk(
        self,
        config: RiskConfig,
        currency: Currency,
        *,
        journal: Path | None = None,
        audit: Path | None = None,
    ) -> None:
        """Put the risk engine on the order path: pre-trade controls and drawdown breakers
        (limits in ``currency``); breaker state in ``journal``, everything in ``audit``."""
        self._not_built("add_risk")
        self._risk = _RiskSpec(config, currency, journal, audit)

    @property
    def host(self) -> StrategyHost:
        return self.build().host

    @property
    def risk(self) -> RiskEngine | None:
        return self.build().risk

    def order_factory(self, strategy_id: StrategyId) -> OrderFactory:
        """An order factory whose ids are deterministic for this engine's seed."""
        return OrderFactory(strategy_id, self.clock, self.seed)

    # --- wiring ---------------------------------------------------------------------------

    @property
    def oms(self) -> OrderManager:
        return self.build().oms

    @property
    def portfolio(self) -> Portfolio:
        return self.build().portfolio

    def build(self) -> _Wiring:
        """Create the OMS, venues, portfolio, risk engine and strategy host and subscribe
        them; idempotent."""
        if self._wiring is not None:
            return self._wiring
        if not self._venue_specs:
            raise InvalidInputError("venues", 0, "none added", "call add_venue before build")
        instruments = list(self._instruments.values())
        for venue, (account, _, options) in self._venue_specs.items():
            mine = [i for i in instruments if i.id.venue == venue]
            self.exchanges[venue] = SimulatedExchange(venue, account, self.clock, mine, **options)
        portfolio = Portfolio(
            instruments, [(account, cash) for account, cash, _ in self._venue_specs.values()]
        )
        oms = OrderManager(
            self.clock,
            self.bus,
            instruments,
            self.exchanges.values(),
            route_orders=self._risk is None,
        )
        # Subscription order on the bus is processing order: the fill is booked, then the
        # risk engine updates its totals, then strategies hear of it (their on_fill, and a
        # flatten after a failure there, must see the fill already booked).
        self.bus.subscribe(OrderFilled, portfolio.on_fill)
        self.bus.subscribe(OrderFilled, self.fills)
        risk = self._build_risk(oms, portfolio, instruments)
        host = StrategyHost(
            clock=self.clock,
            bus=self.bus,
            loop=self.loop,
            oms=oms,
            portfolio=portfolio,
            instruments=instruments,
            seed=self.seed,
        )
        self._wiring = _Wiring(oms, portfolio, host, risk)
        self._add_strategies(host, portfolio, risk)
        if self._equity_currency is not None:
            self.equity = EquityRecorder(
                portfolio.equity_reader(
                    self._equity_currency, [e.strategy_id for e in self._strategies]
                )
            )
        self._subscribe_streams(portfolio, host, risk)
        return self._wiring

    def _add_strategies(
        self, host: StrategyHost, portfolio: Portfolio, risk: RiskEngine | None
    ) -> None:
        for entry in self._strategies:
            currency = self._instruments[entry.instruments[0]].quote_currency
            host.add(entry.strategy_id, entry.strategy, entry.instruments, currency)
            if entry.allocation is not None:
                portfolio.allocate(entry.strategy_id, entry.allocation)
            if risk is not None:
                capital = 0 if entry.allocation is None else entry.allocation.raw
                risk.add_strategy(entry.strategy_id, entry.instruments, capital or 1)
        if risk is not None:
            risk.start(
                sum(
                    money.raw
                    for _, cash, _ in self._venue_specs.values()
                    for money in cash
                    if money.currency == risk.currency
                )
            )

    def _subscribe_streams(
        self, portfolio: Portfolio, host: StrategyHost, risk: RiskEngine | None
    ) -> None:
        """Each stream's handlers, in order: venue, portfolio, risk reference, strategies,
        risk breakers, recorder."""
        subscribed: set[Hashable] = set()
        for items, _ in self._streams:
            key = stream_key(items[0])
            if key in subscribed:
                continue
            subscribed.add(key)
            venue_handler, mark_handler = self._handlers(items[0], portfolio)
            self.loop.subscribe(key, venue_handler)
            if mark_handler is not None:
                self.loop.subscribe(key, mark_handler)
            # The price strategies act on is the risk reference too.
            before, after = (None, None) if risk is None else risk.handlers(items[0])
            if before is not None:
                self.loop.subscribe(key, before)
            host.subscribe(key, items[0])
            if after is not None:
                self.loop.subscribe(key, after)
            if self.equity is not None:
                self.loop.subscribe(key, self.equity)

    def _build_risk(
        self, oms: OrderManager, portfolio: Portfolio, instruments: list[Instrument]
    ) -> RiskEngine | None:
        spec = self._risk
        if spec is None:
            return None
        if spec.audit is not None:
            self.audit = AuditLog(spec.audit, commit_every=10_000)
        return RiskEngine(
            clock=self.clock,
            bus=self.bus,
            oms=oms,
            portfolio=portfolio,
            instruments=instruments,
            controls=build_controls(spec.config, instruments),
            settings=spec.config.breakers,
            currency=spec.currency,
            audit=self.audit,
            journal=None if spec.journal is None else BreakerJournal(spec.journal),
            config=spec.config,
        )

    def _handlers(
        self, item: Any, portfolio: Portfolio
    ) -> tuple[Callable[[Any], None], Callable[[Any], None] | None]:
        exchange = self.exchanges.get(item.instrument_id.venue)
        if exchange is None:
            raise InvalidInputError(
                "data", str(item.instrument_id), "has no venue", "add_venue for its venue"
            )
        kind = type(item)
        if kind is Bar:
            return exchange.bar_handler(item.bar_type), portfolio.bar_handler(item.bar_type)
        if kind is QuoteTick:
            return exchange.on_quote, portfolio.on_quote
        if kind is TradeTick:
            return exchange.on_trade, portfolio.on_trade
        if kind is OrderBookDeltas:
            return exchange.on_book_deltas, None
        if kind is OrderBookSnapshot:
            return exchange.on_book_snapshot, None
        raise InvalidInputError("data", kind.__name__, "is not market data", "see model.data")

    def run(self, until_ns: int | None = None) -> int:
        """Start the strategies, replay all data, stop them; returns the items handled."""
        host = self.build().host
        host.start()
        try:
            handled = self.loop.run(until_ns)
            host.stop()
        finally:
            if self.audit is not None:
                self.audit.flush()
        return handled

    def _not_built(self, what: str) -> None:
        if self._wiring is not None:
            raise StateError(f"{what} after build(): add everything before building the engine")
