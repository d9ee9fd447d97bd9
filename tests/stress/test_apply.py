"""--apply: a pause halts the strategy's breaker in the breaker journal (as ``ironkeel kill``
does) and is audited; a rebalance writes the run with the cut allocations and is audited;
anything wrong refuses the whole set before anything changes."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from ironkeel.audit import read_records, verify
from ironkeel.backtest import load_run_file, run_backtest
from ironkeel.backtest.spec import decode_spec
from ironkeel.risk.breaker import BreakerState, DrawdownBreaker
from ironkeel.risk.journal import BreakerJournal
from ironkeel.stress import StressError, apply_recommendations

NOW = 1_700_000_000 * 10**9


@pytest.fixture
def run_dir(run_file: Path, tmp_path: Path) -> Path:
    """The small run, backtested with the default breakers: a journal and an audit log."""
    spec = load_run_file(run_file)
    data = json.loads(msgspec.json.encode(spec))
    out = tmp_path / "done"
    run_backtest(decode_spec({**data, "risk": "default", "out": str(out)}, "test"))
    return out


PAUSE = {"strategy": "hold", "action": "pause", "reason": "its own stressed drawdown 40.0%"}
CUT = {
    "strategy": "sma", "action": "rebalance", "reason": "the total ...",
    "allocation_from": "40000", "allocation_to": "31250.5",
}  # fmt: skip


def _apply(run_dir: Path, recs: list[dict], **overrides) -> list[dict]:
    spec = load_run_file(run_dir.parent / "run" / "run.toml")
    arguments = {
        "spec": spec, "journal_path": run_dir / "breakers.sqlite",
        "audit_path": run_dir / "audit.sqlite", "operator": "alice", "now_ns": NOW,
        "out": run_dir,
    } | overrides  # fmt: skip
    return apply_recommendations(recs, **arguments)


def _operator_actions(audit: Path) -> list[tuple[str, str, dict]]:
    return [(r.actor, r.subject, r.data()) for r in read_records(audit)
            if r.kind == "operator_action"]  # fmt: skip


def test_a_pause_halts_the_breaker_in_the_journal_and_is_audited(run_dir):
    done = _apply(run_dir, [PAUSE])
    assert done == [{"strategy": "hold", "action": "pause", "result": "MONITORING -> HALTED"}]
    with BreakerJournal(run_dir / "breakers.sqlite") as journal:
        breaker = DrawdownBreaker.restore(journal.load()["strategy:hold"])
        last = journal.transitions("strategy:hold")[-1]
    assert breaker.state is BreakerState.HALTED and not breaker.allows_trading
    assert last.operator == "alice" and "stress test" in last.reason and last.ts_ns == NOW
    actions = _operator_actions(run_dir / "audit.sqlite")
    assert actions[-1][:2] == ("alice", "strategy:hold")
    assert actions[-1][2]["action"] == "halt"
    assert actions[-1][2]["reason"].startswith("stress test: its own stressed drawdown")
    assert verify(run_dir / "audit.sqlite").ok
    again = _apply(run_dir, [PAUSE])
    assert again == [{"strategy": "hold", "action": "pause", "result": "already halted"}]


def test_a_rebalance_writes_the_run_with_the_cut_allocation_and_is_audited(run_dir):
    done = _apply(run_dir, [CUT])
    assert done == [{"strategy": "sma", "action": "rebalance",
                     "result": "allocation 31250.5 in rebalanced.toml"}]  # fmt: skip
    rebalanced = load_run_file(run_dir / "rebalanced.toml")
    allocations = {s.name: str(s.allocation) for s in rebalanced.strategies}
    assert allocations == {"hold": "40000", "sma": "31250.5"}
    original = load_run_file(run_dir.parent / "run" / "run.toml")
    assert rebalanced.strategies[1].params == original.strategies[1].params
    assert Path(rebalanced.data[0].path).is_file()
    (action,) = _operator_actions(run_dir / "audit.sqlite")[-1:]
    assert action[2]["action"] == "rebalance" and "40000 -> 31250.5" in action[2]["reason"]
    with BreakerJournal(run_dir / "breakers.sqlite") as journal:  # the journal is untouched
        assert all(t.operator == "" for t in journal.transitions())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"operator": " "}, r"--operator=' ': is blank"),
        ({"journal_path": Path("/nowhere/breakers.sqlite")}, r"--journal=.*does not exist"),
    ],
)
def test_a_bad_apply_changes_nothing(run_dir, overrides, message):
    before = (run_dir / "audit.sqlite").read_bytes()
    with pytest.raises(StressError, match=message):
        _apply(run_dir, [CUT, PAUSE], **overrides)
    assert (run_dir / "audit.sqlite").read_bytes() == before
    assert not (run_dir / "rebalanced.toml").exists()


def test_a_strategy_missing_from_the_journal_refuses_the_whole_set(run_dir):
    ghost = {**PAUSE, "strategy": "ghost"}
    with pytest.raises(StressError, match=r"has no breaker \['strategy:ghost'\]"):
        _apply(run_dir, [PAUSE, ghost])
    with BreakerJournal(run_dir / "breakers.sqlite") as journal:
        assert DrawdownBreaker.restore(journal.load()["strategy:hold"]).allows_trading
