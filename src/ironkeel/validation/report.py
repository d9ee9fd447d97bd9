"""The validation report: stages, their gates (PASS/FAIL with findings), the exit code,
and the JSON form (``ValidationReport.to_json``; the format is in docs/validation.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_GATE_FAILED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "REPORT_VERSION",
    "GateResult",
    "StageResult",
    "ValidationReport",
]

EXIT_OK: Final = 0
#: The validator's own inputs are wrong (data file, gates file, --param syntax).
EXIT_BAD_INPUT: Final = 2
#: The script is refused before it runs: static, dependency or load/parameter checks.
EXIT_REFUSED: Final = 3
#: The script ran, and a performance or fault-scenario gate failed.
EXIT_GATE_FAILED: Final = 4
REPORT_VERSION: Final = 1
_REFUSING: Final = ("static", "dependencies", "load")


@dataclass
class GateResult:
    """One gate of one stage: passed or not, a one-line detail and the findings."""

    gate: str
    passed: bool
    detail: str
    findings: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def ok(cls, gate: str, detail: str) -> GateResult:
        return cls(gate, passed=True, detail=detail)

    @classmethod
    def fail(
        cls, gate: str, detail: str, findings: list[dict[str, Any]] | None = None
    ) -> GateResult:
        return cls(gate, passed=False, detail=detail, findings=findings or [])

    @classmethod
    def check(
        cls, gate: str, passed: bool, detail: str, findings: list[dict[str, Any]] | None = None
    ) -> GateResult:
        return cls(gate, passed=passed, detail=detail, findings=findings or [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "passed": self.passed,
            "detail": self.detail,
            "findings": self.findings,
        }


@dataclass
class StageResult:
    """One stage: ``passed``, ``failed`` or ``skipped`` (an earlier stage refused)."""

    name: str
    status: str
    gates: list[GateResult] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def judged(cls, name: str, gates: list[GateResult], **details: Any) -> StageResult:
        status = "passed" if all(g.passed for g in gates) else "failed"
        return cls(name, status, gates, details)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "gates": [g.to_dict() for g in self.gates],
            "details": self.details,
        }


@dataclass
class ValidationReport:
    """Everything ``validate`` found about one script."""

    script: str
    sha256: str
    params: dict[str, Any]
    gates: dict[str, Any]
    data: str
    stages: list[StageResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(s.status != "failed" for s in self.stages) and bool(self.stages)

    @property
    def exit_code(self) -> int:
        failed = [s.name for s in self.stages if s.status == "failed"]
        if not failed:
            return EXIT_OK
        return EXIT_REFUSED if failed[0] in _REFUSING else EXIT_GATE_FAILED

    def failures(self) -> list[tuple[str, GateResult]]:
        return [(s.name, g) for s in self.stages for g in s.gates if not g.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "script": self.script,
            "sha256": self.sha256,
            "params": self.params,
            "data": self.data,
            "passed": self.passed,
            "exit_code": self.exit_code,
            "gates": self.gates,
            "stages": [s.to_dict() for s in self.stages],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, default=str) + "\n"
