"""Client-side operations on assessment workflows: the one code path for CLI and API.

Every failure becomes a ``CaseError`` with one sentence a caseworker can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from ehc.settings import Settings
from statutory import assessment as rules
from statutory import identifiers
from statutory.alerts import settling_end
from statutory.errors import RuleViolation
from statutory.steps import StepStatus
from workflows import search_attributes as sa
from workflows.advice import AdviceWorkflow
from workflows.assessment import AssessmentWorkflow
from workflows.models import (
    AdviceView,
    AssessmentStart,
    AssessmentView,
    DutyView,
    advice_workflow_id,
    assessment_workflow_id,
)


class CaseError(RuntimeError):
    """A request about a case that cannot be carried out; the message says why."""


class CaseNotFound(CaseError):
    """No workflow of that kind has that case reference."""


@dataclass(frozen=True, slots=True)
class NextDue:
    """A workflow as visibility lists it: its next statutory step and date, and whose it is."""

    next_step: str | None
    next_deadline: date | None
    caseworker: str
    team: str

    def days_overdue(self, today: date) -> int | None:
        if self.next_deadline is None:
            return None
        return (today - self.next_deadline).days


@dataclass(frozen=True, slots=True)
class CaseSummary(NextDue):
    case_ref: str
    stage: str
    final_plan_due: date | None
    running: bool
    review_due: date | None = None


def cause_message(error: BaseException) -> str:
    cause = error.__cause__ or getattr(error, "cause", None)
    while cause is not None and not isinstance(cause, ApplicationError):
        cause = getattr(cause, "cause", None) or cause.__cause__
    return str(cause.message if isinstance(cause, ApplicationError) else error)


class CaseWorkflows:
    """What the services of both kinds of case (assessments, plans' reviews) share."""

    kind: ClassVar[str]
    """The kind of case, as visibility and error messages name it."""

    def __init__(self, client: Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    async def _start(self, run: Any, arg: Any, workflow_id: str) -> bool:
        """Start the case's workflow; False if it already exists (``start_once``)."""
        return await start_once(self.client, run, arg, workflow_id, self.settings.task_queue)

    def _quiet_until(self, today: date, settle: bool) -> date | None:
        """With ``settle``, the end of the settling period: no escalations before it."""
        return settling_end(today, self.settings.settling_working_days) if settle else None

    async def list(self, **filters: Any) -> list[CaseSummary]:
        """Cases of this kind from Temporal visibility (see ``list_cases``)."""
        return await list_cases(self.client, self.kind, **filters)


E = TypeVar("E")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class WorkflowAccess(Generic[E, V]):
    """How the client reaches the workflow of one kind of case: its id from the case
    reference, the result it ends with, its update that records an event, and its query."""

    workflow_id: Callable[[str], str]
    outcome: type[Any]
    record: UpdateMethodMultiParam[[Any, E], V]
    timeline: Callable[[Any], V]


class CaseService(CaseWorkflows, Generic[E, V]):
    """A kind of case with one workflow per case reference (``workflow``): recording an
    event on it and reading its timeline, each failure as ``CaseError``."""

    workflow: WorkflowAccess[E, V]

    def _handle(self, case_ref: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(
            self.workflow.workflow_id(case_ref), result_type=self.workflow.outcome
        )

    async def record(self, case_ref: str, event: E) -> V:
        case_ref = checked_ref(case_ref)
        with temporal_errors(self.kind, case_ref):
            return await self._handle(case_ref).execute_update(self.workflow.record, event)

    async def view(self, case_ref: str, today: date | None = None) -> V:
        """The case's timeline, with its steps rated as of ``today`` (default: today, UTC).

        A query answers as of the workflow's last task, which may be days old for a quiet case.
        """
        case_ref = checked_ref(case_ref)
        with temporal_errors(self.kind, case_ref):
            view = await self._handle(case_ref).query(self.workflow.timeline)
            return await self._as_of(view, today or datetime.now(UTC).date())

    async def _as_of(self, view: V, today: date) -> V:
        """``view`` with its steps rated as of ``today``."""
        raise NotImplementedError


def checked_assessment(
    request: rules.AssessmentRequest, prior_events: Sequence[rules.AssessmentEvent], today: date
) -> rules.AssessmentCase:
    """The case after ``prior_events``, having checked the request and each event against the
    rules. Raises ``CaseError`` with the reason if anything is wrong; needs no server."""
    with refused_by_rules(request.case_ref):
        case = rules.open_case(request, today)
        for event in prior_events:
            case = rules.apply(case, event, today, datetime.now(UTC))
    return case


class Assessments(CaseService[rules.AssessmentEvent, AssessmentView]):
    kind = "assessment"
    workflow = WorkflowAccess(
        assessment_workflow_id,
        rules.AssessmentOutcome,
        AssessmentWorkflow.record,
        AssessmentWorkflow.timeline,
    )

    async def start(
        self,
        request: rules.AssessmentRequest,
        prior_events: Sequence[rules.AssessmentEvent] = (),
        today: date | None = None,
        *,
        settle: bool = True,
    ) -> bool:
        """Start the case's workflow; False if it already exists (nothing changes).

        ``settle``: hold escalations for the settling period (settings), so a case entered
        with a past can have its history recorded before anyone is escalated. Only a caller
        that gives the whole history up front (the demo) turns it off.
        """
        # Check the rules here first, so a bad request is refused before anything is written.
        today = today or datetime.now(UTC).date()
        checked_assessment(request, prior_events, today)
        start = AssessmentStart(
            request=request,
            prior_events=list(prior_events),
            policy=self.settings.alert_policy,
            alert_hour_utc=self.settings.alert_hour_utc,
            review_policy=self.settings.review_policy,
            quiet_until=self._quiet_until(today, settle),
        )
        return await self._start(
            AssessmentWorkflow.run, start, assessment_workflow_id(request.case_ref)
        )

    async def _as_of(self, view: AssessmentView, today: date) -> AssessmentView:
        steps = rules.steps(view.case, today, self.settings.amber_days)
        return await rated_with_advice(self.client, view, today, steps, rules.next_deadline(steps))


WithAdvice = TypeVar("WithAdvice", AssessmentView, DutyView)
"""A view whose requests for advice run as child workflows of their own."""


async def rated_with_advice(
    client: Client,
    view: WithAdvice,
    today: date,
    steps: list[StepStatus],
    next_step: StepStatus | None,
) -> WithAdvice:
    """``view`` as of ``today``, with its ``steps`` rated that day, its ``next_step`` and each
    request for advice's own clock (``advice_views``)."""
    advice = await advice_views(client, view.case.case_ref, view.case.advice)
    return view.model_copy(
        update={"as_of": today, "steps": steps, "next_step": next_step, "advice": advice}
    )


async def advice_views(
    client: Client, case_ref: str, advice: Iterable[rules.AdviceRequest]
) -> list[AdviceView]:
    """Each request for advice's own clock; a request whose workflow has not started (or
    predates advice children) is left out."""
    out = []
    for request in advice:
        child: WorkflowHandle[AdviceWorkflow, Any] = client.get_workflow_handle(
            advice_workflow_id(case_ref, request.advice_type.value, request.id),
        )
        try:
            out.append(await child.query(AdviceWorkflow.timeline))
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
    return out


async def start_once(client: Client, run: Any, arg: Any, workflow_id: str, task_queue: str) -> bool:
    """Start a case's workflow unless one with that id exists (ever): True if started.

    A case reference is used once, so a repeat (an import run twice) creates nothing.
    """
    try:
        await client.start_workflow(
            run,
            arg,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


def checked_ref(case_ref: str) -> str:
    """A case reference as the rules write it, or ``CaseError`` saying why it cannot be one
    (never repeating it: it may be a name)."""
    try:
        return identifiers.case_ref(case_ref)
    except RuleViolation as error:
        raise CaseError(str(error)) from None


def rpc_error(kind: str, case_ref: str, error: RPCError) -> CaseError:
    if error.status == RPCStatusCode.NOT_FOUND:
        return CaseNotFound(f"no {kind} with case reference {case_ref}")
    return CaseError(f"{case_ref}: Temporal said: {error.message}")


@contextmanager
def refused_by_rules(case_ref: str) -> Iterator[None]:
    """A rule's refusal, checked before anything is written, as ``CaseError`` naming the case."""
    try:
        yield
    except RuleViolation as error:
        raise CaseError(f"{case_ref}: {error}") from error


@contextmanager
def temporal_errors(kind: str, case_ref: str) -> Iterator[None]:
    """What Temporal says about one case (``kind``: assessment or review), as ``CaseError``:
    an event the rules rejected, no such case, a failed workflow, or anything else it said."""
    try:
        yield
    except WorkflowUpdateFailedError as error:
        raise CaseError(f"{case_ref}: rejected: {cause_message(error)}") from error
    except RPCError as error:
        raise rpc_error(kind, case_ref, error) from error
    except WorkflowFailureError as error:
        raise CaseError(f"{case_ref}: {cause_message(error)}") from error


async def list_cases(
    client: Client,
    kind: str,
    *,
    overdue_on: datetime | None = None,
    due_by: datetime | None = None,
    team: str | None = None,
    caseworker: str | None = None,
    include_closed: bool = False,
    limit: int | None = None,
    stage: str | None = None,
) -> list[CaseSummary]:
    """Cases of one kind from Temporal visibility, by next statutory date.

    Visibility is eventually consistent: a change is usually indexed within a second or two.
    ``overdue_on`` keeps cases whose next statutory date passed before that instant;
    ``due_by`` those whose next date falls before it (overdue included).
    """
    clauses = [f"{sa.KIND.name} = '{kind}'"]
    if not include_closed:
        clauses.append("ExecutionStatus = 'Running'")
    for instant in (overdue_on, due_by):
        if instant is not None:
            clauses.append(f"{sa.NEXT_DEADLINE.name} < '{instant.astimezone(UTC).isoformat()}'")
    if team:
        clauses.append(f"{sa.TEAM.name} = '{_quote(team)}'")
    if caseworker:
        clauses.append(f"{sa.CASEWORKER.name} = '{_quote(caseworker)}'")
    if stage:
        clauses.append(f"{sa.STAGE.name} = '{_quote(stage)}'")
    query = " AND ".join(clauses)
    out: list[CaseSummary] = []
    async for wf in client.list_workflows(query, limit=limit):
        attrs = wf.typed_search_attributes
        deadline = attrs.get(sa.NEXT_DEADLINE)
        final_due = attrs.get(sa.FINAL_PLAN_DUE)
        review_due = attrs.get(sa.REVIEW_DUE)
        out.append(
            CaseSummary(
                case_ref=attrs.get(sa.CASE_REF) or wf.id.split("-", 1)[-1],
                stage=attrs.get(sa.STAGE) or "?",
                next_step=attrs.get(sa.NEXT_STEP),
                next_deadline=deadline.date() if deadline else None,
                caseworker=attrs.get(sa.CASEWORKER) or "",
                team=attrs.get(sa.TEAM) or "",
                final_plan_due=final_due.date() if final_due else None,
                review_due=review_due.date() if review_due else None,
                running=wf.status == WorkflowExecutionStatus.RUNNING,
            )
        )
    out.sort(key=lambda c: (c.next_deadline or date.max, c.case_ref))
    return out


def _quote(value: str) -> str:
    if "'" in value or "\\" in value:
        raise CaseError(f"'{value}' contains a character a filter cannot hold")
    return value
