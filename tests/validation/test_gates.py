"""Gates: defaults, a TOML file over them, and refusals that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ironkeel.validation import SCENARIOS, Gates, GatesError, load_gates


def test_when_no_file_is_given_then_the_documented_defaults_apply() -> None:
    gates, base = load_gates(None)
    assert base is None
    assert gates.max_callback_ms == 50.0
    assert gates.max_orders_per_second == 10
    assert gates.allow_denials is False
    assert gates.scenarios == SCENARIOS
    assert gates.risk_config().strategy_defaults.submit_rate == 10


def test_when_a_file_changes_some_keys_then_the_rest_keep_their_defaults(tmp_path: Path) -> None:
    (tmp_path / "risk.toml").write_text("[strategy_defaults]\nsubmit_rate = 3\n", encoding="utf-8")
    path = tmp_path / "gates.toml"
    path.write_text(
        'max_callback_ms = 20\nallow_denials = true\nscenarios = ["rejects"]\nrisk = "risk.toml"\n',
        encoding="utf-8",
    )
    gates, base = load_gates(path)
    assert (gates.max_callback_ms, gates.allow_denials, gates.scenarios) == (
        20.0,
        True,
        ("rejects",),
    )
    assert gates.max_p99_ms == Gates().max_p99_ms
    assert gates.risk_config(base).strategy_defaults.submit_rate == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_calback_ms = 5\n", "did you mean 'max_callback_ms'"),
        ("max_callback_ms = -1\n", "must be above 0"),
        ('scenarios = ["outgae"]\n', "did you mean 'outage'"),
        ('max_orders_per_second = "ten"\n', "documented type"),
        ("max_callback_ms = \n", "not valid TOML"),
        ('risk = "missing.toml"\n', "cannot be read"),
    ],
)
def test_when_a_gate_is_wrong_then_the_error_names_it_and_the_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")

    def load() -> None:
        gates, base = load_gates(path)
        gates.risk_config(base)

    with pytest.raises(GatesError, match=message):
        load()
