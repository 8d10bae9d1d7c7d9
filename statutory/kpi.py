"""Statutory KPIs, computed from the reporting ledger: pure functions, no I/O.

Every measure is a rate (done in time / counted) counted in the period in which the thing
was done, as the national return counts a plan in the year it is issued (SEN2); annual
reviews also count, as not in time, each review that fell due in the period and was not held
by its end (a review missed is not a review done late, but it must not vanish from the rate).
Each is shown for the period and the year to date, by month, against a target the council
sets, with a RAG rating and, where one is published with the same definition, England's
figure. docs/REPORTING.md gives every numerator and denominator.

| key | counted when | in time means | source |
|---|---|---|---|
| plans-20-weeks-including-exceptions | final plan issued | issued within 20 weeks of the request | reg 13(2) |
| plans-20-weeks-excluding-exceptions | same, leaving out exception cases | same | reg 13(2), 13(3) |
| decisions-to-assess-6-weeks | decision (to assess or not) notified | within 6 weeks | reg 4(1), 5(1) |
| advice-6-weeks | advice returned (by provider, by type) | within 6 weeks of the adviser's receipt | reg 8(1) |
| reviews-12-months | review meeting held, or its 12 months passed unheld (by category) | held within 12 months of the plan / last review | CFA s44(1), reg 18 |
| review-decisions-4-weeks | review decision notified | within 4 weeks of the meeting | reg 20(10) |
| amended-plans-12-weeks | final amended plan issued | within 12 weeks of the meeting | reg 20(10), 22(3) |

The duty clocks' KPIs (re-assessments, Tribunal orders, transfers) are ``statutory.kpi_clocks``;
appeals, counted per 1,000 plans rather than rated, are ``statutory.kpi_appeals``.

Caseload per caseworker and open and overdue counts are a snapshot of the open cases (from
Temporal visibility), not a figure for the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from statutory.catalogue import family
from statutory.england import EnglandFigure, england
from statutory.kpi_appeals import Appeals, appeals
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.periods import Period
from statutory.process import StepId
from statutory.review import Stage as ReviewStage
from statutory.steps import Rag

#: Targets a council has not set. The law expects every case in time; these defaults are
#: comparators, not law: England 60% and statistical neighbours 65% (Thurrock), Bristol's
#: 77% of reviews in time, and caseloads "under 200" (Thurrock, Swindon).
DEFAULT_TARGETS: dict[str, float] = {
    "plans-20-weeks-including-exceptions": 65.0,
    "plans-20-weeks-excluding-exceptions": 65.0,
    "decisions-to-assess-6-weeks": 90.0,
    "advice-6-weeks": 90.0,
    "reviews-12-months": 80.0,
    "review-decisions-4-weeks": 80.0,
    "amended-plans-12-weeks": 80.0,
    # The duty clocks (statutory.kpi_clocks): no published comparator. An order of the
    # Tribunal binds the council, so anything short of every order in time is below target.
    "reassessment-decisions-15-days": 90.0,
    "reassessment-plans-14-weeks": 80.0,
    "tribunal-orders-in-time": 100.0,
    "transfers-in-family-told-6-weeks": 90.0,
    "transfers-out-on-time": 90.0,
}


class KpiTargets(BaseModel):
    """What a council aims for; RAG: green at or above target, amber within the margin."""

    model_config = ConfigDict(frozen=True)

    percent: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_TARGETS))
    amber_margin: float = Field(default=10.0, ge=0, le=100)
    """Percentage points below target that are still amber."""
    caseload_per_caseworker: int = Field(default=200, ge=1)
    """Open cases per caseworker (assessments and plans) at or under which it is green."""
    caseload_amber_margin: int = Field(default=50, ge=0)


def rate_rag(percent: float | None, target: float | None, margin: float) -> Rag | None:
    """Green at or above target, amber up to ``margin`` points below, red below that."""
    if percent is None or target is None:
        return None
    if percent >= target:
        return Rag.GREEN
    return Rag.AMBER if percent >= target - margin else Rag.RED


class Rate(BaseModel):
    model_config = ConfigDict(frozen=True)

    met: int
    total: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> float | None:
        """``met`` / ``total`` as a percentage to one decimal place; None when nothing counted."""
        return round(100 * self.met / self.total, 1) if self.total else None


class AdviceSetAside(BaseModel):
    """New plans issued in the period without advice they had asked for (reg 6(4), or the
    request withdrawn): the plans a 20-week figure counts that had advice set aside."""

    model_config = ConfigDict(frozen=True)

    plans: int
    """Plans with at least one request for advice set aside."""
    by_reason: dict[str, int]
    """Reason -> plans with a request set aside for it (a plan may have both reasons)."""


class Measure(BaseModel):
    key: str
    title: str
    definition: str
    source: str
    period: Rate
    year_to_date: Rate
    exceptions: int
    """Cases in the period to which an exception applied (valid exceptions, reg 5(4) etc.)."""
    not_done: int = 0
    """Of ``period.total``: due in the period and not done by its end (or by today), counted
    as not in time. Annual reviews only."""
    breakdown: dict[str, dict[str, Rate]]
    """Dimension (``month`` over the year to date; ``provider``, ``category``... over the
    period) -> value -> rate."""
    target: float | None
    rag: Rag | None
    england: EnglandFigure | None
    advice_set_aside: AdviceSetAside | None = None
    """New plans only."""


class OpenCase(BaseModel):
    """One open case as visibility shows it now."""

    model_config = ConfigDict(frozen=True)

    kind: str
    caseworker: str
    team: str
    overdue: bool
    stage: str = ""
    review_due: date | None = None
    """Reviews: the current cycle's 12-month date (``EhcReviewDue``)."""


CASELOAD_KINDS = ("assessment", "review")
"""The kinds of open workflow that are cases on a caseworker's books."""


class Caseload(BaseModel):
    as_of: datetime
    open: dict[str, int]
    """Open cases by kind (assessment, review...)."""
    overdue: dict[str, int]
    per_caseworker: dict[str, int]
    mean: float | None
    highest: int
    target: int
    rag: Rag | None


class KpiReport(BaseModel):
    period: str
    start: date
    end: date
    year_to_date_from: date
    team: str | None
    measures: list[Measure]
    caseload: Caseload | None
    appeals: Appeals | None = None
    """Appeals to the Tribunal by outcome and type, per 1,000 plans maintained."""
    notes: list[str] = Field(default_factory=list)
    """What the figures could not count, in plain words (e.g. Temporal was unreachable)."""


# --- counting ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    key: str
    title: str
    definition: str
    source: str


@dataclass(frozen=True, slots=True)
class Item:
    """One thing done: the day it counts on, whether in time, how to break it down."""

    day: date
    in_time: bool
    exception: bool = False
    groups: tuple[tuple[str, str], ...] = ()
    not_done: bool = False
    """Due on ``day`` and not done by the period's end: counted, as not in time."""


@dataclass(slots=True)
class _Tally:
    met: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.met += ok

    def rate(self) -> Rate:
        return Rate(met=self.met, total=self.total)


@dataclass(slots=True)
class _Counts:
    period: _Tally = field(default_factory=_Tally)
    ytd: _Tally = field(default_factory=_Tally)
    exceptions: int = 0
    not_done: int = 0
    groups: dict[str, dict[str, _Tally]] = field(default_factory=lambda: defaultdict(dict))


def measure(spec: Spec, items: Iterable[Item], period: Period, targets: KpiTargets) -> Measure:
    """Tally ``items`` for the period, the year to date and by month, and rate the result."""
    ytd = period.year_to_date
    counts = _Counts()
    months = {m.label: _Tally() for m in ytd.months()}
    for item in items:
        if item.day not in ytd:
            continue
        counts.ytd.add(item.in_time)
        months[f"{item.day:%Y-%m}"].add(item.in_time)
        if item.day not in period:
            continue
        counts.period.add(item.in_time)
        counts.exceptions += item.exception
        counts.not_done += item.not_done
        for dimension, value in item.groups:
            counts.groups[dimension].setdefault(value, _Tally()).add(item.in_time)
    rate = counts.period.rate()
    target = targets.percent.get(spec.key)
    breakdown = {"month": {label: t.rate() for label, t in months.items()}}
    for dimension, values in counts.groups.items():
        breakdown[dimension] = {v: values[v].rate() for v in sorted(values)}
    return Measure(
        key=spec.key,
        title=spec.title,
        definition=spec.definition,
        source=spec.source,
        period=rate,
        year_to_date=counts.ytd.rate(),
        exceptions=counts.exceptions,
        not_done=counts.not_done,
        breakdown=breakdown,
        target=target,
        rag=rate_rag(rate.percent, target, targets.amber_margin),
        england=england(spec.key, period.end.year),
    )


# --- the measures -----------------------------------------------------------------------

PLANS_INCLUDING = Spec(
    "plans-20-weeks-including-exceptions",
    "New EHC plans issued within 20 weeks (including exceptions)",
    "Of the new plans issued in the period (counted on the day the final plan was issued), "
    "the share issued within 20 weeks of the request. Every plan counts, including those "
    "to which an exception applied.",
    "reg 13(2)",
)
PLANS_EXCLUDING = Spec(
    "plans-20-weeks-excluding-exceptions",
    "New EHC plans issued within 20 weeks (excluding exceptions)",
    "As above, leaving out plans to which an exception to the 20-week limit applied: the "
    "national headline figure.",
    "reg 13(2), 13(3)",
)
DECISIONS = Spec(
    "decisions-to-assess-6-weeks",
    "Decisions whether to assess within 6 weeks",
    "Of the decisions whether to assess (to assess or not) notified in the period, the "
    "share notified within 6 weeks of the request.",
    "reg 4(1), 5(1)",
)
ADVICE = Spec(
    "advice-6-weeks",
    "Professional advice returned within 6 weeks",
    "Of the pieces of advice returned in the period, the share returned within 6 weeks of "
    "the day the adviser received the request; by provider and by type of advice.",
    "reg 8(1)",
)
REVIEWS = Spec(
    "reviews-12-months",
    "Annual reviews held within 12 months",
    "Of the review meetings held in the period and the reviews that fell due in the period "
    "and were not held by its end (or by today), the share held within 12 months of the plan "
    "or of the previous review; by category (secondary transfer, post-16 transfer, other).",
    "CFA s44(1), reg 18",
)
REVIEW_DECISIONS = Spec(
    "review-decisions-4-weeks",
    "Review decisions notified within 4 weeks of the meeting",
    "Of the review decisions (maintain, amend, cease) notified in the period, the share "
    "notified within 4 weeks of the review meeting.",
    "reg 20(10)",
)
AMENDED = Spec(
    "amended-plans-12-weeks",
    "Amended plans finalised within 12 weeks of the review meeting",
    "Of the review cycles decided 'amend' whose final amended plan was issued in the period "
    "(or which ended without one), the share finalised within 12 weeks of the meeting.",
    "reg 20(10), 22(3); R (L, M, P) v Devon CC [2022]",
)
SPECS = (PLANS_INCLUDING, PLANS_EXCLUDING, DECISIONS, ADVICE, REVIEWS, REVIEW_DECISIONS, AMENDED)


def _new_plans(outcomes: Iterable[OutcomeRecord]) -> Iterable[tuple[OutcomeRecord, Any]]:
    for o in outcomes:
        if o.process == "assessment" and o.outcome.get("ending") == "plan-issued":
            yield o, o.outcome


def plans_within_20_weeks(
    outcomes: Sequence[OutcomeRecord],
    period: Period,
    targets: KpiTargets,
    *,
    excluding_exceptions: bool,
) -> Measure:
    """New plans by the day they were issued (a plan counts in the period it is issued), with
    how many of the period's plans were issued with advice set aside."""
    items = []
    set_aside: list[dict[str, int]] = []
    for record, o in _new_plans(outcomes):
        exception = bool(o.get("exceptions_apply"))
        if excluding_exceptions and exception:
            continue
        items.append(Item(record.ended_on, bool(o.get("within_20_weeks")), exception))
        if record.ended_on in period:
            set_aside.append(o.get("advice_not_needed") or {})
    spec = PLANS_EXCLUDING if excluding_exceptions else PLANS_INCLUDING
    return measure(spec, items, period, targets).model_copy(
        update={"advice_set_aside": advice_set_aside(set_aside)}
    )


def advice_set_aside(plans: Iterable[dict[str, int]]) -> AdviceSetAside:
    """``plans``: each plan's ``advice_not_needed`` (reason -> requests set aside)."""
    by_reason: Counter[str] = Counter()
    with_any = 0
    for reasons in plans:
        given = [reason for reason, n in reasons.items() if n]
        with_any += bool(given)
        by_reason.update(given)
    return AdviceSetAside(plans=with_any, by_reason=dict(sorted(by_reason.items())))


def _steps(steps: Iterable[StepRecord], processes: set[str], name: str) -> Iterable[StepRecord]:
    return (s for s in steps if s.process in processes and family(s.step) == name)


def decisions_to_assess(steps: Sequence[StepRecord], period: Period, t: KpiTargets) -> Measure:
    items = (
        Item(s.completed_on, s.met, s.exception_applies)
        for s in _steps(steps, {"assessment"}, StepId.DECIDE_TO_ASSESS)
    )
    return measure(DECISIONS, items, period, t)


def advice_within_6_weeks(steps: Sequence[StepRecord], period: Period, t: KpiTargets) -> Measure:
    """Advice for assessments (``advice-N`` of an assessment, or an advice workflow's step
    under reg 8(1)); advice for annual reviews (due at circulation, reg 20(4)) is not."""
    items = (
        Item(
            s.completed_on,
            s.met,
            s.exception_applies,
            (
                ("provider", s.detail.get("provider", "unknown")),
                ("advice_type", s.detail.get("advice_type", "unknown")),
            ),
        )
        for s in _steps(steps, {"assessment", "advice"}, "advice")
        if s.process == "assessment" or s.regulation.startswith("reg 8")
    )
    return measure(ADVICE, items, period, t)


UNKNOWN_CATEGORY = "unknown"
"""A review not yet held: visibility does not say whether its cycle has a phase transfer."""


def reviews_within_12_months(
    steps: Sequence[StepRecord],
    period: Period,
    t: KpiTargets,
    *,
    outcomes: Sequence[OutcomeRecord] = (),
    open_cases: Sequence[OpenCase] = (),
    today: date | None = None,
) -> Measure:
    """Reviews held, each on the day of its meeting, and reviews missed, each on its 12-month
    date (CFA s44(1)), as not in time; a missed review held later also counts, late, when
    it is held. Missed in the period: due in it (or the year to date) and

    - held only after the period's end (``steps`` completed later), or
    - its cycle ended unheld after the date passed (the plan transferred out), or
    - still not held ``today``: an open review case awaiting its meeting (``open_cases``).
    """
    items: list[Item] = []
    for s in _steps(steps, {"review"}, StepId.REVIEW_MEETING):
        category = (("category", s.detail.get("category", "other")),)
        if s.completed_on <= period.end:
            items.append(Item(s.completed_on, s.met, False, category))
        elif s.due <= period.end:
            items.append(Item(s.due, False, False, category, not_done=True))
    for o in outcomes:
        due, ended = o.outcome.get("review_due_by"), o.outcome.get("ended_on")
        if o.process != "review" or o.outcome.get("meeting_held_on") or not (due and ended):
            continue
        if date.fromisoformat(due) < date.fromisoformat(ended):
            category = (("category", str(o.outcome.get("category") or "other")),)
            items.append(Item(date.fromisoformat(due), False, False, category, not_done=True))
    for c in open_cases:
        if c.kind != "review" or c.stage != ReviewStage.AWAITING_MEETING or c.review_due is None:
            continue
        if today is not None and c.review_due < today:
            category = (("category", UNKNOWN_CATEGORY),)
            items.append(Item(c.review_due, False, False, category, not_done=True))
    return measure(REVIEWS, items, period, t)


def review_decisions_within_4_weeks(
    steps: Sequence[StepRecord], period: Period, t: KpiTargets
) -> Measure:
    items = (
        Item(s.completed_on, s.met, False, (("category", s.detail.get("category", "other")),))
        for s in _steps(steps, {"review"}, StepId.DECISION)
    )
    return measure(REVIEW_DECISIONS, items, period, t)


def amended_within_12_weeks(
    outcomes: Sequence[OutcomeRecord], steps: Sequence[StepRecord], period: Period, t: KpiTargets
) -> Measure:
    """Amend decisions, on the day the final amended plan was issued (else the cycle's end)."""
    finals = {
        (s.workflow_id, s.cycle): s.completed_on
        for s in _steps(steps, {"review"}, StepId.FINAL_AMENDED_PLAN)
    }
    items = (
        Item(
            finals.get((o.workflow_id, o.cycle), o.ended_on),
            bool(o.outcome.get("amended_within_12_weeks")),
            False,
            (("category", str(o.outcome.get("category") or "other")),),
        )
        for o in outcomes
        if o.process == "review" and o.outcome.get("decision") == "amend"
    )
    return measure(AMENDED, items, period, t)


def caseload(open_cases: Sequence[OpenCase], as_of: datetime, targets: KpiTargets) -> Caseload:
    """Open cases per caseworker (assessments and plans), and open and overdue by kind.

    A request for advice is a workflow of its own (kind ``advice``) but not another case on
    the caseworker's books: it is left out of the caseload.
    """
    per = Counter(c.caseworker for c in open_cases if c.kind in CASELOAD_KINDS)
    mean = round(sum(per.values()) / len(per), 1) if per else None
    limit = targets.caseload_per_caseworker
    if mean is None:
        rag = None
    elif mean <= limit:
        rag = Rag.GREEN
    else:
        rag = Rag.AMBER if mean <= limit + targets.caseload_amber_margin else Rag.RED
    return Caseload(
        as_of=as_of,
        open=dict(sorted(Counter(c.kind for c in open_cases).items())),
        overdue=dict(sorted(Counter(c.kind for c in open_cases if c.overdue).items())),
        per_caseworker=dict(sorted(per.items())),
        mean=mean,
        highest=max(per.values(), default=0),
        target=limit,
        rag=rag,
    )


def kpi_report(
    period: Period,
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
    *,
    targets: KpiTargets | None = None,
    team: str | None = None,
    open_cases: Sequence[OpenCase] | None = None,
    as_of: datetime | None = None,
) -> KpiReport:
    """Every KPI for ``period`` (and its year to date), for one team or the whole service.

    A row belongs to the team recorded on it (the case's team when the step was done).
    """
    t = targets or KpiTargets()
    if team is not None:
        steps = [s for s in steps if s.team == team]
        outcomes = [o for o in outcomes if o.team == team]
        if open_cases is not None:
            open_cases = [c for c in open_cases if c.team == team]
    today = as_of.date() if as_of is not None else None
    measures = [
        plans_within_20_weeks(outcomes, period, t, excluding_exceptions=False),
        plans_within_20_weeks(outcomes, period, t, excluding_exceptions=True),
        decisions_to_assess(steps, period, t),
        advice_within_6_weeks(steps, period, t),
        reviews_within_12_months(
            steps, period, t, outcomes=outcomes, open_cases=open_cases or (), today=today
        ),
        review_decisions_within_4_weeks(steps, period, t),
        amended_within_12_weeks(outcomes, steps, period, t),
        *_clock_measures(steps, outcomes, period, t),
    ]
    notes = []
    if open_cases is None:
        notes.append(
            "Reviews due and still not held are not counted: the open cases could not be read "
            "from Temporal."
        )
    return KpiReport(
        period=period.label,
        start=period.start,
        end=period.end,
        year_to_date_from=period.year_to_date.start,
        team=team,
        measures=measures,
        caseload=(
            caseload(open_cases, as_of, t) if open_cases is not None and as_of is not None else None
        ),
        appeals=appeals(steps, outcomes, period),
        notes=notes,
    )


def _clock_measures(
    steps: Sequence[StepRecord], outcomes: Sequence[OutcomeRecord], period: Period, t: KpiTargets
) -> list[Measure]:
    # statutory.kpi_clocks counts with this module's ``measure``: read it when first asked.
    from statutory.kpi_clocks import clock_measures

    return clock_measures(steps, outcomes, period, t)
