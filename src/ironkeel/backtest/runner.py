"""Running a backtest from a run spec (CLI flags or a TOML run file) or from Python.

Everything that can be wrong with the inputs is found before the first event:
data files are loaded and validated, strategy scripts loaded, parameters checked.
Then the engine runs, and the result carries the outputs (``BacktestResult``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import numpy as np

from ironkeel.backtest.engine import BacktestEngine
from ironkeel.backtest.inputs import infer_instrument, load_items
from ironkeel.backtest.models import parse_fees, parse_slippage
from ironkeel.backtest.outputs import (
    drawdown,
    fill_rows,
    iso,
    match_trades,
    money_text,
    order_rows,
    price_rows,
    sharpe,
    trade_rows,
)
from ironkeel.backtest.recording import SlippageLog
from ironkeel.backtest.result import BacktestResult
from ironkeel.backtest.spec import (
    CURRENCY_PRECISION,
    RunSpec,
    SpecError,
    StrategySpec,
    write_spec_json,
)
from ironkeel.model.data import Bar
from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import InstrumentId, StrategyId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.risk.config import RiskConfig, load_risk_config
from ironkeel.sandbox import SandboxError, SandboxPool
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.host import SlotStatus
from ironkeel.strategy.loader import load_strategy_class
from ironkeel.venues.sim import FeeModel, NoSlippage, SimConfig, SlippageModel

__all__ = [
    "Assembly",
    "Plan",
    "StrategyPlan",
    "assemble",
    "collect",
    "execute",
    "plan_from_spec",
    "run_backtest",
    "symbol_of",
]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StrategyPlan:
    name: str
    strategy: Strategy
    symbols: tuple[InstrumentId, ...]
    allocation: Decimal | None
    source: str


@dataclass
class Plan:
    """A validated, loaded run: ready to execute."""

    instruments: list[Instrument]
    streams: list[tuple[str, list[Any]]]
    strategies: list[StrategyPlan]
    currency: Currency
    cash: Decimal
    venue: Venue = field(default_factory=lambda: Venue("SIM"))
    seed: int = 0
    fill_on_close: bool = False
    fees: FeeModel | None = None
    slippage: SlippageModel | None = None
    max_participation: Decimal | None = None
    risk: RiskConfig | None = None
    notes: list[str] = field(default_factory=list)


def symbol_of(path: Path | str) -> str:
    """The default symbol of a data file: its name up to the first '.' or '_', upper-case
    (``btcusdt_1m.csv`` -> ``BTCUSDT``)."""
    stem = Path(path).name.split(".")[0].split("_")[0]
    return "".join(c for c in stem if c.isalnum() or c in "-/").upper() or "DATA"


def currency_of(code: str, precision: int | None = None) -> Currency:
    """The run currency: a known code, or any code with an explicit precision."""
    if precision is None:
        precision = CURRENCY_PRECISION.get(code.upper())
        if precision is None:
            raise SpecError(
                f"currency {code!r} has no known precision. "
                f"Fix: set currency_precision, or use one of {sorted(CURRENCY_PRECISION)}"
            )
    return Currency(code.upper(), precision)


def plan_from_spec(spec: RunSpec, *, pool: SandboxPool | None = None) -> Plan:
    """Load and validate everything a run file names, before anything runs. With a
    ``pool``, each strategy is loaded into a sandboxed process of its own instead."""
    currency = currency_of(spec.currency, spec.currency_precision)
    venue = Venue(spec.venue)
    declared = {i.symbol: i for i in spec.instruments}
    instruments: dict[str, Instrument] = {}
    streams: list[tuple[str, list[Any]]] = []
    notes: list[str] = []
    for data in spec.data:
        path = spec.resolve(data.path)
        if not path.is_file():
            raise SpecError(f"{path}: the data file does not exist. Fix: check the path")
        instrument = instruments.get(data.symbol)
        if instrument is None:
            if data.symbol in declared:
                instrument = _instrument(declared[data.symbol], venue, currency)
            else:
                instrument = infer_instrument(path, data.symbol, venue, currency, kind=data.kind)
                notes.append(
                    f"instrument {instrument.id} inferred from {path.name}: price increment "
                    f"{instrument.price_increment}, size increment {instrument.size_increment}"
                )
            instruments[data.symbol] = instrument
        items, report = load_items(
            path,
            instrument,
            kind=data.kind,
            timestamp_is=data.timestamp_is,
            columns=data.columns,
            policy=data.policy,
        )
        if report.problems:
            notes.append(report.summary())
        streams.append((f"{path.name}:{data.kind}", items))
    strategies = []
    for entry in spec.strategies:
        strategy = _strategy(spec, entry, pool)
        symbols = entry.symbols or list(instruments)
        unknown = [s for s in symbols if s not in instruments]
        if unknown:
            raise SpecError(
                f"strategy {entry.name!r}: symbols {unknown} have no data. "
                f"Fix: use {sorted(instruments)}"
            )
        strategies.append(
            StrategyPlan(
                entry.name,
                strategy,
                tuple(instruments[s].id for s in symbols),
                entry.allocation,
                entry.file,
            )
        )
    return Plan(
        instruments=list(instruments.values()),
        streams=streams,
        strategies=strategies,
        currency=currency,
        cash=spec.cash,
        venue=venue,
        seed=spec.seed,
        fill_on_close=spec.fill_on == "close",
        fees=parse_fees(spec.fees),
        slippage=parse_slippage(spec.slippage),
        max_participation=spec.max_participation,
        risk=_risk_config(spec),
        notes=notes,
    )


def _strategy(spec: RunSpec, entry: StrategySpec, pool: SandboxPool | None) -> Strategy:
    """The strategy of one run-file entry, in this process or in the sandbox."""
    path = spec.resolve(entry.file)
    if pool is None:
        cls = load_strategy_class(path, entry.class_name)
        try:
            return cls(entry.params)
        except InvalidInputError as error:
            raise SpecError(f"strategy {entry.name!r} ({entry.file}): {error}") from None
    try:
        return pool.load_file(
            entry.name, path, params=entry.params, class_name=entry.class_name, seed=spec.seed
        )
    except SandboxError as error:
        raise SpecError(f"strategy {entry.name!r} ({entry.file}): {error}") from None


def _risk_config(spec: RunSpec) -> RiskConfig | None:
    if spec.risk is None:
        return None
    if spec.risk == "default":
        return load_risk_config("")
    path = spec.resolve(spec.risk)
    if not path.is_file():
        raise SpecError(f"{path}: the risk configuration does not exist. Fix: check `risk =`")
    return load_risk_config(path)


def _instrument(declared: Any, venue: Venue, currency: Currency) -> Instrument:
    try:
        asset_class = AssetClass(declared.asset_class)
    except ValueError:
        raise SpecError(
            f"instrument {declared.symbol}: asset_class {declared.asset_class!r} is unknown. "
            f"Fix: use one of {[a.value for a in AssetClass]}"
        ) from None
    try:
        return Instrument(
            id=InstrumentId(declared.symbol, venue),
            asset_class=asset_class,
            quote_currency=currency,
            price_increment=declared.price_increment,
            size_increment=declared.size_increment,
            multiplier=declared.multiplier,
            min_quantity=declared.min_quantity,
            max_quantity=declared.max_quantity,
            min_notional=declared.min_notional,
            maker_fee=declared.maker_fee,
            taker_fee=declared.taker_fee,
        )
    except InvalidInputError as error:
        raise SpecError(f"instrument {declared.symbol}: {error}") from None


def _allocations(plan: Plan) -> dict[str, Money]:
    """Explicit allocations, and an equal share of the rest (rounded down to the currency's
    precision) for strategies without one."""
    explicit = {s.name: s.allocation for s in plan.strategies if s.allocation is not None}
    total = sum(explicit.values(), Decimal(0))
    if total > plan.cash:
        raise SpecError(
            f"allocations add up to {total}, above the cash {plan.cash}. Fix: lower them"
        )
    rest = [s.name for s in plan.strategies if s.allocation is None]
    result = {name: Money(amount, plan.currency) for name, amount in explicit.items()}
    if rest:
        step = Decimal(1).scaleb(-plan.currency.precision)
        share = ((plan.cash - total) / len(rest)).quantize(step, rounding=ROUND_FLOOR)
        for name in rest:
            result[name] = Money(share, plan.currency)
    return result


@dataclass
class Assembly:
    """A plan wired into an engine, built and ready to run (or to be driven item by item)."""

    engine: BacktestEngine
    ids: list[StrategyId]
    allocations: dict[str, Money]
    start: int
    end: int
    #: Records each taker fill's slippage (None without a slippage model).
    slips: SlippageLog | None = None


def execute(
    plan: Plan, *, progress: Progress | None = None, out: Path | None = None
) -> BacktestResult:
    """Run a loaded plan and collect its outputs (the audit log goes to ``out`` if given)."""
    assembly = assemble(plan, out=out)
    engine, start, end = assembly.engine, assembly.start, assembly.end
    if progress is not None and end > start:
        step = max((end - start) // 100, 1)
        engine.clock.set_timer(
            "progress", step, lambda e: progress(e.ts_event - start, end - start), start_ns=start
        )
    try:
        engine.run()
    finally:
        if engine.audit is not None:
            engine.audit.close()
    return collect(assembly, plan)


def assemble(plan: Plan, *, out: Path | None = None) -> Assembly:
    """Wire ``plan`` into a built engine (the audit log and breaker journal go to ``out``)."""
    start = min(items[0].ts_init for _, items in plan.streams)
    end = max(items[-1].ts_init for _, items in plan.streams)
    # The clock starts at the first item, so on_start sees the run's start time (and a
    # timer set there starts then, not in 1970).
    engine = BacktestEngine(seed=plan.seed, start_ns=start)
    slips = (
        None
        if plan.slippage is None or isinstance(plan.slippage, NoSlippage)
        else SlippageLog(plan.slippage)
    )
    for instrument in plan.instruments:
        engine.add_instrument(instrument)
    engine.add_venue(
        plan.venue,
        [Money(plan.cash, plan.currency)],
        config=SimConfig(
            fill_on_close=plan.fill_on_close, max_participation=plan.max_participation
        ),
        fees=plan.fees,
        slippage=plan.slippage if slips is None else slips,
    )
    for name, items in plan.streams:
        engine.add_data(items, name)
    allocations = _allocations(plan)
    ids = [
        engine.add_strategy(
            s.name, s.strategy, instruments=s.symbols, allocation=allocations[s.name]
        )
        for s in plan.strategies
    ]
    engine.record_equity(plan.currency)
    if plan.risk is not None:
        audit = journal = None
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            audit, journal = out / "audit.sqlite", out / "breakers.sqlite"
            for stale in (audit, out / "audit.sqlite.head", journal):
                stale.unlink(missing_ok=True)  # a backtest starts from a fresh log and journal
        engine.add_risk(plan.risk, plan.currency, audit=audit, journal=journal)
    engine.build()
    if slips is not None:
        engine.bus.subscribe(OrderFilled, slips)
    return Assembly(engine, ids, allocations, start, end, slips)


def collect(assembly: Assembly, plan: Plan) -> BacktestResult:
    """The outputs of a finished run."""
    engine, ids, allocations = assembly.engine, assembly.ids, assembly.allocations
    start, end = assembly.start, assembly.end
    slippage = {} if assembly.slips is None else assembly.slips.ticks
    instruments = {i.id: i for i in plan.instruments}
    orders = engine.oms.orders()
    fills = engine.fills.fills
    trades = match_trades(fills, instruments)
    recorder = engine.equity
    assert recorder is not None
    ts = np.array(recorder.ts, dtype=np.int64)
    curve_columns = recorder.columns  # copied once, used twice below
    curve = (
        np.array(curve_columns, dtype=object).T.astype(np.float64) / 1e12
        if recorder.ts
        else np.zeros((0, 1 + len(ids)))
    )
    portfolio = engine.portfolio
    currency = plan.currency
    host = engine.host
    failures = []
    per_strategy: dict[str, Any] = {}
    for index, (sid, plan_entry) in enumerate(zip(ids, plan.strategies, strict=True)):
        slot = host.slots[sid]
        equity = portfolio.equity(currency, sid)
        allocated = allocations[plan_entry.name]
        ledger = portfolio.ledger(sid)
        column = curve[:, index + 1] if curve.size else np.zeros(0)
        entry: dict[str, Any] = {
            "status": "failed" if slot.status is SlotStatus.FAILED else "ok",
            "source": plan_entry.source,
            "params": {k: _json_value(v) for k, v in plan_entry.strategy.params.items()},
            "allocation": money_text(allocated.raw),
            "final_equity": money_text(equity.raw),
            "total_return": _ratio(equity.raw - allocated.raw, allocated.raw),
            "max_drawdown": drawdown(column),
            "sharpe": sharpe(column, ts) if column.size else None,
            "n_orders": sum(1 for o in orders if o.strategy_id == sid),
            "n_fills": sum(1 for f in fills if f.strategy_id == sid),
            "n_trades": sum(1 for t in trades if t.strategy_id == sid),
            "fees": money_text(ledger.fees(currency).raw),
            "realized_pnl": money_text(ledger.realized(currency).raw),
        }
        risk = engine.risk
        if risk is not None:
            breaker = risk.breakers[f"strategy:{sid}"]
            entry["breaker_trips"] = breaker.trips
            entry["breaker_state"] = breaker.state.name
            if sid in risk.disabled and entry["status"] == "ok":
                entry["status"] = "disabled"
                entry["disabled_reason"] = risk.disabled[sid]
        if slot.failure is not None:
            failure = {
                "strategy": str(sid),
                "hook": slot.failure.hook,
                "error": slot.failure.error,
                "location": slot.failure.location,
                "time": iso(slot.failure.ts_event),
            }
            entry["failure"] = failure
            failures.append(failure)
        per_strategy[str(sid)] = entry
    total = portfolio.equity(currency)
    starting = Money(plan.cash, currency)
    all_failed = bool(ids) and all(host.slots[s].status is SlotStatus.FAILED for s in ids)
    summary: dict[str, Any] = {
        "complete": not all_failed,
        "currency": currency.code,
        "seed": plan.seed,
        "start": iso(start),
        "end": iso(end),
        "start_ns": start,
        "end_ns": end,
        "bars": sum(len(items) for _, items in plan.streams if type(items[0]) is Bar),
        "events": sum(len(items) for _, items in plan.streams),
        "starting_equity": money_text(starting.raw),
        "final_equity": money_text(total.raw),
        "total_return": _ratio(total.raw - starting.raw, starting.raw),
        "max_drawdown": drawdown(curve[:, 0]) if curve.size else 0.0,
        "sharpe": sharpe(curve[:, 0], ts) if curve.size else None,
        "n_orders": len(orders),
        "n_fills": len(fills),
        "n_trades": len(trades),
        "fees": money_text(sum(o.commission_raw for o in orders)),
        "strategies": per_strategy,
        "failures": failures,
        "risk": None if engine.risk is None else engine.risk.status(),
        "notes": plan.notes,
    }
    columns = ["ts_ns", "time", "equity", *[f"equity_{s}" for s in ids]]
    equity_rows = [
        [t, iso(t), *(money_text(v) for v in row)]
        for t, *row in zip(recorder.ts, *curve_columns, strict=True)
    ]
    risk_rows = (
        []
        if engine.risk is None
        else [
            [
                e.ts_ns,
                iso(e.ts_ns),
                e.level,
                e.scope,
                e.strategy,
                e.from_state,
                e.to_state,
                e.reason,
            ]
            for e in engine.risk.events
        ]
    )
    return BacktestResult(
        summary=summary,
        risk_rows=risk_rows,
        order_rows=order_rows(orders, instruments),
        fill_rows=fill_rows(fills, instruments, slippage),
        price_rows=_prices(plan),
        trade_rows=trade_rows(trades),
        equity_columns=columns,
        equity_rows=equity_rows,
        failures=failures,
    )


def _prices(plan: Plan) -> list[list[Any]]:
    """prices.csv rows: each bar stream's OHLC buckets, instrument by instrument."""
    by_id = {str(i.id): i for i in plan.instruments}
    rows: list[list[Any]] = []
    for _, items in plan.streams:
        if items and type(items[0]) is Bar:
            instrument = by_id[str(items[0].bar_type.instrument_id)]
            rows.extend(price_rows(items, instrument))
    return rows


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def run_backtest(spec: RunSpec, *, progress: Progress | None = None) -> BacktestResult:
    """Load, validate and run ``spec``; write the outputs (and the resolved spec,
    ``spec.json``) when ``spec.out`` is set."""
    out = None
    if spec.out is not None:
        out = spec.resolve(spec.out) if spec.base_dir != "." else Path(spec.out)
    if spec.isolated:
        with SandboxPool(deadline_s=spec.deadline_ms / 1000) as pool:
            result = execute(plan_from_spec(spec, pool=pool), progress=progress, out=out)
            result.sandbox = pool.metrics()
    else:
        result = execute(plan_from_spec(spec), progress=progress, out=out)
    if out is not None:
        write_spec_json(spec, out)
        result.write(out)
    return result
