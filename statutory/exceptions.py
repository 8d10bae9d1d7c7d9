"""Exceptions to the EHC time limits, and the "pause" they give operational targets.

The statute never moves a deadline: an exception lifts the duty to meet it (the step is then
due "as soon as practicable"). National statistics report timeliness both including and
excluding exception cases. So the engine keeps the statutory date unchanged and derives an
operational target = statutory date + the exception's length, so reminders stay useful.

- reg 5(4), 10(4), 13(3): (a) school closure, (b) early-years closure, (c) exceptional
  personal circumstances, (d) absence from the area for at least 4 continuous weeks.
- reg 8(2) (professional advice): (a) personal circumstances, (b) absence from the area for
  at least 4 continuous weeks, (c) failure to keep an appointment. No closure exception.
- reg 2A (SI 2020/471): coronavirus, 1 May 2020 to 25 September 2020 inclusive, any limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from statutory import bounds
from statutory.dates import as_written
from statutory.errors import RuleViolation


class Reason(StrEnum):
    SCHOOL_CLOSURE = "school-closure"
    EARLY_YEARS_CLOSURE = "early-years-closure"
    PERSONAL_CIRCUMSTANCES = "personal-circumstances"
    ABSENCE_FROM_AREA = "absence-from-area"
    MISSED_APPOINTMENT = "missed-appointment"
    CORONAVIRUS = "coronavirus"


#: Reasons that lift the local authority's own limits (decide to assess, decide not to issue,
#: final plan): reg 5(4), 10(4), 13(3), plus reg 2A.
LA_STEP_REASONS = frozenset(
    {
        Reason.SCHOOL_CLOSURE,
        Reason.EARLY_YEARS_CLOSURE,
        Reason.PERSONAL_CIRCUMSTANCES,
        Reason.ABSENCE_FROM_AREA,
        Reason.CORONAVIRUS,
    }
)
#: Reasons that lift an adviser's 6-week limit: reg 8(2), plus reg 2A.
ADVICE_REASONS = frozenset(
    {
        Reason.PERSONAL_CIRCUMSTANCES,
        Reason.ABSENCE_FROM_AREA,
        Reason.MISSED_APPOINTMENT,
        Reason.CORONAVIRUS,
    }
)

#: Reasons that lift the 14 weeks of a re-assessment: reg 27(3)(a)-(d), the same four
#: circumstances as reg 13(3).
REASSESSMENT_REASONS = LA_STEP_REASONS - {Reason.CORONAVIRUS}
#: Reasons that lift a Tribunal order's limits (reg 44(3)): the closures of reg 13(3)(a)-(b),
#: exceptional personal circumstances, absence from the area for 2 continuous weeks.
ORDER_REASONS = frozenset(
    {
        Reason.SCHOOL_CLOSURE,
        Reason.EARLY_YEARS_CLOSURE,
        Reason.PERSONAL_CIRCUMSTANCES,
        Reason.ABSENCE_FROM_AREA,
    }
)

REGULATION: dict[Reason, str] = {
    Reason.SCHOOL_CLOSURE: "reg 5(4)(a), 10(4)(a), 13(3)(a)",
    Reason.EARLY_YEARS_CLOSURE: "reg 5(4)(b), 10(4)(b), 13(3)(b)",
    Reason.PERSONAL_CIRCUMSTANCES: "reg 5(4)(c), 8(2)(a), 10(4)(c), 13(3)(c)",
    Reason.ABSENCE_FROM_AREA: "reg 5(4)(d), 8(2)(b), 10(4)(d), 13(3)(d)",
    Reason.MISSED_APPOINTMENT: "reg 8(2)(c)",
    Reason.CORONAVIRUS: "reg 2A (SI 2020/471)",
}

CORONAVIRUS_FIRST_DAY = date(2020, 5, 1)
CORONAVIRUS_LAST_DAY = date(2020, 9, 25)
#: "at least 4 continuous weeks" (closures, absence from the area).
MIN_CONTINUOUS_DAYS = 28


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_reason(text: str) -> Reason:
    try:
        return Reason(text)
    except ValueError:
        known = ", ".join(r.value for r in Reason)
        raise RuleViolation(f"unknown exception reason '{text}' (known: {known})") from None


def check_period(reason: Reason, period: Period) -> None:
    """Reject a period that cannot be an exception of this kind, whatever the case."""
    bounds.check_days(
        (period.start, f"{reason.value}: the first day"),
        (period.end, f"{reason.value}: the last day"),
    )
    if period.end < period.start:
        raise RuleViolation(
            f"{reason.value}: the period ends ({as_written(period.end)}) before it starts ({as_written(period.start)})"
        )
    needs_four_weeks = {
        Reason.SCHOOL_CLOSURE,
        Reason.EARLY_YEARS_CLOSURE,
        Reason.ABSENCE_FROM_AREA,
    }
    if reason in needs_four_weeks and period.days < MIN_CONTINUOUS_DAYS:
        raise RuleViolation(
            f"{reason.value}: the law needs at least 4 continuous weeks (28 days); "
            f"{as_written(period.start)} to {as_written(period.end)} is {period.days} days"
        )
    if reason is Reason.CORONAVIRUS and (
        period.start < CORONAVIRUS_FIRST_DAY or period.end > CORONAVIRUS_LAST_DAY
    ):
        raise RuleViolation(
            "coronavirus: the exception only covers 1 May 2020 to 25 September 2020 (reg 2A)"
        )


def closure_window(closure: Period) -> Period:
    """When advice must have been requested from the school for a closure to count.

    reg 5(4)(a): from 1 week before the closure begins to 1 week before the school reopens
    (the day after the closure's last day).
    """
    return Period(closure.start - timedelta(days=7), closure.end + timedelta(days=1 - 7))


def check_closure_covers_request(
    reason: Reason, closure: Period, educational_requests: Iterable[date]
) -> None:
    """A closure counts only if educational advice was requested within its window."""
    window = closure_window(closure)
    if not any(window.start <= d <= window.end for d in educational_requests):
        raise RuleViolation(
            f"{reason.value}: applies only when educational advice was requested between "
            f"{as_written(window.start)} and {as_written(window.end)} (1 week before the closure to 1 week before "
            "reopening), and none was"
        )


def merged(periods: Iterable[Period], clock_start: date) -> list[Period]:
    """Periods clipped to begin no earlier than the clock, overlaps merged, in date order."""
    clipped = sorted(
        Period(max(p.start, clock_start), p.end) for p in periods if p.end >= clock_start
    )
    out: list[Period] = []
    for p in clipped:
        if out and p.start <= out[-1].end + timedelta(days=1):
            last = out[-1]
            out[-1] = Period(last.start, max(last.end, p.end))
        else:
            out.append(p)
    return out


def operational_target(due: date, clock_start: date, periods: Iterable[Period]) -> date:
    """The statutory date plus the length of every exception that began before it was reached.

    The clock is paused while an exception runs: a period that starts on or before the
    (already extended) target adds its length; one that starts later cannot have caused a
    miss and adds nothing.
    """
    target = due
    for p in merged(periods, clock_start):
        if p.start > target:
            break
        target += timedelta(days=p.days)
    return target
