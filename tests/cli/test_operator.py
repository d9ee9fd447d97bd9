"""Operator commands through the CLI (``ironkeel risk status|reset|halt|resume``,
``ironkeel kill``, ``ironkeel audit verify``): who and why are required, each action moves
the journaled breaker and is audited, an engine restored from the journal obeys it, and
verification tells an intact log (0) from a tampered one (1) and a missing one (2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner, Result

from ironkeel import Strategy
from ironkeel.audit import AuditLog, read_records, verify
from ironkeel.backtest import BacktestEngine
from ironkeel.cli import app
from ironkeel.model import Money, StrategyId
from ironkeel.risk.breaker import BreakerState, DrawdownBreaker
from ironkeel.risk.config import load_risk_config
from ironkeel.risk.journal import BreakerJournal
from ironkeel.strategy import MarketBar, OrderUpdate
from tests._bars import SIM, USD, bars_from_ohlc, instrument

UNIT = 10**12  # money raw per currency unit
T0 = 1_600_000_000 * 10**9
BTC = instrument("BTC", tick="1", lot="1")


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _flat(text: str) -> str:
    """The text without whitespace: rich wraps long lines at the console width."""
    return "".join(text.split())


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    """Breakers of strategies s (tripped) and t (monitoring), portfolio and platform."""
    path = tmp_path / "breakers.sqlite"
    with BreakerJournal(path) as store:
        tripped = DrawdownBreaker(
            "strategy:s", level="strategy", scope="s", capital_raw=10_000 * UNIT, journal=store
        )
        tripped.evaluate(10_000 * UNIT, T0)
        tripped.evaluate(9_000 * UNIT, T0 + 1)  # 10% down: above the 5% limit
        assert tripped.state is BreakerState.TRIGGERED
        for name, scope, capital in (("strategy:t", "t", 10_000), ("portfolio", "", 20_000)):
            level = "strategy" if scope else "portfolio"
            breaker = DrawdownBreaker(
                name, level=level, scope=scope, capital_raw=capital * UNIT, journal=store
            )
            breaker.evaluate(capital * UNIT, T0)
        DrawdownBreaker.platform(100_000 * UNIT, journal=store).evaluate(100_000 * UNIT, T0)
    return path


def _state(path: Path, name: str) -> BreakerState:
    with BreakerJournal(path) as store:
        return store.load()[name].state


def _transitions(path: Path) -> list[tuple[str, str, str, str]]:
    with BreakerJournal(path) as store:
        return [
            (t.breaker, t.from_state.name, t.to_state.name, t.operator) for t in store.transitions()
        ]


def _who(journal: Path, audit: Path, *reason: str) -> list[str]:
    return [
        "--journal", str(journal), "--operator", "alice", "--reason",
        *(reason or ("post-mortem done",)), "--audit", str(audit),
    ]  # fmt: skip


def _actions(audit: Path) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (r.actor, r.subject, msgspec.json.decode(r.payload))
        for r in read_records(audit)
        if r.kind == "operator_action"
    ]


# --- status -----------------------------------------------------------------------------------


def test_when_status_is_asked_then_every_journaled_breaker_is_listed(journal: Path) -> None:
    result = _invoke("risk", "status", "--journal", str(journal))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "strategy:s: TRIGGERED, 1 trip(s), not trading" in lines
    assert "strategy:t: MONITORING, 0 trip(s), trading" in lines
    assert "portfolio: MONITORING, 0 trip(s), trading" in lines
    assert "platform: MONITORING, 0 trip(s), trading" in lines


def test_when_status_is_asked_of_a_missing_journal_then_it_exits_2(tmp_path: Path) -> None:
    result = _invoke("risk", "status", "--journal", str(tmp_path / "nowhere.sqlite"))

    assert result.exit_code == 2
    assert "nowhere.sqlite" in _flat(result.output)


# --- who and why are required -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        ["--reason", "post-mortem done"],  # no --operator at all
        ["--operator", "", "--reason", "post-mortem done"],
        ["--operator", "alice", "--reason", ""],
        ["--operator", "alice", "--reason", "   "],
        ["--operator", "alice"],  # no --reason at all
    ],
    ids=["no operator", "empty operator", "empty reason", "blank reason", "no reason"],
)
def test_when_a_reset_lacks_an_operator_or_a_reason_then_it_exits_2_and_changes_nothing(
    journal: Path, tmp_path: Path, who: list[str]
) -> None:
    audit = tmp_path / "audit.sqlite"
    before = _transitions(journal)

    result = _invoke(
        "risk", "reset", "--strategy", "s", "--journal", str(journal), *who,
        "--audit", str(audit),
    )  # fmt: skip

    assert result.exit_code == 2, result.output
    assert _state(journal, "strategy:s") is BreakerState.TRIGGERED
    assert _transitions(journal) == before
    assert not audit.exists()


# --- actions move the journal and are audited -------------------------------------------------


def test_when_an_operator_resets_a_tripped_strategy_then_the_journal_and_audit_show_it(
    journal: Path, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.sqlite"
    before = _transitions(journal)

    result = _invoke("risk", "reset", "--strategy", "s", *_who(journal, audit))

    assert result.exit_code == 0, result.output
    assert "strategy:s:TRIGGERED->RESETbyalice(post-mortemdone)" in _flat(result.output)
    assert _state(journal, "strategy:s") is BreakerState.RESET
    assert _transitions(journal) == [*before, ("strategy:s", "TRIGGERED", "RESET", "alice")]
    with BreakerJournal(journal) as store:
        last = store.transitions("strategy:s")[-1]
    assert last.trigger == "reset"
    assert "post-mortem done" in last.reason
    assert _actions(audit) == [
        ("alice", "strategy:s", {"action": "reset", "reason": "post-mortem done"})
    ]
    assert verify(audit).ok


def test_when_a_breaker_cannot_take_the_action_then_it_exits_2_naming_what_is_allowed(
    journal: Path, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.sqlite"

    monitoring = _invoke("risk", "reset", "--strategy", "t", *_who(journal, audit))
    unknown = _invoke("risk", "reset", "--strategy", "nobody", *_who(journal, audit))

    assert monitoring.exit_code == 2
    assert "reset is not allowed in state MONITORING" in " ".join(monitoring.output.split())
    assert unknown.exit_code == 2
    assert "strategy:nobody" in _flat(unknown.output)
    assert "strategy:s" in _flat(unknown.output)  # the breakers there are
    assert _state(journal, "strategy:t") is BreakerState.MONITORING
    assert not audit.exists()


def test_when_an_operator_halts_and_resumes_then_the_platform_breaker_follows(
    journal: Path, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.sqlite"

    halted = _invoke("risk", "halt", *_who(journal, audit, "venue incident"))
    assert halted.exit_code == 0, halted.output
    assert _state(journal, "platform") is BreakerState.HALTED
    again = _invoke("risk", "halt", *_who(journal, audit, "venue incident"))
    assert again.exit_code == 2  # already halted
    resumed = _invoke("risk", "resume", *_who(journal, audit, "venue back"))

    assert resumed.exit_code == 0, resumed.output
    assert _state(journal, "platform") is BreakerState.MONITORING
    platform = [t for t in _transitions(journal) if t[0] == "platform"]
    assert platform[-2:] == [
        ("platform", "MONITORING", "HALTED", "alice"),
        ("platform", "HALTED", "MONITORING", "alice"),
    ]
    assert _actions(audit) == [
        ("alice", "platform", {"action": "halt", "reason": "venue incident"}),
        ("alice", "platform", {"action": "resume", "reason": "venue back"}),
    ]
    assert verify(audit).ok


def test_when_kill_is_used_then_the_strategy_or_the_platform_is_halted_and_audited(
    journal: Path, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.sqlite"

    one = _invoke("kill", "--strategy", "t", *_who(journal, audit, "runaway"))
    assert one.exit_code == 0, one.output
    assert _state(journal, "strategy:t") is BreakerState.HALTED
    assert _state(journal, "platform") is BreakerState.MONITORING
    everything = _invoke("kill", "--all", *_who(journal, audit, "fire"))

    assert everything.exit_code == 0, everything.output
    assert _state(journal, "platform") is BreakerState.HALTED
    assert _actions(audit) == [
        ("alice", "strategy:t", {"action": "halt", "reason": "runaway"}),
        ("alice", "platform", {"action": "halt", "reason": "fire"}),
    ]
    assert verify(audit).ok


@pytest.mark.parametrize("target", [[], ["--strategy", "t", "--all"]], ids=["neither", "both"])
def test_when_kill_names_neither_or_both_targets_then_it_exits_2(
    journal: Path, tmp_path: Path, target: list[str]
) -> None:
    before = _transitions(journal)

    result = _invoke("kill", *target, *_who(journal, tmp_path / "audit.sqlite", "x"))

    assert result.exit_code == 2
    assert "--strategy" in result.output
    assert _transitions(journal) == before


# --- an engine restored from the journal obeys the operator ------------------------------------


class BuyEveryBar(Strategy):
    def on_start(self) -> None:
        self.updates: list[OrderUpdate] = []

    def on_bar(self, bar: MarketBar) -> None:
        self.buy(1)

    def on_order(self, update: OrderUpdate) -> None:
        self.updates.append(update)


def _restored_engine(journal: Path) -> tuple[BacktestEngine, dict[str, BuyEveryBar]]:
    engine = BacktestEngine(seed=2, start_ns=T0)
    engine.add_instrument(BTC)
    engine.add_venue(SIM, [Money("100000", USD)])
    engine.add_data(bars_from_ohlc(BTC, [("100",) * 4] * 5))
    strategies = {"s": BuyEveryBar(), "t": BuyEveryBar()}
    for name, strategy in strategies.items():
        engine.add_strategy(name, strategy, allocation=Money("10000", USD))
    engine.add_risk(load_risk_config(""), USD, journal=journal)
    return engine, strategies


def test_when_the_operator_resets_and_kills_then_a_restarted_engine_obeys(
    journal: Path, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.sqlite"
    assert _invoke("risk", "reset", "--strategy", "s", *_who(journal, audit)).exit_code == 0
    assert _invoke("kill", "--strategy", "t", *_who(journal, audit, "runaway")).exit_code == 0

    engine, strategies = _restored_engine(journal)
    engine.run()

    assert engine.portfolio.position(StrategyId("s"), BTC.id).qty == 4  # trades again
    assert engine.portfolio.position(StrategyId("t"), BTC.id).qty == 0
    codes = {u.raw.reason_code for u in strategies["t"].updates if u.event == "OrderDenied"}  # type: ignore[attr-defined]
    assert codes == {"STRATEGY_DISABLED"}
    assert _state(journal, "strategy:t") is BreakerState.HALTED


# --- audit verify -------------------------------------------------------------------------------


@pytest.fixture
def audit_log(tmp_path: Path) -> Path:
    path = tmp_path / "audit.sqlite"
    with AuditLog(path) as log:
        for k in range(5):
            log.append(
                "order_event", ts_ns=T0 + k, actor="engine", subject=f"order-{k}",
                payload={"status": "FILLED", "quantity": k + 1},
            )  # fmt: skip
    return path


def test_when_the_audit_log_is_intact_then_verify_exits_0(audit_log: Path) -> None:
    result = _invoke("audit", "verify", str(audit_log))

    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_when_a_record_is_edited_then_verify_exits_1_naming_it(audit_log: Path) -> None:
    db = sqlite3.connect(audit_log)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_records SET payload = '{}' WHERE seq = 3")
    db.execute("DROP TRIGGER audit_records_no_update")
    db.execute(
        "UPDATE audit_records SET payload = ? WHERE seq = 3",
        ('{"quantity":300,"status":"FILLED"}',),
    )
    db.commit()
    db.close()

    result = _invoke("audit", "verify", str(audit_log))

    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    assert "FAILED" in flat
    assert "record 3" in flat


def test_when_the_audit_log_is_missing_then_verify_exits_2(tmp_path: Path) -> None:
    result = _invoke("audit", "verify", str(tmp_path / "nowhere.sqlite"))

    assert result.exit_code == 2
    assert "nowhere.sqlite" in _flat(result.output)
