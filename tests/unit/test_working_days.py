"""When a request counts as received: after 17:00 or on a non-working day -> next working day."""

# Arrival times are naive local (UK) wall-clock times, as received_on expects.
# ruff: noqa: DTZ001

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from statutory.working_days import is_working_day, next_working_day, received_on


@pytest.mark.parametrize(
    ("arrived", "expected"),
    [
        # A weekday before 17:00 counts that day.
        (datetime(2025, 5, 21, 9, 0), date(2025, 5, 21)),
        (datetime(2025, 5, 21, 0, 0), date(2025, 5, 21)),
        (datetime(2025, 5, 21, 16, 59, 59), date(2025, 5, 21)),
        # 17:00 or later: the next working day.
        (datetime(2025, 5, 21, 17, 0), date(2025, 5, 22)),
        (datetime(2025, 5, 21, 23, 59), date(2025, 5, 22)),
        # Friday evening -> Monday.
        (datetime(2025, 5, 16, 18, 0), date(2025, 5, 19)),
        # Saturday and Sunday, any time -> Monday.
        (datetime(2025, 5, 17, 10, 0), date(2025, 5, 19)),
        (datetime(2025, 5, 18, 8, 0), date(2025, 5, 19)),
        # Saturday before the Spring bank holiday (26 May 2025) -> Tuesday.
        (datetime(2025, 5, 24, 10, 0), date(2025, 5, 27)),
        # Christmas Eve after 17:00: Christmas, Boxing Day, then the weekend.
        (datetime(2025, 12, 24, 18, 0), date(2025, 12, 29)),
        # Christmas Eve morning is a working day.
        (datetime(2025, 12, 24, 10, 0), date(2025, 12, 24)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (datetime(2026, 4, 2, 17, 30), date(2026, 4, 7)),
        (datetime(2026, 4, 3, 9, 0), date(2026, 4, 7)),
        (datetime(2026, 4, 6, 11, 0), date(2026, 4, 7)),
        (datetime(2026, 4, 2, 16, 0), date(2026, 4, 2)),
        # New Year's Day 2026 is a Thursday.
        (datetime(2025, 12, 31, 17, 0), date(2026, 1, 2)),
        # One-off bank holidays: State Funeral 19 Sep 2022, Coronation 8 May 2023.
        (datetime(2022, 9, 16, 17, 30), date(2022, 9, 20)),
        (datetime(2023, 5, 5, 17, 0), date(2023, 5, 9)),
    ],
)
def test_received_on(arrived: datetime, expected: date) -> None:
    assert received_on(arrived) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 5, 21), True),
        (date(2025, 5, 24), False),  # Saturday
        (date(2025, 5, 25), False),  # Sunday
        (date(2025, 5, 26), False),  # Spring bank holiday
        (date(2025, 8, 25), False),  # Summer bank holiday (England, not Scotland's 4 Aug)
        (date(2025, 8, 4), True),
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2025, 12, 25), False),
        (date(2025, 12, 26), False),
        (date(2025, 3, 17), True),  # St Patrick's Day: Northern Ireland only
        (date(2025, 1, 2), True),  # 2 January: Scotland only
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_next_working_day_is_strictly_after() -> None:
    assert next_working_day(date(2025, 5, 21)) == date(2025, 5, 22)
    assert next_working_day(date(2025, 12, 24)) == date(2025, 12, 29)
    # Boxing Day 2026 is a Saturday: the substitute day is Monday 28 December.
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_received_on_reads_an_aware_time_in_uk_local_time() -> None:
    # 16:30 UTC on 21 May 2025 is 17:30 BST: after 17:00, so received on 22 May.
    assert received_on(datetime(2025, 5, 21, 16, 30, tzinfo=UTC)) == date(2025, 5, 22)
    # 15:59 UTC is 16:59 BST: the same day.
    assert received_on(datetime(2025, 5, 21, 15, 59, tzinfo=UTC)) == date(2025, 5, 21)
    # In winter the UK is on GMT: 16:30 UTC is 16:30 local.
    assert received_on(datetime(2025, 1, 15, 16, 30, tzinfo=UTC)) == date(2025, 1, 15)
    # 23:30 UTC on Friday 23 May is 00:30 BST on Saturday: next working day after the
    # Spring bank holiday is Tuesday 27 May.
    assert received_on(datetime(2025, 5, 23, 23, 30, tzinfo=UTC)) == date(2025, 5, 27)
    # Any zone is converted: 09:00 in New York (EDT) is 14:00 in London.
    new_york = timezone(timedelta(hours=-4))
    assert received_on(datetime(2025, 5, 21, 9, 0, tzinfo=new_york)) == date(2025, 5, 21)
    assert received_on(datetime(2025, 5, 21, 12, 30, tzinfo=new_york)) == date(2025, 5, 22)
