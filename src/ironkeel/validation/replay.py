"""One validation run: market data replayed through the backtest engine with a strategy
whose hooks are measured, under optional fault injection and risk limits.

``load_market`` picks the data: a user's file, the demo month of BTC perpetual bars
shipped with the repository (the default), or seeded synthetic bars.
``replay`` assembles a ``BacktestEngine`` (the normal machinery, one strategy),
runs it and returns what the gates judge: the strategy's status, its orders per
second of simulated time, its denials, its fill ledger and its final position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ironkeel.backtest.engine import BacktestEngine
from ironkeel.backtest.inputs import infer_instrument, load_items
from ironkeel.backtest.runner import symbol_of
from ironkeel.core.loop import stream_key
from ironkeel.data.synthetic import synthetic_bars
from ironkeel.model.data import Bar
from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import OrderDenied
from ironkeel.model.identifiers import InstrumentId, StrategyId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.risk.config import RiskConfig
from ironkeel.sandbox.handle import SandboxedStrategy
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.host import SlotStatus
from ironkeel.validation.timing import HookRecorder, MemoryProbe
from ironkeel.venues.sim import FaultPlan, SimConfig

__all__ = [
    "DEMO_DATA",
    "Market",
    "Outcome",
    "RunSettings",
    "load_market",
    "replay",
    "tracked_position",
]

SIM = Venue("SIM")
DEMO_DATA: Final = (
    Path(__file__).resolve().parents[3]
    / "examples" / "demo" / "data" / "btc-perp-20211231-20220201_1m.csv.gz"
)  # fmt: skip
STRATEGY = StrategyId("candidate")


@dataclass(frozen=True)
class Market:
    """The bars of one instrument and where they came from."""

    instrument: Instrument
    bars: list[Bar]
    source: str
    notes: tuple[str, ...] = ()


def load_market(
    data: Path | None,
    *,
    synthetic: int | None,
    currency: Currency,
    seed: int = 0,
    policy: str = "reject",
) -> Market:
    """Bars from ``data`` (a CSV/Parquet file of bars, stamped at the open), else
    ``synthetic`` seeded bars, else the demo data (synthetic if it is not shipped)."""
    if data is not None:
        inst = infer_instrument(data, symbol_of(data), SIM, currency, kind="bars")
        bars, report = load_items(data, inst, kind="bars", policy=policy)
        notes = (report.summary(),) if report.problems else ()
        return Market(inst, bars, str(data), notes)
    if synthetic is None and DEMO_DATA.is_file():
        inst = Instrument(
            id=InstrumentId("BTCPERP", SIM),
            asset_class=AssetClass.CRYPTO,
            quote_currency=currency,
            price_increment="0.125",
            size_increment="0.0001",
            taker_fee="0.0004",
            maker_fee="0.0002",
        )
        bars, _ = load_items(DEMO_DATA, inst, kind="bars", timestamp_is="close", policy="repair")
        return Market(inst, bars, f"demo data {DEMO_DATA.name}")
    count = synthetic if synthetic is not None else 20_000
    inst = Instrument(
        id=InstrumentId("SYN", SIM),
        asset_class=AssetClass.CRYPTO,
        quote_currency=currency,
        price_increment="0.01",
        size_increment="0.001",
    )
    bars = synthetic_bars(inst, count, seed=seed, volume_lots=1_000_000)
    notes = () if synthetic is not None else ("the demo data is not shipped: synthetic bars",)
    return Market(inst, bars, f"synthetic bars (seed {seed}, n={count})", notes)


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs besides the strategy and its data."""

    cash: Decimal
    currency: Currency
    seed: int = 0
    risk: RiskConfig | None = None
    config: SimConfig = field(default_factory=SimConfig)
    faults: FaultPlan | None = None


@dataclass
class Outcome:
    """What one run produced, for the gates to judge."""

    status: str
    failure: dict[str, str] | None
    orders: int
    order_lots: list[int]
    peak_orders_per_second: int
    peak_second_ns: int
    denials: Counter[str]
    ledger: dict[str, Decimal]
    position: dict[str, Decimal]
    repeated_fills: int
    disabled_reason: str | None
    items: int
    memory: list[int] = field(default_factory=list)
    tracking_mismatches: int = 0
    first_mismatch: dict[str, str] | None = None
    #: The strategy's own ``tracked_position`` at the end of the run ({} if it keeps none).
    tracked: dict[str, Decimal] = field(default_factory=dict)


def tracked_position(strategy: Strategy, default_key: str) -> dict[str, Decimal]:
    """The strategy's own count of its position, if it keeps one in ``tracked_position``
    (a number, or instrument text -> number); {} if it keeps none."""
    if isinstance(strategy, SandboxedStrategy):
        value = strategy.inspect("tracked_position")
    else:
        value = vars(strategy).get("tracked_position")
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): Decimal(str(v)) for k, v in value.items()}
    return {default_key: Decimal(str(value))}


class _TrackingCheck:
    """After each bar's handlers (the strategy has heard every fill), compare the
    strategy's ``tracked_position`` with the portfolio; count the bars that disagree.

    The strategy's count changes only with its fills, so it is read again only after a
    bar that brought fills (or changed the position): for a sandboxed strategy each read
    is a round trip. A disagreement that lasts is counted once per such bar."""

    def __init__(
        self, strategy: Strategy, engine: BacktestEngine, inst: Instrument, recorder: HookRecorder
    ) -> None:
        self.strategy = strategy
        self.engine = engine
        self.inst = inst
        self.recorder = recorder
        self.mismatches = 0
        self.first: dict[str, str] | None = None
        self._seen: tuple[int, int] | None = None

    def __call__(self, item: Any) -> None:
        lots = self.engine.portfolio.position(STRATEGY, self.inst.id).qty
        state = (lots, len(self.recorder.trade_ids) + self.recorder.repeated_fills)
        if state == self._seen:
            return
        self._seen = state
        own = tracked_position(self.strategy, str(self.inst.id)).get(str(self.inst.id))
        if own is None:
            return
        held = lots * self.inst.size_increment
        if own != held:
            self.mismatches += 1
            if self.first is None:
                self.first = {
                    "ts_ns": str(item.ts_init),
                    "tracked_position": str(own),
                    "portfolio": str(held),
                }


def replay(
    strategy: Strategy,
    market: Market,
    bars: list[Bar],
    settings: RunSettings,
    recorder: HookRecorder,
    *,
    probe: MemoryProbe | None = None,
    samples: int = 0,
) -> Outcome:
    """Run ``strategy`` (hooks measured by ``recorder``) over ``bars``.

    ``strategy`` may be in-process or a ``SandboxedStrategy`` (the recorder then wraps
    the handle's hooks and times the round trip, the probe samples the child's memory).
    """
    if not bars:
        raise InvalidInputError("data", 0, "has no bars", "give at least one bar")
    engine = BacktestEngine(seed=settings.seed, start_ns=bars[0].ts_init)
    engine.add_instrument(market.instrument)
    engine.add_venue(
        SIM,
        [Money(settings.cash, settings.currency)],
        config=settings.config,
        faults=settings.faults,
    )
    engine.add_data(bars, "bars")
    recorder.now = engine.clock.timestamp_ns
    recorder.instrument(strategy)
    engine.add_strategy(STRATEGY, strategy, allocation=Money(settings.cash, settings.currency))
    if settings.risk is not None:
        engine.add_risk(settings.risk, settings.currency)
    denials: Counter[str] = Counter()

    def on_denied(event: OrderDenied) -> None:
        if event.strategy_id == STRATEGY:
            denials[event.reason_code] += 1

    engine.bus.subscribe(OrderDenied, on_denied)
    engine.build()
    memory: list[int] = []
    tracking = _TrackingCheck(strategy, engine, market.instrument, recorder)
    engine.loop.subscribe(stream_key(bars[0]), tracking)
    if probe is not None and samples > 0:
        engine.loop.subscribe(stream_key(bars[0]), _sampler(probe, memory, len(bars), samples))
        probe.start()
    try:
        handled = engine.run()
    finally:
        if probe is not None and samples > 0:
            probe.stop()
    outcome = _outcome(engine, market, recorder, denials=denials, handled=handled, memory=memory)
    outcome.tracking_mismatches = tracking.mismatches
    outcome.first_mismatch = tracking.first
    outcome.tracked = tracked_position(strategy, str(market.instrument.id))
    return outcome


def _sampler(
    probe: MemoryProbe, memory: list[int], total: int, samples: int
) -> Callable[[Any], None]:
    every = max(total // samples, 1)
    seen = [0]

    def sample(_: Any) -> None:
        seen[0] += 1
        if seen[0] % every == 0:
            memory.append(probe.sample())

    return sample


def _outcome(
    engine: BacktestEngine,
    market: Market,
    recorder: HookRecorder,
    *,
    denials: Counter[str],
    handled: int,
    memory: list[int],
) -> Outcome:
    slot = engine.host.slots[STRATEGY]
    failure = None
    if slot.failure is not None:
        failure = {
            "hook": slot.failure.hook,
            "error": slot.failure.error,
            "location": slot.failure.location,
            "ts_ns": str(slot.failure.ts_event),
        }
    own = [o for o in engine.oms.orders(STRATEGY) if not o.emergency]
    per_second: Counter[int] = Counter(o.init.ts_init // 1_000_000_000 for o in own)
    peak_second, peak = max(per_second.items(), key=lambda kv: (kv[1], -kv[0]), default=(0, 0))
    inst = market.instrument
    lots = engine.portfolio.position(STRATEGY, inst.id).qty
    risk = engine.risk
    disabled = None if risk is None else risk.disabled.get(STRATEGY)
    status = "failed" if slot.status is SlotStatus.FAILED else "ok"
    return Outcome(
        status=status if disabled is None or status == "failed" else "disabled",
        failure=failure,
        orders=len(own),
        order_lots=[o.quantity for o in own],
        peak_orders_per_second=peak,
        peak_second_ns=peak_second * 1_000_000_000,
        denials=denials,
        ledger=dict(recorder.ledger),
        position={str(inst.id): lots * inst.size_increment},
        repeated_fills=recorder.repeated_fills,
        disabled_reason=None if disabled is None else str(disabled),
        items=handled,
        memory=memory,
    )
