"""Reporting periods: a month (``2026-10``), a quarter (``2026-Q3``) or a year (``2026``).

Periods are calendar periods, as the national return (SEN2) counts by calendar year; a
quarter is Q1 = January to March. "Year to date" runs from 1 January of the period's year to
the period's last day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from statutory.errors import RuleViolation

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|[Qq](?P<quarter>[1-4])))?$")


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: date
    end: date
    """The last day, inclusive."""
    granularity: Granularity

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def year_to_date(self) -> Period:
        return Period(
            f"{self.start.year} to {self.end:%Y-%m}",
            date(self.end.year, 1, 1),
            self.end,
            Granularity.YEAR,
        )

    def months(self) -> list[Period]:
        """Each calendar month in the period, in order."""
        out, first = [], self.start
        while first <= self.end:
            out.append(month(first.year, first.month))
            first = out[-1].end + timedelta(days=1)
        return out


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return Period(f"{start:%Y-%m}", start, following - timedelta(days=1), Granularity.MONTH)


def year(number: int) -> Period:
    return Period(str(number), date(number, 1, 1), date(number, 12, 31), Granularity.YEAR)


def parse_period(text: str) -> Period:
    """``2026-10``, ``2026-Q3`` or ``2026``; anything else is refused with an example."""
    found = _PATTERN.match(text.strip())
    if not found or not 2000 <= int(found["year"]) <= 2100:
        raise RuleViolation(
            f"'{text}' is not a period: give a month (2026-10), a quarter (2026-Q3) or a year"
        )
    y = int(found["year"])
    if found["month"]:
        number = int(found["month"])
        if not 1 <= number <= 12:
            raise RuleViolation(f"'{text}': there is no month {number}")
        return month(y, number)
    if found["quarter"]:
        q = int(found["quarter"])
        first, last = month(y, 3 * q - 2), month(y, 3 * q)
        return Period(f"{y}-Q{q}", first.start, last.end, Granularity.QUARTER)
    return year(y)
