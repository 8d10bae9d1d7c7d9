"""Dates as people write and read them.

In: ``YYYY-MM-DD`` or the UK's ``DD/MM/YYYY`` (command-line options and imported CSV files
share this one parser). Out: "1 Dec 2026" wherever a person reads a date; JSON and CSV keep
ISO ``YYYY-MM-DD``. Month names are spelled in ``statutory.dates`` rather than by
``strftime("%b")``, which follows the machine's locale.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from statutory.dates import MONTHS as MONTHS  # re-exported: month names for headings
from statutory.dates import as_written

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str) -> date:
    """A calendar date written ``YYYY-MM-DD`` or ``DD/MM/YYYY``, and nothing else.

    ``date.fromisoformat`` alone would also take ``20250521`` and week dates (``2025-W21-3``),
    and ``06/14/2019`` (US order) must not be read as anything: ``ValueError`` for all of them.
    """
    text = text.strip()
    if ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    elif match := UK_DAY.fullmatch(text):
        day_of_month, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day_of_month)
        except ValueError:
            pass
    raise ValueError(f"'{text}' is not a real date: use YYYY-MM-DD or DD/MM/YYYY")


def day(value: date | None, blank: str = "") -> str:
    """``date(2026, 12, 1)`` -> "1 Dec 2026"; ``blank`` for no date."""
    return blank if value is None else as_written(value)


def moment(value: datetime) -> str:
    """A time of day as people read it, in the zone it carries: "1 Dec 2026 08:00"."""
    return f"{day(value.date())} {value:%H:%M}"


def period(start: date, end: date) -> str:
    """Both days included: "10 Jul 2026 to 20 Aug 2026"."""
    return f"{day(start)} to {day(end)}"


def count(n: int, thing: str, things: str | None = None) -> str:
    """``count(1, "day")`` -> "1 day"; ``count(3, "day")`` -> "3 days"."""
    return f"{n} {thing if n == 1 else (things or thing + 's')}"
