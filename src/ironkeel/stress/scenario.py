"""Crash scenarios: shock paths per asset class, read from documented TOML files.

    name = "covid_2020"
    title = "COVID-19 crash, 19 Feb - 23 Mar 2020"
    start = "2020-02-19"                 # the real date of offset 0 (documentation)
    description = "..."

    [[sources]]
    id = "spdji"
    text = "S&P Dow Jones Indices, S&P 500 daily closes"
    url = "https://www.spglobal.com/spdji/en/indices/equity/sp-500/"

    [paths.equity]                       # an asset class, or any name used with --map
    reference = "S&P 500 index"
    sources = ["spdji"]
    approximate = false
    points = [["0d", "0"], ["33d", "-0.339"]]   # (offset from start, cumulative move)

A path is either ``points`` or ``series`` (a CSV of real bars, see ``series.py``). Offsets
are a number and a unit (s, m, h, d, w); moves are decimal fractions (-0.339 is -33.9%),
written as strings or numbers. Every error names the file, the key, the value and the fix.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from ironkeel.stress.series import series_path
from ironkeel.stress.shock import ScenarioError, ShockPath, build_path, parse_offset

__all__ = ["Scenario", "Source", "load_scenario", "shipped_scenario", "shipped_scenarios"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Source(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    text: str
    url: str = ""


class _PathEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reference: str
    sources: list[str]
    approximate: bool = False
    notes: str = ""
    points: list[list[Any]] | None = None
    series: str | None = None
    column: str = "close"


class _ScenarioFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    title: str
    description: str = ""
    start: str = ""
    sources: list[Source]
    paths: dict[str, _PathEntry]


class Scenario(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    title: str
    description: str
    start: str
    sources: tuple[Source, ...]
    paths: dict[str, ShockPath]
    file: str

    @property
    def duration_ns(self) -> int:
        return max(p.duration_ns for p in self.paths.values())


def _move(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ScenarioError(f'{where}: move {value!r} is not a number. Fix: write e.g. "-0.2"')
    try:
        move = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        raise ScenarioError(
            f'{where}: move {value!r} is not a number. Fix: write e.g. "-0.2"'
        ) from None
    if not move.is_finite() or move <= -1:
        raise ScenarioError(
            f"{where}: move {value!r} must be above -1 (a price cannot reach zero). "
            'Fix: write e.g. "-0.999" for -99.9%'
        )
    return move


def _points_path(name: str, entry: _PathEntry, where: str) -> ShockPath:
    offsets: list[int] = []
    moves: list[Decimal] = []
    for index, point in enumerate(entry.points or []):
        at = f"{where}.points[{index}]"
        if len(point) != 2:
            raise ScenarioError(
                f'{at}: {point!r} is not a pair. Fix: write [offset, move], e.g. ["1d", "-0.05"]'
            )
        offsets.append(parse_offset(point[0], at))
        moves.append(_move(point[1], at))
    return build_path(name, offsets, moves, f"{where}.points", **_info(entry))


def _info(entry: _PathEntry) -> dict[str, Any]:
    return {
        "reference": entry.reference,
        "sources": tuple(entry.sources),
        "approximate": entry.approximate,
        "notes": entry.notes,
    }


_UNKNOWN = re.compile(r"unknown field `(?P<key>[^`]+)`(?: - at `(?P<at>[^`]+)`)?")


def _decode(raw: dict[str, Any], file: str) -> _ScenarioFile:
    try:
        return msgspec.convert(raw, _ScenarioFile, strict=False)
    except msgspec.ValidationError as error:
        message = str(error)
        match = _UNKNOWN.search(message)
        if match:
            at = match["at"] or "$"
            if at.startswith("$.paths[...]"):  # msgspec does not name the dict key: find it
                tables = raw.get("paths", {})
                at = next((f"$.paths.{n}" for n, t in tables.items() if match["key"] in t), at)
            fields: tuple[str, ...] = _ScenarioFile.__struct_encode_fields__
            if ".paths" in at:
                fields = _PathEntry.__struct_encode_fields__
            elif ".sources" in at:
                fields = Source.__struct_encode_fields__
            close = difflib.get_close_matches(match["key"], list(fields), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "remove it"
            key = match["key"]
            raise ScenarioError(f"{file}: unknown key {key!r} at {at}. Fix: {hint}") from None
        raise ScenarioError(f"{file}: {message}. Fix: correct that value") from None


def _path(file: Path, name: str, entry: _PathEntry, ids: list[str]) -> ShockPath:
    where = f"{file}: paths.{name}"
    if not _NAME.match(name):
        raise ScenarioError(f"{where}: the name is not lower_snake_case. Fix: rename it")
    if not entry.sources:
        raise ScenarioError(f"{where}.sources is empty. Fix: cite one of {ids}")
    for source in entry.sources:
        if source not in ids:
            close = difflib.get_close_matches(source, ids, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {ids}"
            raise ScenarioError(f"{where}.sources: {source!r} is not a [[sources]] id. Fix: {hint}")
    if entry.points is not None and entry.series is None:
        return _points_path(name, entry, where)
    if entry.series is not None and entry.points is None:
        return series_path(name, file.parent / entry.series, column=entry.column, **_info(entry))
    raise ScenarioError(f'{where}: give exactly one of points = [...] or series = "FILE"')


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario file (see the module doc)."""
    file = Path(path)
    if not file.is_file():
        raise ScenarioError(f"{file}: no such scenario file. Fix: check the path")
    try:
        raw = msgspec.toml.decode(file.read_bytes())
    except msgspec.DecodeError as error:
        raise ScenarioError(f"{file}: not valid TOML: {error}. Fix: correct the syntax") from None
    parsed = _decode(raw, str(file))
    if not _NAME.match(parsed.name):
        raise ScenarioError(
            f'{file}: name {parsed.name!r} is not lower_snake_case. Fix: e.g. name = "my_crash"'
        )
    if not parsed.title.strip():
        raise ScenarioError(f"{file}: title is empty. Fix: say what the scenario is")
    if not parsed.sources:
        raise ScenarioError(f"{file}: no [[sources]]. Fix: cite where each figure comes from")
    ids = [s.id for s in parsed.sources]
    if not parsed.paths:
        raise ScenarioError(f"{file}: no [paths.*]. Fix: add e.g. [paths.equity] with points")
    paths = {name: _path(file, name, entry, ids) for name, entry in parsed.paths.items()}
    return Scenario(
        name=parsed.name,
        title=parsed.title,
        description=parsed.description,
        start=parsed.start,
        sources=tuple(parsed.sources),
        paths=paths,
        file=str(file),
    )


def _shipped_files() -> dict[str, Path]:
    folder = resources.files("ironkeel.stress") / "scenarios"
    return {
        entry.name.removesuffix(".toml"): Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    }


def shipped_scenarios() -> list[Scenario]:
    """Every scenario shipped with ironkeel, by name."""
    return [load_scenario(path) for path in _shipped_files().values()]


def shipped_scenario(name: str) -> Scenario:
    """One shipped scenario; an unknown name lists the closest and all names."""
    files = _shipped_files()
    if name not in files:
        close = difflib.get_close_matches(name, list(files), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ScenarioError(
            f"scenario {name!r} is not shipped. Fix: {hint}use one of {sorted(files)}, "
            "or --scenario-file PATH"
        )
    return load_scenario(files[name])
