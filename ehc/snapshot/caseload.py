"""Today's caseload as the read model holds it, aged to the scenario's start: the start state.

Open assessments by the simulator's stage and by weeks since the request, plans in force by the
month their next review falls due (overdue ones included). Nothing that names a child, a family,
a member of staff or a provider is kept: only dates, stages and counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, and_, func, select, true

from activities.schema import case_view, step_view
from scenarios.model import Stage
from statutory import assessment as rules
from statutory import review as review_rules
from statutory.dates import weeks_before
from statutory.process import StepId, is_advice_request
from statutory.steps import StepState

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
