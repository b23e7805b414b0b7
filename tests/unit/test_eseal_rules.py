"""E-seal rules: the fee schedule arithmetic, paid periods and reminder days (pure Python)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rules import eseal

SCHEDULE = {"first_key": Decimal("1000.00"), "annual_fee": Decimal("1000.00"), "replacement_key": Decimal("800.00")}


@pytest.mark.parametrize("kind, years, expected", [
    ("first", 1, "1000.00"),      # the first key includes its first year
    ("first", 3, "3000.00"),      # + two annual fees
    ("renewal", 1, "1000.00"),
    ("renewal", 5, "5000.00"),
    ("replacement", 1, "800.00"),  # a new key; the paid period carries over
])
def test_application_fee(kind, years, expected):
    assert eseal.application_fee(kind, years, SCHEDULE) == Decimal(expected)


def test_fee_follows_the_schedule_data():
    cheaper = {**SCHEDULE, "annual_fee": Decimal("600")}
    assert eseal.application_fee("first", 2, cheaper) == Decimal("1600")


@pytest.mark.parametrize("kind, years", [("first", 0), ("renewal", 6), ("lease", 1)])
def test_application_fee_refuses_nonsense(kind, years):
    with pytest.raises(ValueError):
        eseal.application_fee(kind, years, SCHEDULE)


@pytest.mark.parametrize("raw, expected", [("1", 1), ("5", 5), ("", 1), (None, 1), ("0", None), ("6", None),
                                           ("x", None), (" 2 ", 2)])
def test_parse_years(raw, expected):
    assert eseal.parse_years("first", raw) == expected


def test_replacement_is_always_one_year():
    assert eseal.parse_years("replacement", "4") == 1


def test_add_years_handles_29_february():
    assert eseal.add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)
    assert eseal.add_years(dt.date(2026, 11, 23), 2) == dt.date(2028, 11, 23)


def test_renewal_extends_from_the_end_or_from_today_when_lapsed():
    end = dt.date(2027, 1, 31)
    assert eseal.paid_until_after_renewal(end, dt.date(2027, 1, 1), 1) == dt.date(2028, 1, 31)
    assert eseal.paid_until_after_renewal(end, dt.date(2027, 3, 1), 1) == dt.date(2028, 3, 1)


def test_reminders_30_7_1_once_each():
    end = dt.date(2027, 6, 30)
    sent: list[int] = []
    due_days = []
    for offset in range(40, -2, -1):
        day = end - dt.timedelta(days=offset)
        due = eseal.reminder_due(end, day, sent)
        if due is not None:
            sent.append(due)
            due_days.append(offset)
    assert sent == [30, 7, 1] and due_days == [30, 7, 1]


def test_a_job_that_missed_days_sends_only_the_most_urgent_reminder():
    end = dt.date(2027, 6, 30)
    assert eseal.reminder_due(end, end - dt.timedelta(days=5), []) == 7
    assert eseal.reminder_due(end, end - dt.timedelta(days=5), [7]) is None
    assert eseal.reminder_due(end, end + dt.timedelta(days=1), []) is None


def test_overdue_from_the_day_after_the_paid_period():
    end = dt.date(2027, 6, 30)
    assert not eseal.is_overdue(end, end)
    assert eseal.is_overdue(end, end + dt.timedelta(days=1))


@pytest.mark.parametrize("payer, company, differs", [
    ("杭州某某科技有限公司", "杭州某某科技有限公司", False),
    ("杭州某某科技有限公司 ", "杭州某某科技有限公司", False),
    ("杭州某某（集团）有限公司", "杭州某某(集团)有限公司", False),
    ("张三", "杭州某某科技有限公司", True),
])
def test_payer_other_than_the_company_is_flagged(payer, company, differs):
    assert eseal.payer_differs(payer, company) is differs


@pytest.mark.parametrize("value, ok", [("100070", True), ("10007", False), ("1000700", False), ("10007a", False),
                                       ("", False), (None, False)])
def test_postcode(value, ok):
    assert eseal.postcode_ok(value) is ok
