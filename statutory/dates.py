"""Counting conventions shared by every statutory rule.

- All limits are calendar days: no weekend or bank-holiday shift of a statutory limit.
- "N weeks from X" is X + 7N days; the day of X is week 0 (6 weeks = +42 days).
- "N days beginning with the day on which X" includes that day: the last day is X + N - 1
  (reg 13(1): 15 days beginning with the day the draft was served ends on served + 14).
- "Within N months of D" is the same calendar date N months on; a date that does not exist
  in the target month (29 February, 31st) falls back to the month's last day.

These are plain functions on ``datetime.date``: the simulator calls them millions of times.
A date a person reads is written "1 Dec 2026" (``as_written``), whatever the machine's locale.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def weeks_after(start: date, weeks: int) -> date:
    """The date ``weeks`` weeks from ``start``, counting ``start`` as week 0."""
    return start + timedelta(days=7 * weeks)


def weeks_before(end: date, weeks: int) -> date:
    """Counting back from a fixed date (phase transfers) with the same arithmetic."""
    return end - timedelta(days=7 * weeks)


def days_beginning_with(start: date, days: int) -> date:
    """Last day of a period of ``days`` days that begins with (and includes) ``start``."""
    if days < 1:
        raise ValueError("a period beginning with a day lasts at least one day")
    return start + timedelta(days=days - 1)


def months_after(start: date, months: int) -> date:
    """Same calendar date ``months`` months on; 29 Feb -> 28 Feb, 31 Jan + 1 -> 28/29 Feb."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def months_before(end: date, months: int) -> date:
    """Same calendar date ``months`` months earlier, clamped to the month's last day."""
    return months_after(end, -months)


def days_between(earlier: date, later: date) -> int:
    """Whole days from ``earlier`` to ``later`` (negative when ``later`` is earlier)."""
    return (later - earlier).days


def weeks_taken(start: date, end: date) -> float:
    """Elapsed weeks, to one decimal, as councils report "weeks taken"."""
    return round((end - start).days / 7, 1)


def days_left_words(days_left: int) -> str:
    """How far off a date is, as alerts and reports say it: "due in 3 days", "due today",
    "1 day overdue" (``days_left`` below 0)."""
    n = abs(days_left)
    days = f"{n} day" if n == 1 else f"{n} days"
    if days_left > 0:
        return f"due in {days}"
    if days_left == 0:
        return "due today"
    return f"{days} overdue"


def as_written(day: date) -> str:
    """``date(2026, 12, 1)`` -> "1 Dec 2026": how letters, alerts and screens show a date
    (month names spelled here: ``strftime("%b")`` follows the machine's locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
