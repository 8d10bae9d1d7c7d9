"""When a request counts as received (docs/LAW.md, counting).

A request arriving by email or by hand after 17:00, or on a non-working day, counts as
received on the next working day; working days exclude weekends and England & Wales bank
holidays. The engine itself takes the received date as given; this helper is for front doors.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

CUT_OFF = time(17, 0)
UK = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; the library's ENG subdivision has them.
    # Imported on first use: the library is large and most commands never need a holiday.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England & Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    candidate = day + timedelta(days=1)
    while not is_working_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def received_on(arrived: datetime) -> date:
    """The day a request counts as received, given its arrival time.

    A naive time is taken as UK local time; an aware one is converted to it first.
    """
    if arrived.tzinfo is not None:
        arrived = arrived.astimezone(UK)
    day = arrived.date()
    if not is_working_day(day) or arrived.time() >= CUT_OFF:
        return next_working_day(day)
    return day
