"""The period rule, defined once (issue notes "Periods, defined once")."""

import datetime as dt

import pytest
from django.utils import translation

from ligestilling.lib import periods

D = dt.date


@pytest.mark.parametrize(("today", "first", "last"), [
    (D(2026, 12, 4), D(2025, 12, 1), D(2026, 11, 30)),   # the example of the issue notes
    (D(2027, 1, 1), D(2026, 1, 1), D(2026, 12, 31)),     # new year's day: last year exactly
    (D(2026, 1, 31), D(2025, 1, 1), D(2025, 12, 31)),
    (D(2026, 12, 31), D(2025, 12, 1), D(2026, 11, 30)),  # the running month never counts
    (D(2024, 3, 1), D(2023, 3, 1), D(2024, 2, 29)),      # ends on a leap day
])
def test_last_12_months_are_the_twelve_whole_months_before_this_one(today, first, last):
    period = periods.last_12_months(today)
    assert (period.date_from, period.date_to) == (first, last)
    assert len(period.months) == 12 and (today.year, today.month) not in period.months


@pytest.mark.parametrize(("today", "first"), [
    (D(2026, 12, 4), D(2026, 1, 1)), (D(2027, 1, 1), D(2027, 1, 1)), (D(2026, 12, 31), D(2026, 1, 1)),
])
def test_year_to_date_runs_from_new_year_to_today(today, first):
    period = periods.year_to_date(today)
    assert (period.date_from, period.date_to) == (first, today)
    assert periods.parse_period("ytd", today=today) == period


def test_the_parser_and_the_filter_use_the_same_rule():
    assert periods.parse_period("", today=D(2026, 12, 4)) == periods.last_12_months(D(2026, 12, 4))
    assert periods.parse_period("12m", today=D(2026, 12, 4)).date_to == D(2026, 11, 30)
    feb = periods.parse_period("2024-02")
    assert (feb.date_from, feb.date_to) == (D(2024, 2, 1), D(2024, 2, 29))
    custom = periods.custom(D(2025, 12, 15), D(2026, 1, 10))
    assert custom.months == [(2025, 12), (2026, 1)]
    with pytest.raises(ValueError):
        periods.custom(D(2026, 1, 2), D(2026, 1, 1))


def test_month_arithmetic_clamps_and_crosses_years():
    assert periods.add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
    assert periods.add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert periods.add_months(D(2026, 1, 12), -24) == D(2024, 1, 12)
    assert periods.add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)
    assert periods.month_end(D(2025, 12, 3)) == D(2025, 12, 31)


def test_dates_follow_the_active_language():
    period = periods.last_12_months(D(2026, 12, 4))
    with translation.override("da"):
        assert period.label() == "1. december 2025 – 30. november 2026"
        assert periods.month_label(2025, 1) == "jan. 2025"
    with translation.override("en"):
        assert period.label() == "Dec. 1, 2025 – Nov. 30, 2026"
        assert periods.month_label(2025, 1) == "Jan 2025"
    assert periods.date_da(D(2025, 3, 3)) == "3. marts 2025"
