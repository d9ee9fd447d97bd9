"""Scenario files: every shipped one parses, cites its sources and carries the documented
figures; user files and historical series are validated with errors that say where and how
to fix."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ironkeel.stress import (
    ScenarioError,
    load_scenario,
    shipped_scenario,
    shipped_scenarios,
)
from ironkeel.stress.shock import parse_offset
from tests.stress.conftest import write_scenario

SHIPPED = [
    "chf_unpeg_2015", "covid_2020", "flash_crash_2010", "ftx_2022", "lehman_2008",
    "luna_2022", "october_2008",
]  # fmt: skip
DAY = 86_400 * 10**9


def _move(before: str, after: str) -> Decimal:
    return (Decimal(after) / Decimal(before) - 1).quantize(Decimal("0.00001"))


def test_every_shipped_scenario_parses_and_every_path_cites_a_listed_source():
    scenarios = shipped_scenarios()
    assert [s.name for s in scenarios] == SHIPPED
    for scenario in scenarios:
        ids = {source.id for source in scenario.sources}
        assert all(source.text.strip() for source in scenario.sources), scenario.name
        assert scenario.title and scenario.description.strip()
        for path in scenario.paths.values():
            assert path.sources and set(path.sources) <= ids, (scenario.name, path.name)
            assert path.reference and path.notes, (scenario.name, path.name)
            assert path.offsets_ns[0] == 0 and path.moves[0] == 0


@pytest.mark.parametrize(
    ("name", "path", "offset_days", "move"),
    [
        ("covid_2020", "equity", 33, _move("3386.15", "2237.40")),  # S&P 500 19 Feb -> 23 Mar
        ("october_2008", "equity", 31, _move("1166.36", "968.75")),  # S&P 500 October 2008
        ("lehman_2008", "equity", 3, _move("1251.70", "1192.70")),  # 15 Sep 2008: -4.7%
        ("flash_crash_2010", "equity", 1, _move("10868.12", "10520.32")),  # DJIA close 6 May
    ],
)
def test_the_paths_carry_the_published_closes(name, path, offset_days, move):
    shock = shipped_scenario(name).paths[path]
    assert shock.moves[shock.offsets_ns.index(offset_days * DAY)] == move


def test_the_documented_headline_figures():
    covid = shipped_scenario("covid_2020").paths
    assert covid["equity"].end_move == Decimal("-0.33925")  # -33.9%
    flash = shipped_scenario("flash_crash_2010").paths["equity"]
    assert min(flash.moves) == _move("10868.12", "9869.62")  # -9.2% intraday, 998.5 points
    chf = shipped_scenario("chf_unpeg_2015").paths["fx"]
    assert min(chf.moves) == _move("1.2010", "0.85")  # EUR/CHF low within 15 minutes
    assert chf.offsets_ns[chf.moves.index(min(chf.moves))] == 15 * 60 * 10**9
    assert shipped_scenario("luna_2022").paths["luna"].end_move <= Decimal("-0.999")
    assert shipped_scenario("ftx_2022").paths["crypto"].moves[2] == Decimal("-0.24")  # 6-9 Nov


def test_an_unknown_shipped_name_suggests_the_closest():
    with pytest.raises(ScenarioError, match=r"did you mean 'covid_2020'\?"):
        shipped_scenario("covid_2021")


@pytest.mark.parametrize(
    ("text", "ns"),
    [("0m", 0), ("15m", 900 * 10**9), ("2d17h30m", (2 * 86_400 + 17 * 3600 + 1800) * 10**9),
     ("1.5h", 5400 * 10**9), ("1w", 7 * DAY)],
)  # fmt: skip
def test_offsets_are_numbers_with_units(text, ns):
    assert parse_offset(text, "x") == ns


BAD = [
    ('title = "A', 'titel = "A', r"unknown key 'titel' at \$\. Fix: did you mean 'title'\?"),
    ("reference =", "refrence =", r"unknown key 'refrence' at \$.paths.crypto.* 'reference'"),
    ('["30m", "{low}"]', '["30 minutes", "-0.5"]', r"points\[1\]: offset '30 minutes' .* Fix"),
    ('["30m", "{low}"]', '["30m", "-1"]', r"points\[1\]: move '-1' must be above -1"),
    ('["30m", "{low}"]', '["90m", "-0.5"]', r"points\[2\]: offset .* is not after the previous"),
    ('["0m", "0"]', '["0m", "0.1"]', r"the first point .* Fix: start the path at"),
    ('sources = ["made_up"]', 'sources = ["madeup"]', r"'madeup' is not a \[\[sources\]\] id"),
    ('sources = ["made_up"]', "sources = []", r"paths.crypto.sources is empty"),
    ('["30m", "{low}"]', '["30m"]', r"points\[1\]: \['30m'\] is not a pair"),
    ("points =", 'series = "x.csv"\npoints =', r"give exactly one of points"),
    ('name = "{name}"', 'name = "Big Crash"', r"name 'Big Crash' is not lower_snake_case"),
    ('["30m", "{low}"]', '["30m", "lots"]', r"move 'lots' is not a number"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_a_bad_scenario_file_names_the_file_key_value_and_fix(tmp_path, old, new, message):
    good = write_scenario(tmp_path, "x").read_text()
    old = old.replace("{low}", "-0.5").replace("{name}", "x")
    assert old in good
    path = tmp_path / "bad.toml"
    path.write_text(good.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=message) as error:
        load_scenario(path)
    assert str(path) in str(error.value)


def test_a_missing_or_broken_file_says_so(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "none.toml")
    (tmp_path / "broken.toml").write_text("name = ", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(tmp_path / "broken.toml")


def _series_scenario(tmp_path: Path, rows: str) -> Path:
    (tmp_path / "crash.csv").write_text(rows, encoding="utf-8")
    text = write_scenario(tmp_path, "series").read_text()
    start = text.index("points =")
    path = tmp_path / "series.toml"
    path.write_text(text[:start] + 'series = "crash.csv"\n', encoding="utf-8")
    return path


def test_a_historical_series_becomes_a_path_of_its_exact_returns(tmp_path):
    rows = "date,close\n2020-03-11,7910.5\n2020-03-12,4970.79\n2020-03-13T00:00:00Z,5563.71\n"
    scenario = load_scenario(_series_scenario(tmp_path, rows))
    path = scenario.paths["crypto"]
    assert path.offsets_ns == (0, DAY, 2 * DAY)
    assert path.moves == (0, Decimal("4970.79") / Decimal("7910.5") - 1,
                          Decimal("5563.71") / Decimal("7910.5") - 1)  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("date,price\n2020-03-11,1\n2020-03-12,2\n", r"no 'close' column .* set column ="),
        ("close\n1\n2\n", r"no time column"),
        ("date,close\n2020-03-11,1\n2020-03-12,-2\n", r"row 3, column 'close': '-2' is not a pos"),
        ("date,close\n2020-03-12,1\n2020-03-11,2\n", r"row 3: time '2020-03-11' is not after"),
        ("date,close\n2020-03-11,1\nyesterday,2\n", r"row 3, column 'date': 'yesterday' is not"),
        ("date,close\n2020-03-11,1\n", r"at least two rows"),
    ],
)
def test_a_bad_series_names_the_row_and_column(tmp_path, rows, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_series_scenario(tmp_path, rows))
