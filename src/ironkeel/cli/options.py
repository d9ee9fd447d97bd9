"""Option values shared by several commands."""

from __future__ import annotations

from ironkeel.model.errors import IronkeelError

__all__ = ["param_pairs"]


def param_pairs(pairs: list[str]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dict (the strategy parses the values)."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise IronkeelError(
                f"--param {pair!r} is not KEY=VALUE. Fix: write e.g. --param fast=12"
            )
        params[key.strip()] = value.strip()
    return params
