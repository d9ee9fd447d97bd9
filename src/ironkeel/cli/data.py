"""``ironkeel data import``: validate a data file and store it in the Parquet catalog."""

from __future__ import annotations

from pathlib import Path

__all__ = ["import_command"]


def import_command(
    path: Path,
    *,
    catalog: Path,
    symbol: str,
    kind: str,
    instruments: Path | None,
    policy: str,
    currency: str,
) -> None:
    raise NotImplementedError("wired once the catalog lands")
