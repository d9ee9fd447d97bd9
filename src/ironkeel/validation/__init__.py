"""Pre-deployment validation of a strategy script: static checks, dependencies, parameters,
performance against historical data, and fault scenarios on the simulated exchange.

    from ironkeel.validation import validate
    report = validate("examples/strategies/sma_cross.py", {"fast": 12})
    report.passed, report.exit_code, report.to_json()
"""

from ironkeel.validation.gates import SCENARIOS, Gates, GatesError, load_gates
from ironkeel.validation.pipeline import validate
from ironkeel.validation.report import (
    EXIT_BAD_INPUT,
    EXIT_GATE_FAILED,
    EXIT_OK,
    GateResult,
    ValidationReport,
)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_GATE_FAILED",
    "EXIT_OK",
    "SCENARIOS",
    "GateResult",
    "Gates",
    "GatesError",
    "ValidationReport",
    "load_gates",
    "validate",
]
