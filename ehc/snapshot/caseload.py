"""Today's caseload as the read model holds it, aged to the scenario's start: the start state.

Open assessments by the simulator's stage and by weeks since the request, plans in force by the
month their next review falls due (overdue ones included); by team as well, when asked
(``by_team``: each case's team is in the read model). Nothing that names a child, a family, a
member of staff or a provider is kept: only dates, stages, counts and the teams' names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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
    team: str | None = None
    """The team whose cases they are (None: not read by team)."""


@dataclass(frozen=True, slots=True)
class PlanGroup:
    due_from: date
    due_to: date
    count: int
    team: str | None = None


@dataclass(frozen=True, slots=True)
class TeamLoad:
    """One team's open cases, as the read model names the team."""

    name: str
    assessments: int
    plans: int
    caseworkers: int
    """Caseworkers named on the team's open assessments and plans (a count)."""


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
    teams: tuple[TeamLoad, ...] = ()
    """Each team's open cases, when read by team (the groups are then each one team's)."""

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
    cases: Iterable[tuple[Stage, int]], team: str | None = None
) -> tuple[AssessmentGroup, ...]:
    """Cases (of ``team``) grouped by stage and band of weeks; each group spans its cases' own
    weeks."""
    bands: dict[tuple[Stage, int], list[int]] = defaultdict(list)
    for stage, weeks in cases:
        bands[(stage, weeks // BAND_WEEKS)].append(weeks)
    order = list(Stage)
    return tuple(
        AssessmentGroup(stage, (min(w), max(w)), len(w), team)
        for (stage, _), w in sorted(bands.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))
    )


def plan_groups(
    dues: Iterable[date], start: date, team: str | None = None
) -> tuple[PlanGroup, ...]:
    """Plans (of ``team``) grouped by the calendar month of their next review's due date; the
    start's month is split at the start, so that a group is all overdue or none of it."""
    months: dict[tuple[int, int, bool], list[date]] = defaultdict(list)
    for due in dues:
        months[(due.year, due.month, due >= start)].append(due)
    return tuple(PlanGroup(min(d), max(d), len(d), team) for _, d in sorted(months.items()))


def read_caseload(engine: Engine, start: date, today: date, *, by_team: bool = False) -> Caseload:
    """The open assessments, plans and requests for advice in the read model; ``by_team``:
    grouped by team too, with each team's open cases and caseworkers named."""
    open_case = case_view.c.is_open == true()
    assessments = (
        select(
            case_view.c.workflow_id,
            case_view.c.case_ref,
            case_view.c.stage,
            step_view.c.step,
            step_view.c.due,
            step_view.c.status,
            case_view.c.team,
        )
        .join(step_view, step_view.c.workflow_id == case_view.c.workflow_id)
        .where(open_case, case_view.c.kind == "assessment")
    )
    reviews = (
        select(case_view.c.stage, case_view.c.review_due, step_view.c.done_on, case_view.c.team)
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
    staff_by_team = (
        select(case_view.c.team, func.count(func.distinct(case_view.c.caseworker)))
        .where(open_case, case_view.c.kind.in_(["assessment", "review"]))
        .group_by(case_view.c.team)
    )
    with engine.connect() as conn:
        steps = conn.execute(assessments).all()
        plans = conn.execute(reviews).all()
        advice_refs = Counter(conn.scalars(advice))
        staff = conn.scalar(caseworkers) or 0
        team_staff: dict[str, int] = {t: n for t, n in conn.execute(staff_by_team).all()}

    received: dict[str, date] = {}
    stage_of: dict[str, str] = {}
    team_of: dict[str, str] = {}
    asked: set[str] = set()
    awaited: set[str] = set()
    refs: set[str] = set()
    for workflow_id, case_ref, stage, step, due, status, team in steps:
        stage_of[workflow_id] = stage
        team_of[workflow_id] = team
        refs.add(case_ref)
        if step == StepId.DECIDE_TO_ASSESS.value:
            # The statutory date, which an exception never moves, is 6 weeks from the request.
            received[workflow_id] = weeks_before(due, rules.DECIDE_TO_ASSESS_WEEKS)
        elif is_advice_request(step):
            asked.add(workflow_id)
            if status in OPEN_STATES:
                awaited.add(workflow_id)
    cases: dict[str | None, list[tuple[Stage, int]]] = defaultdict(list)
    for workflow_id, stage in stage_of.items():
        advice_awaited = workflow_id in awaited or workflow_id not in asked
        simulated = _assessment_stage(stage, advice_awaited)
        if simulated is not None and workflow_id in received:
            team = team_of[workflow_id] if by_team else None
            cases[team].append((simulated, week_reached(received[workflow_id], start)))

    dues: dict[str | None, list[date]] = defaultdict(list)
    ceasing = 0
    for stage, review_due, held, team in plans:
        mine = dues[team if by_team else None]
        if stage == review_rules.Stage.CEASING.value:
            ceasing += 1
        elif stage in MEETING_HELD and held is not None:
            mine.append(review_rules.review_due(held))
        elif review_due is not None:
            mine.append(review_due)
    teams = sorted({t for t in (*cases, *dues) if t is not None})
    return Caseload(
        read_on=today,
        start=start,
        assessments=tuple(g for t in _keys(cases) for g in assessment_groups(cases[t], t)),
        plans=tuple(g for t in _keys(dues) for g in plan_groups(dues[t], start, t)),
        advice_open=sum(n for ref, n in advice_refs.items() if ref in refs),
        ceasing=ceasing,
        caseworkers=staff,
        teams=tuple(TeamLoad(t, len(cases[t]), len(dues[t]), team_staff.get(t, 0)) for t in teams),
    )


def _keys(by_team: dict[str | None, Any]) -> list[str | None]:
    """The teams of ``by_team`` in order (None, not read by team, alone)."""
    return sorted(by_team, key=lambda t: "" if t is None else t)
