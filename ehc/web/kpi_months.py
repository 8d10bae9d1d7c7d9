"""The charted KPIs month by month over the last twelve months, each month's figure as
``ehc kpi --period YYYY-MM`` gives it.

The ledger is read once for the whole span; each month is then handed only the rows that can
count in it, so twelve months cost one pass over the rows rather than twelve reports:

- new plans (reg 13(2)): the assessments whose plan was issued in the month;
- decisions whether to assess (reg 4(1), 5(1)): those notified in the month;
- annual reviews (CFA s44(1), reg 18): the meetings held in the month, the meetings held
  after it that fell due in it (missed in the month, held late later), the ended cycles and
  the open reviews whose 12-month date fell in it and passed unheld.

A month's figure counts only what falls in the month, so these rows give exactly the figure
of the month's own report (a test holds the two equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ehc.ledger_reader import LedgerReader
from statutory.catalogue import family
from statutory.kpi import (
    KpiTargets,
    Measure,
    OpenCase,
    decisions_to_assess,
    plans_within_20_weeks,
    reviews_within_12_months,
)
from statutory.ledger import OutcomeRecord
from statutory.periods import Period, month
from statutory.process import StepId

MONTHS_SHOWN = 12
#: The KPIs drawn month by month: the national headline and the duties most often missed.
CHARTED = (
    "plans-20-weeks-including-exceptions",
    "plans-20-weeks-excluding-exceptions",
    "decisions-to-assess-6-weeks",
    "reviews-12-months",
)


def months_ending(last: date, count: int = MONTHS_SHOWN) -> list[Period]:
    """The ``count`` calendar months ending with ``last``'s month, oldest first."""
    index = last.year * 12 + last.month - 1
    return [month(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def _review_due(o: OutcomeRecord) -> date | None:
    due = o.outcome.get("review_due_by")
    return date.fromisoformat(due) if isinstance(due, str) and due else None


def monthly_measures(
    ledger: LedgerReader,
    months: Sequence[Period],
    *,
    team: str | None = None,
    targets: KpiTargets | None = None,
    open_now: Sequence[OpenCase] | None = None,
    as_of: datetime | None = None,
) -> dict[str, list[tuple[Period, Measure]]]:
    """KPI key (``CHARTED``) -> each month with that month's measure, oldest first.

    ``open_now``: the open cases (of ``team``), as for the report; ``as_of``: when they were
    read (a review still awaiting its meeting counts as missed once its date has passed).
    """
    if not months:
        return {}
    t = targets or KpiTargets()
    first = months[0].start
    steps = ledger.steps(
        first, None, team=team, families=(StepId.DECIDE_TO_ASSESS, StepId.REVIEW_MEETING)
    )
    outcomes = ledger.outcomes(first, None, team=team)
    decisions = [s for s in steps if family(s.step) == StepId.DECIDE_TO_ASSESS]
    meetings = [s for s in steps if family(s.step) == StepId.REVIEW_MEETING]
    plans = [o for o in outcomes if o.process == "assessment"]
    cycles = [(o, _review_due(o)) for o in outcomes if o.process == "review"]
    awaiting = [c for c in open_now or () if c.kind == "review" and team in (None, c.team)]
    today = as_of.date() if as_of is not None else None

    series: dict[str, list[tuple[Period, Measure]]] = {key: [] for key in CHARTED}
    for p in months:

        def inside(day: date | None, p: Period = p) -> bool:
            return day is not None and day in p

        held_or_missed = [
            s
            for s in meetings
            if inside(s.completed_on) or (s.completed_on > p.end and inside(s.due))
        ]
        found = (
            plans_within_20_weeks(
                [o for o in plans if inside(o.ended_on)], p, t, excluding_exceptions=False
            ),
            plans_within_20_weeks(
                [o for o in plans if inside(o.ended_on)], p, t, excluding_exceptions=True
            ),
            decisions_to_assess([s for s in decisions if inside(s.completed_on)], p, t),
            reviews_within_12_months(
                held_or_missed,
                p,
                t,
                outcomes=[o for o, due in cycles if inside(due)],
                open_cases=[c for c in awaiting if inside(c.review_due)],
                today=today,
            ),
        )
        for measure in found:
            series[measure.key].append((p, measure))
    return series
