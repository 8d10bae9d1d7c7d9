"""The scenario's weeks: demand, capacity and priority policy in force in each simulated week.

Week ``w`` runs from ``start + 7w`` for seven days (``statutory.dates.weeks_after``). A dated
change (``[[capacity.changes]]``, ``[[priority.changes]]``) applies to the weeks whose first day
is on or after its ``start`` and, when it has an ``end``, on or before that ``end``. A fixed
number outsourced is spread evenly over the weeks of its period, in whole cases that add up to
the number stated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from scenarios.model import CapacityChange, Policy, Scenario
from statutory.dates import weeks_after

WEEKS_PER_YEAR = 365.25 / 7


@dataclass(frozen=True, slots=True)
class Week:
    index: int
    start: date
    end: date
    requests_expected: float
    caseworkers: float
    statutory_hours: float
    psychology: int
    psychology_outsourced: int
    reviews_outsourced: int
    policy: Policy


def applies(change_start: date, change_end: date | None, week_start: date) -> bool:
    """Whether a dated change is in force in the week that starts on ``week_start``."""
    return change_start <= week_start and (change_end is None or week_start <= change_end)


def spread(total: int, weeks_in_period: int, k: int) -> int:
    """Whole cases in the ``k``-th week of a period, so that the weeks add up to ``total``."""
    if k < 0 or k >= weeks_in_period:
        return 0
    return math.floor(total * (k + 1) / weeks_in_period) - math.floor(total * k / weeks_in_period)


def period_weeks(change: CapacityChange, first_week_start: date) -> tuple[date, int]:
    """First week start of the change's period and the number of weeks it spans."""
    offset = (-(change.start - first_week_start).days) % 7
    first = change.start + timedelta(days=offset)
    assert change.end is not None
    return first, max(1, (change.end - first).days // 7 + 1)


def season_factors(scenario: Scenario) -> tuple[float, ...]:
    """Monthly demand factors scaled to average 1, so requests_per_week stays the average."""
    if scenario.demand.seasonality is None:
        return (1.0,) * 12
    raw = scenario.demand.seasonality.value
    mean = sum(raw) / 12
    return tuple(f / mean for f in raw)


def weeks(scenario: Scenario) -> list[Week]:
    """Every simulated week with what is in force in it."""
    info, cap = scenario.scenario, scenario.capacity
    season = season_factors(scenario)
    growth = scenario.demand.annual_growth.value if scenario.demand.annual_growth else 0.0
    base = scenario.demand.requests_per_week.value
    hours_each = cap.hours_per_week.value * cap.statutory_share.value
    policy_changes = sorted(scenario.priority.changes, key=lambda c: c.start)
    out: list[Week] = []
    for w in range(info.weeks):
        start = weeks_after(info.start, w)
        mid = start + timedelta(days=3)
        caseworkers = cap.caseworkers.value
        psychology = cap.psychology_per_week.value
        psych_out = reviews_out = 0
        for change in cap.changes:
            if applies(change.start, change.end, start):
                caseworkers += change.caseworkers
                psychology += change.psychology_per_week
            if change.end is not None and (
                change.psychology_outsourced or change.reviews_outsourced
            ):
                first, n = period_weeks(change, info.start)
                k = (start - first).days // 7
                psych_out += spread(change.psychology_outsourced, n, k)
                reviews_out += spread(change.reviews_outsourced, n, k)
        policy = scenario.priority.policy
        for pc in policy_changes:
            if pc.start <= start:
                policy = pc.policy
        caseworkers = max(0.0, caseworkers)
        out.append(
            Week(
                index=w,
                start=start,
                end=start + timedelta(days=6),
                requests_expected=base
                * (1 + growth) ** (w / WEEKS_PER_YEAR)
                * season[mid.month - 1],
                caseworkers=caseworkers,
                statutory_hours=caseworkers * hours_each,
                psychology=max(0, round(psychology)),
                psychology_outsourced=psych_out,
                reviews_outsourced=reviews_out,
                policy=policy,
            )
        )
    return out
