"""Reading ``stress.json`` (written by ``ironkeel stress`` into a run folder) for the
report, tolerant of missing optional keys: a scenario needs only a name."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Scenario", "StressResults", "read_stress"]


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    total_drawdown: float | None
    breached: bool | None
    strategies: dict[str, dict[str, float | None]]


@dataclass(frozen=True)
class StressResults:
    threshold: float | None
    scenarios: list[Scenario]
    recommendations: list[dict[str, str]] = field(default_factory=list)
    #: Why the file could not be used (the report says so instead of failing).
    problem: str | None = None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def read_stress(path: Path) -> StressResults | None:
    """The stress results in ``path``; None when the file does not exist; a result with
    ``problem`` set when it exists but cannot be read."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return StressResults(None, [], problem=f"{path.name} is not readable JSON: {error}")
    if not isinstance(data, dict):
        return StressResults(None, [], problem=f"{path.name} is not a JSON object")
    scenarios = []
    for k, raw in enumerate(data.get("scenarios") or []):
        if not isinstance(raw, dict):
            continue
        found = raw.get("strategies")
        per: dict[str, Any] = found if isinstance(found, dict) else {}
        scenarios.append(
            Scenario(
                name=str(raw.get("name", f"scenario {k + 1}")),
                title=str(raw.get("title") or raw.get("name") or f"scenario {k + 1}"),
                total_drawdown=_number(raw.get("total_drawdown")),
                breached=raw.get("breached") if isinstance(raw.get("breached"), bool) else None,
                strategies={
                    str(name): {
                        "drawdown": _number(v.get("drawdown")),
                        "return": _number(v.get("return")),
                    }
                    for name, v in per.items()
                    if isinstance(v, dict)
                },
            )
        )
    recommendations = [
        {key: str(r.get(key, "")) for key in ("strategy", "action", "reason")}
        for r in data.get("recommendations") or []
        if isinstance(r, dict)
    ]
    return StressResults(_number(data.get("threshold")), scenarios, recommendations)
