"""A case's chronology: every workflow of one case reference as one timeline.

Sources, merged by day: the assessment's and the current review cycle's timelines (queries:
events recorded, steps open and done), the reporting ledger (steps done and outcomes of
every cycle, also after a workflow's history is gone), and visibility (which workflows the
case has). Each line says what happened, what is due, or what was missed:

- ``event``: something recorded (a decision, advice requested, a meeting held...), on the day
  it happened; an exception on the first day of its period, shown over the whole period;
- ``done`` / ``late``: a step completed by its statutory date (or after it, when an exception
  lifted the limit) / after it;
- ``overdue`` / ``due``: an open step past its operational target / still to come;
- ``outcome``: how an assessment or a review cycle ended.

Steps carry their status from the truth table (``statutory.steps.step_state``); a statutory
duty done late or overdue is ``missed`` (``StepStatus.missed``). ``what`` and ``detail`` are
words for people; the dates of every field stay ISO in JSON.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError

from ehc import wording
from ehc.cases import Assessments, CaseError, CaseNotFound
from ehc.ledger_reader import LedgerReader
from ehc.reviews import Reviews
from ehc.settings import Settings
from ehc.text import count, day
from statutory import clocks
from statutory.catalogue import describe
from statutory.clock_processes import CLOCKS
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.process import StepKind
from statutory.steps import StepState, StepStatus, settle
from workflows import search_attributes as sa
from workflows.models import AssessmentView, DutyView, ReviewView

Kind = Literal["event", "done", "late", "overdue", "due", "outcome"]
_ORDER = {"event": 0, "done": 1, "late": 1, "outcome": 2, "overdue": 3, "due": 4}
#: A step's kind of line, from its status (the truth table): an excepted step is done, not
#: late, since an exception lifted the limit it passed.
_KIND: dict[StepState, Kind] = {
    StepState.MET: "done",
    StepState.EXCEPTED: "done",
    StepState.LATE: "late",
    StepState.OVERDUE: "overdue",
    StepState.OPEN: "due",
}


class Entry(BaseModel):
    day: date
    """When it happened or is due; an exception's first day."""
    kind: Kind
    process: str
    cycle: int
    what: str
    """In words, for people."""
    step: str | None = None
    regulation: str | None = None
    due: date | None = None
    detail: str = ""
    event: str | None = None
    """An event's type, as recorded (``exception``, ``decided-to-assess``...)."""
    until: date | None = None
    """The last day of a period (an exception)."""
    state: StepState | None = None
    """A step's status (statutory/steps.py truth table)."""
    missed: bool = False
    """A statutory duty done late or overdue (``StepStatus.missed``)."""


class WorkflowInfo(BaseModel):
    workflow_id: str
    kind: str
    status: str
    stage: str | None


class Chronology(BaseModel):
    case_ref: str
    as_of: date
    caseworker: str | None
    """The case's caseworker now (the plan's, once there is one)."""
    workflows: list[WorkflowInfo]
    entries: list[Entry]
    missed: int
    """Statutory steps done late or still open past their target (excepted ones are not)."""
    next_due: Entry | None


def _event_entries(process: str, cycle: int, timeline: Iterable[Any]) -> list[Entry]:
    out = []
    for entry in timeline:
        said = wording.event(entry.event)
        out.append(
            Entry(
                day=said.on,
                until=said.until,
                kind="event",
                process=process,
                cycle=cycle,
                what=said.what,
                event=entry.event.type,
                regulation=said.regulation or None,
                detail=said.detail,
            )
        )
    return out


def _step_entry(process: str, cycle: int, s: StepStatus, today: date) -> Entry | None:
    """One step as a line: when it was done, or when it is due (its operational target)."""
    if s.state is StepState.NOT_APPLICABLE:
        return None
    if s.completed_on is not None:
        on = s.completed_on
        after = f"{count((s.completed_on - s.due).days, 'day')} after the statutory date"
        detail = {
            StepState.LATE: f"{after}, {day(s.due)}",
            StepState.EXCEPTED: f"{after}, {day(s.due)}; an exception lifted the limit",
        }.get(s.state, "")
    else:
        on = s.target
        parts = [f"{count((today - on).days, 'day')} past the target"] if on < today else []
        if s.target != s.due:
            parts.append(f"statutory date {day(s.due)}, moved by an exception")
        detail = "; ".join(parts)
    return Entry(
        day=on,
        kind=_KIND[s.state],
        process=process,
        cycle=cycle,
        what=s.label,
        step=s.step,
        regulation=s.regulation,
        due=s.due,
        detail=detail,
        state=s.state,
        missed=s.missed,
    )


def _ledger_status(s: StepRecord, today: date) -> StepStatus:
    """A step the ledger recorded as done, with its status from the same truth table."""
    info = describe(s.step, s.process)
    label = info.label if info else s.step
    if s.detail.get("provider"):  # as the rules label an advice step
        kind = s.detail.get("advice_type", "professional").replace("-", " ").capitalize()
        label = f"{kind} advice from {s.detail['provider']}"
    return settle(
        step=s.step,
        label=label,
        regulation=s.regulation,
        due=s.due,
        target=s.target,
        exception_applies=s.exception_applies,
        kind=info.kind if info else (StepKind.DUTY if s.statutory else StepKind.PLANNING),
        completed_on=s.completed_on,
        applicable=True,
        today=today,
    )


def _enum_words(table: dict[Any, str], value: Any) -> str:
    """A value from an outcome's JSON, worded; one the table does not know, as it is."""
    return next((said for key, said in table.items() if key.value == value), str(value))


def _outcome_summary(process: str, outcome: dict[str, Any]) -> str:
    if process in CLOCKS:  # a duty clock (``statutory.clocks.ClockOutcome``)
        ending = clocks.ending_words(process, str(outcome.get("ending")))
        in_time = outcome.get("in_time")
        timely = "" if in_time is None else (", in time" if in_time else ", not in time")
        return f"{CLOCKS[process].process.title} ended: {ending}{timely}"
    if process == "assessment":
        text = f"Assessment ended: {_enum_words(wording.ENDING, outcome.get('ending'))}"
        if outcome.get("within_20_weeks") is not None:
            text += ", " + wording.within(outcome["within_20_weeks"], "20 weeks")
        if outcome.get("exceptions_apply"):
            text += " (an exception applied)"
        return text
    decision = outcome.get("decision")
    head = f"Review cycle {outcome.get('cycle')} ended: " + (
        f"decision to {_enum_words(wording.DECISION, decision)}" if decision else "no decision"
    )
    parts = [head]
    for key, label in (
        ("reviewed_within_12_months", "reviewed within 12 months"),
        ("decision_within_4_weeks", "decision within 4 weeks"),
        ("amended_within_12_weeks", "amended within 12 weeks"),
        ("phase_transfer_finalised_in_time", "plan finalised in time for the phase transfer"),
    ):
        if outcome.get(key) is not None:
            parts.append(f"{label}: {wording.yes_no(outcome[key])}")
    if outcome.get("plan_ended"):
        parts.append(_enum_words(wording.PLAN_ENDING, outcome["plan_ended"]))
    return "; ".join(parts)


def build(
    case_ref: str,
    today: date,
    *,
    assessment: AssessmentView | None,
    review: ReviewView | None,
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
    workflows: Sequence[WorkflowInfo] = (),
    duties: Sequence[DutyView] = (),
) -> Chronology:
    """Merge the sources into one timeline (pure: no I/O). ``duties``: the case's open duty
    clocks (re-assessment, order, transfer, appeal); their done steps and endings come from
    the ledger like the others'."""
    entries: list[Entry] = []
    seen_steps: set[tuple[str, int, str]] = set()
    seen_outcomes: set[tuple[str, int]] = set()
    for s in steps:
        done = _step_entry(s.process, s.cycle, _ledger_status(s, today), today)
        if done is not None:
            entries.append(done)
        seen_steps.add((s.process, s.cycle, s.step))
    for o in outcomes:
        entries.append(
            Entry(
                day=o.ended_on,
                kind="outcome",
                process=o.process,
                cycle=o.cycle,
                what=_outcome_summary(o.process, o.outcome),
            )
        )
        seen_outcomes.add((o.process, o.cycle))
    views: list[tuple[str, int, list[StepStatus], Iterable[Any]]] = []
    if assessment is not None:
        received = assessment.case.request.received
        entries.append(
            Entry(
                day=received,
                kind="event",
                process="assessment",
                cycle=0,
                what="Request for an EHC needs assessment received",
                event="request-received",
            )
        )
        views.append(("assessment", 0, assessment.steps, assessment.case.timeline))
        if assessment.outcome is not None and ("assessment", 0) not in seen_outcomes:
            entries.append(
                Entry(
                    day=assessment.outcome.ended_on,
                    kind="outcome",
                    process="assessment",
                    cycle=0,
                    what=_outcome_summary("assessment", assessment.outcome.model_dump(mode="json")),
                )
            )
    if review is not None:
        c = review.cycle
        entries.append(
            Entry(
                day=c.anchor,
                kind="event",
                process="review",
                cycle=c.cycle,
                what=f"Review cycle {c.cycle} begins",
                detail=(
                    "from the day the plan was made"
                    if c.anchor == c.plan.plan_date
                    else "from the previous review"
                ),
            )
        )
        views.append(("review", review.cycle.cycle, review.steps, review.cycle.timeline))
        for previous in review.previous:
            if ("review", previous.cycle) not in seen_outcomes:
                entries.append(
                    Entry(
                        day=previous.ended_on or previous.decision_on or previous.anchor,
                        kind="outcome",
                        process="review",
                        cycle=previous.cycle,
                        what=_outcome_summary("review", previous.model_dump(mode="json")),
                    )
                )
    for duty in duties:
        proc = duty.case.declared
        entries.append(
            Entry(
                day=duty.case.opened_on,
                kind="event",
                process=duty.case.process,
                cycle=0,
                what=f"{proc.process.title} opened",
                detail=proc.variants.get(duty.case.variant or "", ""),
            )
        )
        views.append((duty.case.process, 0, duty.steps, []))
    for process, cycle, view_steps, timeline in views:
        entries.extend(_event_entries(process, cycle, timeline))
        for status in view_steps:
            if (process, cycle, status.step) in seen_steps:
                continue
            entry = _step_entry(process, cycle, status, today)
            if entry is not None:
                entries.append(entry)
    entries.sort(key=lambda e: (e.day, _ORDER[e.kind], e.process, e.cycle))
    upcoming = [e for e in entries if e.kind in ("overdue", "due")]
    if review is not None:
        caseworker: str | None = review.cycle.caseworker
    elif assessment is not None:
        caseworker = assessment.case.caseworker
    else:
        rows: list[StepRecord | OutcomeRecord] = [*steps, *outcomes]
        plan_rows = [r for r in rows if r.process == "review"]
        caseworker = (plan_rows or rows)[-1].caseworker if rows else None
    return Chronology(
        case_ref=case_ref,
        as_of=today,
        caseworker=caseworker,
        workflows=list(workflows),
        entries=entries,
        missed=sum(e.missed for e in entries),
        next_due=min(upcoming, key=lambda e: e.day, default=None),
    )


async def _workflows(client: Client, case_ref: str) -> list[WorkflowInfo]:
    query = f"{sa.CASE_REF.name} = '{case_ref}'"
    out = []
    async for wf in client.list_workflows(query):
        attrs = wf.typed_search_attributes
        out.append(
            WorkflowInfo(
                workflow_id=wf.id,
                kind=attrs.get(sa.KIND) or wf.workflow_type,
                status=wf.status.name.lower() if wf.status else "unknown",
                stage=attrs.get(sa.STAGE),
            )
        )
    return out


async def case_chronology(
    client: Client,
    settings: Settings,
    ledger: LedgerReader,
    case_ref: str,
    today: date | None = None,
) -> Chronology:
    """Everything known about ``case_ref``; ``CaseNotFound`` if nothing is."""
    today = today or datetime.now(UTC).date()
    assessment: AssessmentView | None = None
    review: ReviewView | None = None
    with contextlib.suppress(CaseNotFound):
        assessment = await Assessments(client, settings).view(case_ref, today)
    with contextlib.suppress(CaseNotFound):
        review = await Reviews(client, settings).view(case_ref, today)
    steps = ledger.steps(case_ref=case_ref)
    outcomes = ledger.outcomes(case_ref=case_ref)
    try:
        workflows = await _workflows(client, case_ref)
    except RPCError:  # the list is a courtesy: the timeline stands without it
        workflows = []
    duties = await _open_duties(client, settings, workflows, today)
    if assessment is None and review is None and not steps and not outcomes and not duties:
        raise CaseNotFound(f"no case with case reference {case_ref}")
    return build(
        case_ref,
        today,
        assessment=assessment,
        review=review,
        steps=steps,
        outcomes=outcomes,
        workflows=workflows,
        duties=duties,
    )


async def _open_duties(
    client: Client, settings: Settings, workflows: Sequence[WorkflowInfo], today: date
) -> list[DutyView]:
    """The open duty clocks of the case (a closed one's steps are in the ledger)."""
    from ehc.duties import Duties

    service = Duties(client, settings)
    out = []
    for w in workflows:
        if w.kind in CLOCKS and w.status == "running":
            # A clock that cannot answer leaves its lines to the ledger.
            with contextlib.suppress(CaseError):
                out.append(await service.view(w.workflow_id, today))
    return out
