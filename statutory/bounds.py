"""What a plausible date is, for each kind of date a case holds.

- Every date of a case (a request received, a plan made, an event, a meeting, a move, an
  exception's period) lies between 1 September 2014, when Part 3 of the Children and Families
  Act 2014 and the SEND Regulations 2014 came into force, and ``HORIZON``. A request or plan
  cannot be dated in the future either; the rules check that against "today".
- A child or young person is under 25 on the day of the request or plan (CFA s83(2): the
  0-25 system), and cannot be born after it.
- A date set ahead of the day it is recorded (a meeting booked, an exception's end) is no
  more than ``AHEAD_YEARS`` after it, and an exception starts no more than ``AHEAD_YEARS``
  before the request it excuses.

Within these bounds every date the rules compute exists (``datetime.date`` stops at
9999-12-31), so a typing slip such as 9999-12-31 or 0001-01-01 is refused with one sentence
instead of reaching a workflow that cannot count from it. Each check raises ``RuleViolation``
(a ``ValueError``, so a pydantic validator reports it as the field's error).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from statutory.dates import months_after, months_before
from statutory.errors import RuleViolation

REGIME_START = date(2014, 9, 1)
"""CFA 2014 Part 3 commencement: the first day an EHC request or plan can be dated."""
HORIZON = date(2099, 12, 31)
"""No date of a case is later: far beyond any plan of anyone now 0-25, and far short of the
last date a computer can count to."""
AGE_LIMIT_YEARS = 25
"""A young person is under 25 (CFA s83(2))."""
EARLIEST_BIRTH = months_before(REGIME_START, 12 * AGE_LIMIT_YEARS)
"""Anyone born earlier was 25 before the EHC system began."""
AHEAD_YEARS = 3
"""How far ahead of the day it is recorded a date may be set (a meeting, an exception's end),
and how far before the request an exception may start."""
MAX_NUMBER = 999
"""Advice requests and setting consultations are numbered 1, 2, ... within a case."""

_REGIME_START_WORDS = "1 Sep 2014, when the EHC system began (CFA 2014 Part 3)"
_HORIZON_WORDS = "31 Dec 2099, later than any date a case can have"


def check_day(day: date, what: str = "the date") -> date:
    """``day`` if it can be a date of a case, else ``RuleViolation`` saying why."""
    if day < REGIME_START:
        raise RuleViolation(f"{what} ({day.isoformat()}) is before {_REGIME_START_WORDS}")
    if day > HORIZON:
        raise RuleViolation(f"{what} ({day.isoformat()}) is after {_HORIZON_WORDS}")
    return day


def check_days(*days: tuple[date | None, str]) -> None:
    """``check_day`` for each (day, what) given; None (not known yet) is skipped."""
    for day, what in days:
        if day is not None:
            check_day(day, what)


def check_birth_day(born: date) -> date:
    """A date of birth of someone who can be in the 0-25 system at some time.

    Like every message about a date of birth, this one does not repeat it: it is personal data.
    """
    if born < EARLIEST_BIRTH or born > HORIZON:
        raise RuleViolation("the date of birth is outside the 0-25 system (CFA s83(2))")
    return born


def check_age(born: date, on: date, what: str) -> None:
    """Born on or before ``on`` (a day within bounds) and under 25 on it (CFA s83(2))."""
    if born > on:
        raise RuleViolation(f"the date of birth is after {what}")
    if months_after(born, 12 * AGE_LIMIT_YEARS) <= on:
        raise RuleViolation(
            f"the date of birth makes the child or young person 25 or over when {what}: "
            "the EHC system is for ages 0 to 25 (CFA s83(2))"
        )


def check_ahead(day: date, recorded: date, what: str) -> None:
    """``day`` no more than ``AHEAD_YEARS`` after ``recorded``, the day it was recorded."""
    if day > months_after(recorded, 12 * AHEAD_YEARS):
        raise RuleViolation(
            f"{what} ({day.isoformat()}) is more than {AHEAD_YEARS} years after the day it "
            f"is recorded ({recorded.isoformat()})"
        )


def check_behind(day: date, base: date, what: str, base_what: str) -> None:
    """``day`` no more than ``AHEAD_YEARS`` before ``base`` (one of the case's own dates)."""
    if day < months_before(base, 12 * AHEAD_YEARS):
        raise RuleViolation(
            f"{what} ({day.isoformat()}) is more than {AHEAD_YEARS} years before {base_what} "
            f"({base.isoformat()})"
        )


def _case_day(day: date) -> date:
    return check_day(day)


CaseDay = Annotated[date, AfterValidator(_case_day)]
"""A date field of a case: between 1 Sep 2014 and ``HORIZON`` (``check_day``)."""
