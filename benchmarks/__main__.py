"""Run every benchmark module in a fresh process (so peak memory is its own) and relay
its JSON lines. ``python -m benchmarks [name ...]`` runs a subset."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "core_loop", "sim_exchange", "strategy_loop", "risk_checks", "sandbox", "stress", "analytics",
    "validation",
]  # fmt: skip


def main(argv: list[str]) -> int:
    chosen = argv or MODULES
    unknown = sorted(set(chosen) - set(MODULES))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {MODULES}", file=sys.stderr)
        return 2
    failed = 0
    for name in chosen:
        result = subprocess.run(  # noqa: S603 - runs our own module with our own interpreter
            [sys.executable, "-m", f"benchmarks.{name}"], check=False
        )
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
