"""The scenario's figures, measured from the ledger over the 12 months before its start.

Demand, the two decision shares, the lead times and the reviews' figures, each labelled with
what was counted, how many and over which days. A figure with fewer than ``ENOUGH``
observations is written as assumed, with a default and a note saying why.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import scenarios
from ehc.ledger_reader import LedgerReader
from ehc.text import MONTHS, day, period
from scenarios import model
from statutory import assessment as rules
from statutory import review as review_rules
from statutory.dates import days_beginning_with, months_before, weeks_before
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.process import StepId, is_advice_request

#: Fewer observations than this and a figure is assumed, not measured.
ENOUGH = 20

#: England's figures: the defaults of the figures too few cases measure (sourced there, or
#: assumed there and said so here).
ENGLAND = Path(scenarios.__file__).parent / "files" / "england-2024.toml"


@cache
def _england() -> model.Scenario:
    return model.load(ENGLAND)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of the file: measured (``source``) or assumed (``source`` None, ``note``)."""

    value: float | tuple[float, float, float]
    source: str | None = None
    note: str = ""

    @property
    def assumed(self) -> bool:
        return self.source is None


@dataclass(frozen=True, slots=True)
class Period:
    """The days measured, both included."""

    first: date
    last: date

    @property
    def weeks(self) -> float:
        return ((self.last - self.first).days + 1) / 7

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every calendar month the period touches."""
        first = self.first.year * 12 + self.first.month - 1
        last = self.last.year * 12 + self.last.month - 1
        return [(m // 12, m % 12 + 1) for m in range(first, last + 1)]

    def __contains__(self, on: date) -> bool:
        return self.first <= on <= self.last

    def __str__(self) -> str:
        return period(self.first, self.last)


def last_twelve_months(start: date) -> Period:
    """The 12 months before ``start``: 7 Dec 2025 to 6 Dec 2026 for a start on 7 Dec 2026."""
    return Period(months_before(start, 12), start - timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Measures:
    """Every figure of the file the ledger can measure, and what it says besides."""

    period: Period
    requests: int
    figures: dict[str, Figure]
    """Keyed by their place in the file: ``demand.requests_per_week``..."""
    first_written: date | None
    """The day the ledger was first written (None: empty)."""
    exceptions: tuple[int, int]
    """Assessments ended in the period with an exception applied to the 20-week limit, of all."""
    psychology_returned: int
    """Psychology advice returned in the period (what was done, not what could be)."""
    requests_by_month: tuple[tuple[str, int], ...] = field(default=())
    requests_by_team: dict[str, int] = field(default_factory=dict)
    """Requests received in the period, by the team the ledger names."""

    @property
    def partial(self) -> bool:
        """The ledger began within the period: older closed cases are not in it."""
        return self.first_written is not None and self.first_written > self.period.first


def _weeks(days: int) -> float:
    return max(0, days) / 7


def _spread(weeks: Sequence[float]) -> tuple[float, float, float]:
    """The 10th, 50th and 90th percentiles, to a tenth of a week: [low, mode, high]."""
    deciles = statistics.quantiles(weeks, n=10, method="inclusive")
    low, mode, high = (round(deciles[i], 1) for i in (0, 4, 8))
    return (low, mode, high)


def too_few(n: int, what: str, when: Period, instead: str) -> str:
    """Why a figure is not measured: too few cases, and what stands ``instead``."""
    return f"{f'only {n}' if n else 'no'} {what} {when}, fewer than {ENOUGH}: {instead}"


def _share(
    part: int, whole: int, source: str, default: float, what: str, when: Period, instead: str
) -> Figure:
    if whole < ENOUGH:
        return Figure(default, note=too_few(whole, what, when, instead))
    return Figure(round(part / whole, 3), source)


def _lead_time(
    weeks: Sequence[float], key: str, counted: str, from_to: str, when: Period
) -> Figure:
    """A lead time [low, mode, high] in weeks, or the default with a note."""
    if len(weeks) < ENOUGH:
        return Figure(
            getattr(_england().timings, key).value,
            note=too_few(len(weeks), counted, when, "England's assumed lead time instead"),
        )
    return Figure(
        _spread(weeks),
        f"ledger: 10th, 50th and 90th percentiles of the weeks {from_to}, "
        f"{len(weeks):,} {counted} {when}",
        note="the time taken, waits for caseworker or psychology time included",
    )


def measure(ledger: LedgerReader, start: date) -> Measures:
    """Demand, decisions, lead times and reviews over the 12 months before ``start``."""
    when = last_twelve_months(start)
    first_written = ledger.first_written()
    figures: dict[str, Figure] = {}

    requests = ledger.requests(when.first, when.last)
    n = len(requests)
    rate = round(n / when.weeks, 2)
    covered = first_written is not None and first_written <= when.first
    note = (
        ""
        if covered or first_written is None
        else f"the ledger was first written on {day(first_written)}: a request before then is "
        "counted only if its case was entered since"
    )
    if n < ENOUGH:
        figures["demand.requests_per_week"] = Figure(
            rate, note=too_few(n, "requests received", when, "their rate, as a placeholder")
        )
    else:
        figures["demand.requests_per_week"] = Figure(
            rate, f"ledger: {n:,} requests received {when}", note
        )
    by_month = Counter((r.received.year, r.received.month) for r in requests)
    months = tuple((f"{MONTHS[m - 1]} {y}", by_month[(y, m)]) for y, m in when.months())

    before = Period(months_before(when.first, 12), when.first - timedelta(days=1))
    earlier = len(ledger.requests(before.first, before.last))
    if first_written is not None and first_written <= before.first and min(n, earlier) >= ENOUGH:
        figures["demand.annual_growth"] = Figure(
            round(n / earlier - 1, 3),
            f"ledger: {n:,} requests received {when} against {earlier:,} {before}",
        )
    else:
        figures["demand.annual_growth"] = Figure(
            0.0, note="not measured: the ledger does not hold two full years of requests"
        )

    wanted = [StepId.DECIDE_TO_ASSESS, StepId.ADVICE, StepId.DRAFT, StepId.FINAL_PLAN]
    # A time ending in the period began in it or not long before: two years back is ample.
    since = months_before(when.first, 24)
    steps = [
        s
        for s in ledger.steps(since, when.last, families=[w.value for w in wanted])
        if s.process == "assessment"
    ]
    outcomes = ledger.outcomes(when.first, when.last, process="assessment")
    endings = Counter(o.outcome.get("ending") for o in outcomes)

    decisions = [s for s in steps if s.step == StepId.DECIDE_TO_ASSESS and s.completed_on in when]
    refused = endings[rules.Ending.NOT_ASSESSED.value]
    assessed = len(decisions) - refused
    figures["decisions.share_assessed"] = _share(
        assessed,
        len(decisions),
        f"ledger: {assessed:,} of {len(decisions):,} decisions whether to assess, made {when}, "
        "were to assess",
        _england().decisions.share_assessed.value,
        "decisions whether to assess made",
        when,
        "England's assumed share instead",
    )
    issued = endings[rules.Ending.PLAN_ISSUED.value]
    decided = issued + endings[rules.Ending.NOT_ISSUED.value]
    figures["decisions.share_issued"] = _share(
        issued,
        decided,
        f"ledger: {issued:,} of {decided:,} assessments that ended {when} with a decision on "
        "the plan ended with a plan",
        _england().decisions.share_issued.value,
        "assessments ended with a decision on the plan",
        when,
        "England's 2024 share instead (97,747 plans issued)",
    )

    figures.update(_lead_times(steps, when))
    figures.update(_reviews(ledger.outcomes(when.first, when.last, process="review"), when))
    with_exception = sum(1 for o in outcomes if o.outcome.get("exceptions_apply"))
    psychology = sum(
        1
        for s in steps
        if is_advice_request(s.step)
        and s.detail.get("advice_type") == rules.AdviceType.PSYCHOLOGICAL
        and s.completed_on in when
    )
    return Measures(
        period=when,
        requests=n,
        figures=figures,
        first_written=first_written,
        exceptions=(with_exception, len(outcomes)),
        psychology_returned=psychology,
        requests_by_month=months,
        requests_by_team=dict(Counter(r.team for r in requests)),
    )


def _advice_asked(step_due: date) -> date:
    """The day the adviser received the request: its statutory date is 6 weeks on (reg 8(1))."""
    return weeks_before(step_due, rules.ADVICE_WEEKS)


def _lead_times(steps: Sequence[StepRecord], when: Period) -> dict[str, Figure]:
    """The five lead times of ``[timings]``, from each assessment's completed steps; a time is
    counted in the period its last step was done in."""
    by_case: dict[str, list[StepRecord]] = defaultdict(list)
    for s in steps:
        by_case[s.workflow_id].append(s)
    decision: list[float] = []
    psychology: list[float] = []
    other: list[float] = []
    drafting: list[float] = []
    finalising: list[float] = []
    for case in by_case.values():
        done = {s.step: s for s in case}
        advice = [s for s in case if is_advice_request(s.step)]
        psychological = [
            a for a in advice if a.detail.get("advice_type") == rules.AdviceType.PSYCHOLOGICAL
        ]
        others = [a for a in advice if a not in psychological]
        decided = done.get(StepId.DECIDE_TO_ASSESS.value)
        if decided is not None and decided.completed_on in when:
            received = weeks_before(decided.due, rules.DECIDE_TO_ASSESS_WEEKS)
            decision.append(_weeks((decided.completed_on - received).days))
        psychology += [
            _weeks((a.completed_on - _advice_asked(a.due)).days)
            for a in psychological
            if a.completed_on in when
        ]
        draft = done.get(StepId.DRAFT.value)
        if draft is None:
            continue  # the advice may not all be in yet
        served = draft.completed_on
        if others and (last := max(a.completed_on for a in others)) in when:
            other.append(_weeks((last - min(_advice_asked(a.due) for a in others)).days))
        in_before = [a.completed_on for a in advice if a.completed_on <= served]
        if served in when and in_before:
            drafting.append(_weeks((served - max(in_before)).days))
        final = done.get(StepId.FINAL_PLAN.value)
        if final is not None and final.completed_on in when:
            # The 15 days of representations begin with the day of service (reg 13(1)).
            closed = days_beginning_with(served, rules.REPRESENTATION_DAYS)
            finalising.append(_weeks((final.completed_on - closed).days - 1))
    return {
        "timings.decision": _lead_time(
            decision, "decision", "decisions whether to assess made", "from the request", when
        ),
        "timings.psychology": _lead_time(
            psychology,
            "psychology",
            "psychology advice returned",
            "from the psychologist receiving the request to the advice",
            when,
        ),
        "timings.other_advice": _lead_time(
            other,
            "other_advice",
            "assessments whose last other advice came",
            "from the first request for other advice to the last reply",
            when,
        ),
        "timings.drafting": _lead_time(
            drafting, "drafting", "drafts served", "from the last advice to the draft", when
        ),
        "timings.finalising": _lead_time(
            finalising,
            "finalising",
            "final plans issued",
            "from the close of representations to the final plan",
            when,
        ),
    }


def _reviews(outcomes: Sequence[OutcomeRecord], when: Period) -> dict[str, Figure]:
    """The share of reviews after which the plan ceases, and how early reviews are held, from
    the review cycles that ended in the period."""
    decisions = [o.outcome.get("decision") for o in outcomes if o.outcome.get("decision")]
    ceased = decisions.count(review_rules.Decision.CEASE.value)
    early = [
        _weeks((date.fromisoformat(due) - date.fromisoformat(held)).days)
        for o in outcomes
        if (held := o.outcome.get("meeting_held_on")) and (due := o.outcome.get("review_due_by"))
    ]
    if len(early) < ENOUGH:
        lead = Figure(
            _england().reviews.lead_weeks.value,
            note=too_few(len(early), "review meetings held in cycles ended", when, "a placeholder"),
        )
    else:
        lead = Figure(
            round(statistics.quantiles(early, n=10, method="inclusive")[8], 1),
            f"ledger: 90th percentile of the weeks before its due date a review meeting was "
            f"held, {len(early):,} review cycles ended {when}",
        )
    return {
        "reviews.lead_weeks": lead,
        "reviews.ceasing_share": _share(
            ceased,
            len(decisions),
            f"ledger: {ceased:,} of {len(decisions):,} review decisions in cycles ended {when} "
            "were to cease the plan",
            _england().reviews.ceasing_share.value,
            "review decisions in cycles ended",
            when,
            "England 2024's share instead (44,862 plans ceased of 638,745, DfE SEN2)",
        ),
    }
