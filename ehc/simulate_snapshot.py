"""A scenario that starts from the caseload the engine holds today (``ehc simulate snapshot``).

The start state comes from the read model: open assessments by stage and by weeks since the
request, plans in force by the month their next review falls due (overdue ones included). The
demand, the two decision shares, the lead times and the reviews' figures are measured from the
ledger over the 12 months before the start, each labelled with what was counted, how many and
over which days. A figure with fewer than ``ENOUGH`` observations is written as assumed, with a
default and a note saying why. Capacity and the priority policy are not in either: they are
written as assumed placeholders for the analyst to edit.

Nothing that names a child, a family, a member of staff or a provider is written: only dates,
stages and counts. The file is checked with ``scenarios.model.loads`` before it is written.
"""

from __future__ import annotations

import json
import statistics
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine, and_, func, select, true

from activities.schema import case_view, ledger_outcomes, ledger_requests, ledger_steps, step_view
from ehc.ledger_reader import LedgerReader
from ehc.text import MONTHS, day, period
from scenarios import model
from scenarios.model import Stage
from statutory import assessment as rules
from statutory import review as review_rules
from statutory.dates import days_beginning_with, months_before, weeks_before
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.process import StepId, is_advice_request
from statutory.steps import StepState

#: Fewer observations than this and a figure is assumed, not measured.
ENOUGH = 20
#: Open assessments are grouped in bands of this many weeks since the request; 20 (reg 13(2))
#: is a band's first week, so a group is either all in time or all overdue.
BAND_WEEKS = 4

OPEN_STATES = (StepState.OPEN.value, StepState.OVERDUE.value)
#: A review past its meeting: the simulator counts a review as one step, done at the meeting.
MEETING_HELD = (
    review_rules.Stage.AWAITING_DECISION.value,
    review_rules.Stage.AMENDING.value,
    review_rules.Stage.CONCLUDED.value,
)

STAGE_WORDS = {
    Stage.DECISION: "deciding whether to assess",
    Stage.ADVICE: "agreed to assess, advice awaited",
    Stage.DRAFTING: "advice in, draft not served",
    Stage.FINALISING: "draft served, final plan not issued",
}

# Defaults of the figures too few cases measure: England's, as scenarios/files/england-2024.toml
# states them (sourced there, or assumed there and said so here).
DEFAULT_SHARE_ASSESSED = 0.75
DEFAULT_SHARE_ISSUED = 0.844
DEFAULT_CEASING = 0.07
DEFAULT_LEAD_WEEKS = 8.0
DEFAULT_TIMINGS: dict[str, tuple[float, float, float]] = {
    "decision": (4, 5.5, 6),
    "psychology": (2, 4, 10),
    "other_advice": (3, 6, 14),
    "drafting": (1, 2, 6),
    "finalising": (0, 1, 4),
}
# Capacity placeholders, as the shipped scenarios assume them.
PLACEHOLDERS: dict[str, float] = {
    "hours_per_week": 37,
    "statutory_share": 0.55,
    "review_share": 0.55,
}
TASK_HOURS: dict[str, float] = {"decision": 1.5, "draft": 12, "final": 3, "review": 4.5}


# --- what is written -------------------------------------------------------------------------


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


# --- the start state: the read model --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessmentGroup:
    stage: Stage
    weeks: tuple[int, int]
    count: int


@dataclass(frozen=True, slots=True)
class PlanGroup:
    due_from: date
    due_to: date
    count: int


@dataclass(frozen=True, slots=True)
class Caseload:
    """The open cases as the read model holds them, aged to ``start``."""

    read_on: date
    start: date
    assessments: tuple[AssessmentGroup, ...]
    plans: tuple[PlanGroup, ...]
    advice_open: int
    """Open requests for advice on the open assessments (they set the assessments' stage)."""
    ceasing: int
    """Plans the council has decided to cease: left out (they need no further review)."""
    caseworkers: int
    """Caseworkers named on open assessments and plans (a count: no one is named)."""

    @property
    def empty(self) -> bool:
        return not self.assessments and not self.plans

    def by_stage(self) -> dict[Stage, tuple[int, int]]:
        """Open assessments and those past 20 weeks, by stage."""
        out = {stage: (0, 0) for stage in Stage}
        for g in self.assessments:
            total, late = out[g.stage]
            out[g.stage] = (total + g.count, late + (g.count if g.weeks[0] >= 20 else 0))
        return out

    def plans_overdue(self) -> int:
        return sum(g.count for g in self.plans if g.due_to < self.start)


def week_reached(received: date, start: date) -> int:
    """Weeks since the request on the start day, as the simulator ages a start-state case
    (``scenarios.engine``: week 0 is the 7 days before the start); a later request is week 0."""
    return max(0, (start - timedelta(days=1) - received).days // 7)


def _assessment_stage(stage: str, advice_awaited: bool) -> Stage | None:
    """The simulator's stage of an open assessment (``statutory.assessment.Stage``);
    ``advice_awaited``: a request for advice is unanswered, or none has been made yet."""
    match stage:
        case rules.Stage.DECISION:
            return Stage.DECISION
        case rules.Stage.ASSESSMENT:
            # Agreed to assess: gathering advice, else drafting.
            return Stage.ADVICE if advice_awaited else Stage.DRAFTING
        case rules.Stage.DRAFT:
            return Stage.FINALISING
    return None


def assessment_groups(
    cases: Iterable[tuple[Stage, int]],
) -> tuple[AssessmentGroup, ...]:
    """Cases grouped by stage and band of weeks; each group spans its cases' own weeks."""
    bands: dict[tuple[Stage, int], list[int]] = defaultdict(list)
    for stage, weeks in cases:
        bands[(stage, weeks // BAND_WEEKS)].append(weeks)
    order = list(Stage)
    return tuple(
        AssessmentGroup(stage, (min(w), max(w)), len(w))
        for (stage, _), w in sorted(bands.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))
    )


def plan_groups(dues: Iterable[date], start: date) -> tuple[PlanGroup, ...]:
    """Plans grouped by the calendar month of their next review's due date; the start's month
    is split at the start, so that a group is all overdue or none of it."""
    months: dict[tuple[int, int, bool], list[date]] = defaultdict(list)
    for due in dues:
        months[(due.year, due.month, due >= start)].append(due)
    return tuple(PlanGroup(min(d), max(d), len(d)) for _, d in sorted(months.items()))


def read_caseload(engine: Engine, start: date, today: date) -> Caseload:
    """The open assessments, plans and requests for advice in the read model."""
    open_case = case_view.c.is_open == true()
    assessments = (
        select(
            case_view.c.workflow_id,
            case_view.c.case_ref,
            case_view.c.stage,
            step_view.c.step,
            step_view.c.due,
            step_view.c.status,
        )
        .join(step_view, step_view.c.workflow_id == case_view.c.workflow_id)
        .where(open_case, case_view.c.kind == "assessment")
    )
    reviews = (
        select(case_view.c.stage, case_view.c.review_due, step_view.c.done_on)
        .outerjoin(
            step_view,
            and_(
                step_view.c.workflow_id == case_view.c.workflow_id,
                step_view.c.step == StepId.REVIEW_MEETING.value,
            ),
        )
        .where(open_case, case_view.c.kind == "review")
    )
    advice = select(case_view.c.case_ref).where(open_case, case_view.c.kind == "advice")
    caseworkers = select(func.count(func.distinct(case_view.c.caseworker))).where(
        open_case, case_view.c.kind.in_(["assessment", "review"])
    )
    with engine.connect() as conn:
        steps = conn.execute(assessments).all()
        plans = conn.execute(reviews).all()
        advice_refs = Counter(conn.scalars(advice))
        staff = conn.scalar(caseworkers) or 0

    received: dict[str, date] = {}
    stage_of: dict[str, str] = {}
    asked: set[str] = set()
    awaited: set[str] = set()
    refs: set[str] = set()
    for workflow_id, case_ref, stage, step, due, status in steps:
        stage_of[workflow_id] = stage
        refs.add(case_ref)
        if step == StepId.DECIDE_TO_ASSESS.value:
            # The statutory date, which an exception never moves, is 6 weeks from the request.
            received[workflow_id] = weeks_before(due, rules.DECIDE_TO_ASSESS_WEEKS)
        elif is_advice_request(step):
            asked.add(workflow_id)
            if status in OPEN_STATES:
                awaited.add(workflow_id)
    cases = []
    for workflow_id, stage in stage_of.items():
        advice_awaited = workflow_id in awaited or workflow_id not in asked
        simulated = _assessment_stage(stage, advice_awaited)
        if simulated is not None and workflow_id in received:
            cases.append((simulated, week_reached(received[workflow_id], start)))

    dues, ceasing = [], 0
    for stage, review_due, held in plans:
        if stage == review_rules.Stage.CEASING.value:
            ceasing += 1
        elif stage in MEETING_HELD and held is not None:
            dues.append(review_rules.review_due(held))
        elif review_due is not None:
            dues.append(review_due)
    return Caseload(
        read_on=today,
        start=start,
        assessments=assessment_groups(cases),
        plans=plan_groups(dues, start),
        advice_open=sum(n for ref, n in advice_refs.items() if ref in refs),
        ceasing=ceasing,
        caseworkers=staff,
    )


# --- the figures: the ledger ----------------------------------------------------------------


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


def _too_few(n: int, what: str, when: Period, instead: str) -> str:
    return f"{f'only {n}' if n else 'no'} {what} {when}, fewer than {ENOUGH}: {instead}"


def _share(
    part: int, whole: int, source: str, default: float, what: str, when: Period, instead: str
) -> Figure:
    if whole < ENOUGH:
        return Figure(default, note=_too_few(whole, what, when, instead))
    return Figure(round(part / whole, 3), source)


def _lead_time(
    weeks: Sequence[float], key: str, counted: str, from_to: str, when: Period
) -> Figure:
    """A lead time [low, mode, high] in weeks, or the default with a note."""
    if len(weeks) < ENOUGH:
        return Figure(
            DEFAULT_TIMINGS[key],
            note=_too_few(len(weeks), counted, when, "England's assumed lead time instead"),
        )
    return Figure(
        _spread(weeks),
        f"ledger: 10th, 50th and 90th percentiles of the weeks {from_to}, "
        f"{len(weeks):,} {counted} {when}",
        note="the time taken, waits for caseworker or psychology time included",
    )


def _first_written(engine: Engine) -> date | None:
    with engine.connect() as conn:
        firsts = [
            conn.scalar(select(func.min(t.c.recorded_at)))
            for t in (ledger_requests, ledger_steps, ledger_outcomes)
        ]
    found = [f for f in firsts if f is not None]
    return min(found).date() if found else None


def measure(ledger: LedgerReader, start: date) -> Measures:
    """Demand, decisions, lead times and reviews over the 12 months before ``start``."""
    when = last_twelve_months(start)
    first_written = _first_written(ledger.engine)
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
            rate, note=_too_few(n, "requests received", when, "their rate, as a placeholder")
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
        DEFAULT_SHARE_ASSESSED,
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
        DEFAULT_SHARE_ISSUED,
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
            DEFAULT_LEAD_WEEKS,
            note=_too_few(
                len(early), "review meetings held in cycles ended", when, "a placeholder"
            ),
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
            DEFAULT_CEASING,
            "review decisions in cycles ended",
            when,
            "England 2024's share instead (44,862 plans ceased of 638,745, DfE SEN2)",
        ),
    }


# --- capacity: placeholders ----------------------------------------------------------------


def capacity(caseload: Caseload, measures: Measures) -> dict[str, Figure]:
    """Capacity as assumed placeholders, each with a note of what the engine knows about it."""
    staff = caseload.caseworkers
    out = {
        "capacity.caseworkers": Figure(
            float(max(1, staff)),
            note=f"placeholder: {staff:,} caseworkers are named on open cases; set the "
            "full-time equivalent",
        )
    }
    out |= {
        f"capacity.{key}": Figure(value, note="placeholder: edit")
        for key, value in PLACEHOLDERS.items()
    }
    when, returned = measures.period, measures.psychology_returned
    demand = measures.figures["demand.requests_per_week"].value
    share = measures.figures["decisions.share_assessed"].value
    assert isinstance(demand, float) and isinstance(share, float)
    rate = round(demand * share, 1)
    note = (
        f"placeholder: what the demand above needs ({demand:g} requests a week x {share:g} "
        f"assessed); {returned:,} psychology advice returned {when} "
        f"({returned / when.weeks:.1f} a week)"
    )
    out["capacity.psychology_per_week"] = Figure(rate, note=note)
    out |= {
        f"capacity.hours_per_task.{key}": Figure(value, note="placeholder: edit")
        for key, value in TASK_HOURS.items()
    }
    return out


# --- the file -------------------------------------------------------------------------------


def _toml(value: object) -> str:
    """A value as TOML writes it (strings as JSON writes them: a valid TOML basic string)."""
    match value:
        case bool():
            return "true" if value else "false"
        case str():
            return json.dumps(value, ensure_ascii=False)
        case date():
            return value.isoformat()
        case int():
            return str(value)
        case float():
            return repr(round(value, 3))
        case tuple() | list():
            return "[" + ", ".join(_toml(float(v)) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def _inline(figure: Figure) -> str:
    parts = [f"value = {_toml(figure.value)}"]
    parts.append("assumed = true" if figure.assumed else f"source = {_toml(figure.source)}")
    if figure.note:
        parts.append(f"note = {_toml(figure.note)}")
    return "{ " + ", ".join(parts) + " }"


def _weeks_words(weeks: tuple[int, int]) -> str:
    low, high = weeks
    return f"{low} weeks" if low == high else f"{low}-{high} weeks"


def _header(caseload: Caseload, measures: Measures, title: str) -> list[str]:
    when = measures.period
    lines = [
        title,
        "",
        f"Written by `ehc simulate snapshot` on {day(caseload.read_on)} from the reporting "
        "database.",
        f"Start state: the open assessments and the plans in force as the read model held them "
        f"on {day(caseload.read_on)}, by stage and weeks since the request on "
        f"{day(caseload.start)}, and by the month each plan's next review falls due. No case or "
        "person is named: only dates, stages and counts.",
        f"Measured from the ledger over {when}: demand, the decisions, lead times and reviews "
        f"(each source says what was counted). A figure with fewer than {ENOUGH} cases behind "
        "it is assumed; its note says why.",
        "Lead times are the time cases took, waits for caseworker and psychology time included.",
    ]
    if measures.partial and measures.first_written is not None:
        lines.append(
            f"The ledger was first written on {day(measures.first_written)}: cases closed "
            "before then are counted only if they were entered since."
        )
    excepted, ended = measures.exceptions
    lines.append(
        f"Not written: exceptions ({excepted:,} of {ended:,} assessments that ended {when} had "
        "one applied to the 20-week limit; the ledger does not keep the reason: add "
        "[exceptions.<reason>] tables, scenarios/README.md)"
        + (f"; {caseload.ceasing:,} plans being ceased" if caseload.ceasing else "")
        + "."
    )
    lines.append("EDIT [capacity] and [priority]: placeholders, not measured.")
    return _comment(lines)


def _comment(lines: Iterable[str], width: int = 98) -> list[str]:
    """Lines as TOML comments, wrapped at ``width``."""
    out = []
    for line in lines:
        out += ["#" + (" " + w if w else "") for w in (textwrap.wrap(line, width - 2) or [""])]
    return out


def _figures(figures: dict[str, Figure], section: str) -> list[str]:
    prefix = section + "."
    return [
        f"{key.removeprefix(prefix)} = {_inline(f)}"
        for key, f in figures.items()
        if key.startswith(prefix) and "." not in key.removeprefix(prefix)
    ]


def scenario_text(
    caseload: Caseload, measures: Measures, *, name: str, title: str, weeks: int
) -> str:
    """The scenario file, checked with ``scenarios.model.loads``."""
    figures = measures.figures | capacity(caseload, measures)
    read = f"read model, {day(caseload.read_on)}"
    out = _header(caseload, measures, title)
    out += ["", "version = 1", "", "[scenario]"]
    out += [
        f"name = {_toml(name)}",
        f"title = {_toml(title)}",
        f"description = {_toml(f'Start state from the read model; figures from the ledger, {measures.period}.')}",
        f"start = {_toml(caseload.start)}",
        f"weeks = {weeks}",
    ]
    for g in caseload.assessments:
        out += [
            "",
            "[[start_state.open_assessments]]",
            f"stage = {_toml(g.stage.value)}",
            f"weeks = [{g.weeks[0]}, {g.weeks[1]}]",
            f"count = {g.count}",
            "source = "
            + _toml(
                f"{read}: {g.count:,} open assessments at {g.stage.value} "
                f"({STAGE_WORDS[g.stage]}), {_weeks_words(g.weeks)} since the request"
            ),
        ]
    for p in caseload.plans:
        overdue = " (overdue)" if p.due_to < caseload.start else ""
        out += [
            "",
            "[[start_state.plans]]",
            f"count = {p.count}",
            f"due_from = {_toml(p.due_from)}",
            f"due_to = {_toml(p.due_to)}",
            "source = "
            + _toml(
                f"{read}: plans whose next review is due {period(p.due_from, p.due_to)}{overdue}"
            ),
        ]
    months = ", ".join(f"{m} {n}" for m, n in measures.requests_by_month) or "none"
    out += [
        "",
        *_comment(
            [
                f"Requests received by month: {months}. Add seasonality (12 factors) if they vary by season."
            ]
        ),
    ]
    out += ["[demand]", *_figures(figures, "demand")]
    out += ["", "[decisions]", *_figures(figures, "decisions")]
    out += ["", "# [low, most likely, high] weeks.", "[timings]", *_figures(figures, "timings")]
    out += [
        "",
        *_comment(
            [
                "EDIT: capacity is not in the ledger. Each figure is a placeholder: set the "
                "council's own (scenarios/README.md, [capacity])."
            ]
        ),
        "[capacity]",
        *_figures(figures, "capacity"),
        "",
        "[capacity.hours_per_task]",
        *_figures(figures, "capacity.hours_per_task"),
    ]
    out += ["", "[reviews]", *_figures(figures, "reviews")]
    policies = ", ".join(p.value for p in model.Policy)
    out += [
        "",
        *_comment([f"EDIT: the order ready work is done in ({policies})."]),
        "[priority]",
        f"policy = {_toml(model.Policy.OLDEST_FIRST.value)}",
        "",
    ]
    text = "\n".join(out)
    model.loads(text, f"snapshot {name}")  # a mistake here is a bug: refuse to write it
    return text
