"""Counting conventions of docs/LAW.md ("Counting: calendar days, never moved...")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statutory.dates import (
    days_beginning_with,
    days_between,
    months_after,
    months_before,
    weeks_after,
    weeks_before,
    weeks_taken,
)

FAST = settings(max_examples=200, deadline=None)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@pytest.mark.parametrize(
    ("start", "weeks", "expected"),
    [
        # "N weeks from X" = X + 7N; the day of receipt is week 0.
        (date(2025, 1, 1), 6, date(2025, 2, 12)),  # +42
        (date(2025, 1, 1), 16, date(2025, 4, 23)),  # +112
        (date(2025, 1, 1), 20, date(2025, 5, 21)),  # +140
        (date(2025, 1, 1), 0, date(2025, 1, 1)),
        # Across a leap day: calendar days, no adjustment.
        (date(2024, 2, 1), 6, date(2024, 3, 14)),
        # Across a year end.
        (date(2025, 12, 1), 6, date(2026, 1, 12)),
    ],
)
def test_weeks_after(start: date, weeks: int, expected: date) -> None:
    assert weeks_after(start, weeks) == expected
    assert (expected - start).days == 7 * weeks


@pytest.mark.parametrize(("weeks", "days"), [(6, 42), (16, 112), (20, 140)])
def test_weeks_after_day_counts(weeks: int, days: int) -> None:
    start = date(2025, 3, 10)
    assert weeks_after(start, weeks) == start + timedelta(days=days)


def test_ombudsman_leeds_example() -> None:
    """LGO Leeds 25 018 809: request 21 May 2025 -> 16 weeks 10 Sep -> 20 weeks 8 Oct 2025."""
    request = date(2025, 5, 21)
    assert weeks_after(request, 16) == date(2025, 9, 10)
    assert weeks_after(request, 20) == date(2025, 10, 8)
    assert weeks_after(request, 6) == date(2025, 7, 2)


def test_statutory_limit_never_shifted_off_a_weekend() -> None:
    # 2025-05-24 is a Saturday; 6 weeks on is a Saturday too, and stays so.
    saturday = date(2025, 5, 24)
    assert weeks_after(saturday, 6) == date(2025, 7, 5)
    assert weeks_after(saturday, 6).weekday() == 5


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # reg 13(1): 15 days beginning with the day the draft was served -> served + 14.
        (date(2025, 9, 1), 15, date(2025, 9, 15)),
        (date(2025, 12, 20), 15, date(2026, 1, 3)),
        (date(2024, 2, 20), 15, date(2024, 3, 5)),  # leap year
        (date(2025, 9, 1), 1, date(2025, 9, 1)),  # a 1-day period is just that day
    ],
)
def test_days_beginning_with(start: date, days: int, expected: date) -> None:
    assert days_beginning_with(start, days) == expected


@pytest.mark.parametrize("days", [0, -1, -15])
def test_days_beginning_with_rejects_empty_period(days: int) -> None:
    with pytest.raises(ValueError):
        days_beginning_with(date(2025, 9, 1), days)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # "Within 12 months of D" = the same calendar date a year later.
        (date(2025, 11, 25), 12, date(2026, 11, 25)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # 29 Feb -> 28 Feb
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # ... unless the target year is leap
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # year roll-over
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 5, 21), 0, date(2025, 5, 21)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),  # negative months count back
    ],
)
def test_months_after(start: date, months: int, expected: date) -> None:
    assert months_after(start, months) == expected


@pytest.mark.parametrize(
    ("end", "months", "expected"),
    [
        (date(2026, 2, 15), 12, date(2025, 2, 15)),
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),  # year roll-back
        (date(2025, 2, 28), 12, date(2024, 2, 28)),
        (date(2025, 8, 31), 5, date(2025, 3, 31)),  # 5 months before a post-16 move
        (date(2025, 7, 31), 5, date(2025, 2, 28)),
    ],
)
def test_months_before(end: date, months: int, expected: date) -> None:
    assert months_before(end, months) == expected


@pytest.mark.parametrize(
    ("end", "weeks", "expected"),
    [
        # Phase transfer: latest meeting = 15 Feb - 12 weeks (84 days).
        (date(2025, 2, 15), 12, date(2024, 11, 23)),
        # Latest draft = 15 Feb - 8 weeks.
        (date(2025, 2, 15), 8, date(2024, 12, 21)),
        # Leap year: 15 Feb 2024 - 12 weeks.
        (date(2024, 2, 15), 12, date(2023, 11, 23)),
        (date(2026, 3, 31), 12, date(2026, 1, 6)),
    ],
)
def test_weeks_before(end: date, weeks: int, expected: date) -> None:
    assert weeks_before(end, weeks) == expected


def test_days_between_and_weeks_taken() -> None:
    assert days_between(date(2025, 5, 21), date(2025, 10, 8)) == 140
    assert days_between(date(2025, 10, 8), date(2025, 5, 21)) == -140
    assert weeks_taken(date(2025, 5, 21), date(2025, 10, 8)) == 20.0
    assert weeks_taken(date(2025, 5, 21), date(2025, 10, 9)) == 20.1
    assert weeks_taken(date(2025, 5, 21), date(2025, 5, 21)) == 0.0


# --- properties ---------------------------------------------------------------------------


@FAST
@given(DATES, st.integers(min_value=0, max_value=260))
def test_weeks_after_is_seven_days_a_week(d: date, n: int) -> None:
    later = weeks_after(d, n)
    assert (later - d).days == 7 * n
    assert later.weekday() == d.weekday()


@FAST
@given(DATES, st.integers(min_value=0, max_value=260))
def test_weeks_before_inverts_weeks_after(d: date, n: int) -> None:
    assert weeks_before(weeks_after(d, n), n) == d
    assert (d - weeks_before(d, n)).days == 7 * n
    assert weeks_before(d, n).weekday() == d.weekday()


@FAST
@given(DATES)
def test_twelve_months_is_same_date_next_year(d: date) -> None:
    later = months_after(d, 12)
    assert later.year == d.year + 1
    assert later.month == d.month
    assert later.day <= d.day
    if (d.month, d.day) == (2, 29):
        assert later == date(d.year + 1, 2, 28)
    else:
        assert later.day == d.day


@FAST
@given(DATES, st.integers(min_value=-240, max_value=240))
def test_months_after_lands_in_the_right_month(d: date, n: int) -> None:
    later = months_after(d, n)
    assert (later.year * 12 + later.month) - (d.year * 12 + d.month) == n
    assert later.day <= d.day
    # Clamped only when the day does not exist in the target month.
    if later.day < d.day:
        assert (later + timedelta(days=1)).day == 1


@FAST
@given(DATES, st.integers(min_value=0, max_value=240))
def test_months_before_is_months_after_negated(d: date, n: int) -> None:
    assert months_before(d, n) == months_after(d, -n)


@FAST
@given(DATES, st.integers(min_value=0, max_value=240))
def test_months_round_trip_where_defined(d: date, n: int) -> None:
    # Every month has a 28th, so a day <= 28 survives a trip back and forth.
    if d.day <= 28:
        assert months_after(months_before(d, n), n) == d
        assert months_before(months_after(d, n), n) == d
    else:
        assert months_after(months_before(d, n), n) <= d


@FAST
@given(DATES, st.integers(min_value=1, max_value=400))
def test_days_beginning_with_includes_first_day(d: date, n: int) -> None:
    assert (days_beginning_with(d, n) - d).days == n - 1
