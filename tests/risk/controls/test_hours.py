"""Trading hours on the real XNYS calendar: sessions to the ns, a holiday, a weekend, a
half-day, DST, a lunch break (XHKG), the range edge, and 24/7."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ironkeel.model import InvalidInputError
from ironkeel.risk.controls import TradingHours
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import AAPL_ID, buy, view


def ns(text: str) -> int:
    return pd.Timestamp(text, tz="UTC").value


@pytest.fixture(scope="module")
def nyse() -> TradingHours:
    return TradingHours("XNYS", start=dt.date(2020, 1, 1), end=dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("offset", "is_open"),
    [(-1, False), (0, True), (1, True)],
)
def test_xnys_when_around_the_open_in_ns(nyse, offset, is_open):
    assert nyse.is_open(ns("2024-11-27 14:30") + offset) is is_open  # 09:30 EST


@pytest.mark.parametrize(("offset", "is_open"), [(-1, True), (0, False), (1, False)])
def test_xnys_when_around_the_close_in_ns(nyse, offset, is_open):
    assert nyse.is_open(ns("2024-11-27 21:00") + offset) is is_open  # 16:00 EST


@pytest.mark.parametrize(("offset", "is_open"), [(-1, True), (0, False), (1, False)])
def test_xnys_when_half_day_after_thanksgiving_then_it_closes_at_13_00(nyse, offset, is_open):
    assert nyse.is_open(ns("2024-11-29 18:00") + offset) is is_open  # 13:00 EST
    assert not nyse.is_open(ns("2024-11-29 20:00"))  # open on a normal day


def test_xnys_when_christmas_then_closed_and_the_reason_names_the_next_open(nyse):
    screen = view(now=ns("2024-12-25 15:00"))
    denial = nyse.check(Ticket(buy(1, 100, instrument=AAPL_ID)), screen)
    assert denial.code == "MARKET_CLOSED"
    assert "XNYS (AAPL.XNAS) is closed at 2024-12-25T15:00:00Z" in denial.reason
    assert "next open 2024-12-26T14:30:00Z" in denial.reason


def test_xnys_when_weekend_or_thanksgiving_then_closed(nyse):
    assert not nyse.is_open(ns("2024-11-30 15:00"))  # Saturday
    assert not nyse.is_open(ns("2024-12-01 15:00"))  # Sunday
    assert not nyse.is_open(ns("2024-11-28 15:00"))  # Thanksgiving
    assert nyse.is_open(ns("2024-12-02 15:00"))  # Monday


def test_xnys_when_summer_time_then_the_open_is_an_hour_earlier_in_utc(nyse):
    assert nyse.is_open(ns("2024-07-03 13:30"))
    assert not nyse.is_open(ns("2024-07-03 13:29:59.999999999"))


def test_xnys_when_checks_jump_around_then_the_cached_session_does_not_leak(nyse):
    times = ["2024-11-27 15:00", "2024-12-25 15:00", "2024-11-27 15:00", "2021-01-04 12:00"]
    assert [nyse.is_open(ns(t)) for t in times] == [True, False, True, False]


def test_xhkg_when_in_the_lunch_break_then_closed():
    hong_kong = TradingHours("XHKG", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert hong_kong.is_open(ns("2024-11-27 03:59"))  # 11:59 HKT
    screen = view(now=ns("2024-11-27 04:30"))  # 12:30 HKT
    denial = hong_kong.check(Ticket(buy(1, 100)), screen)
    assert denial is not None
    assert "break until 2024-11-27T05:00:00Z" in denial.reason
    assert hong_kong.is_open(ns("2024-11-27 05:00"))


def test_calendar_when_time_is_outside_the_loaded_range_then_closed_fail_closed(nyse):
    screen = view(now=ns("2030-03-04 15:00"))
    denial = nyse.check(Ticket(buy(1, 100)), screen)
    assert "outside the loaded calendar range 2020-01-01..2026-12-31" in denial.reason


def test_always_open_when_24_7_then_every_instant_is_open():
    hours = TradingHours("24/7")
    assert all(hours.is_open(t) for t in (0, ns("2024-12-25 03:00"), ns("2024-11-30 12:00")))


def test_calendar_when_name_is_unknown_then_refused_with_the_closest_name():
    with pytest.raises(InvalidInputError, match="did you mean 'XNYS'"):
        TradingHours("XNYSE")
