"""Client-side operations on duty-clock workflows (re-assessments, Tribunal orders, transfers
in and out, appeals): the one code path for the CLI, the API and the importer.

A case reference may have several duty clocks over its life (two appeals, an order after an
appeal), so each is named by its workflow id (``workflows.models.duty_workflow_id``), and
``resolve`` finds the one open clock of a process when the caller gives only the reference.
Which clocks a case has is read from Temporal visibility (``EhcCaseRef``, ``EhcKind``): the
service needs only the Temporal client, like ``ehc.cases.Assessments``; visibility is
eventually consistent, so a clock started a second ago may not be found yet (``resolve``
says so, and an id can be given instead).

Every failure becomes a ``CaseError`` with one sentence a caseworker can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowQueryFailedError

from ehc.cases import (
    CaseError,
    CaseNotFound,
    CaseWorkflows,
    NextDue,
    checked_ref,
    rated_with_advice,
    refused_by_rules,
    temporal_errors,
)
from statutory import clocks
from statutory.dates import as_written
from workflows import search_attributes as sa
from workflows.duty import DutyWorkflow
from workflows.models import DutyStart, DutyView, duty_workflow_id

#: How a caseworker names one clock of each process in a sentence ("no open appeal for ...").
NOUN = {
    "reassessment": "re-assessment",
    "tribunal-order": "Tribunal order",
    "transfer-in": "transfer in",
    "transfer-out": "transfer out",
    "appeal": "appeal",
}

_OPENED = re.compile(r"^(?P<rest>.+)-(?P<opened>\d{4}-\d{2}-\d{2})$")


def noun(process: str) -> str:
    """The process as a caseworker names one case of it: "re-assessment", "transfer in"."""
    return NOUN.get(process, process.replace("-", " "))


@dataclass(frozen=True, slots=True)
class DutySummary(NextDue):
    """One duty clock of a case, as visibility lists it."""

    workflow_id: str
    case_ref: str
    process: str
    variant: str | None
    opened_on: date
    stage: str
    """The next step's id, ``open`` (nothing due) or ``closed`` (``statutory.clocks.stage``)."""
    status: str
    """The workflow's status: running, completed, terminated..."""

    @property
    def running(self) -> bool:
        return self.status == "running"


def split_workflow_id(workflow_id: str) -> tuple[str, str, str | None, date]:
    """The process, case reference, kind and opening day a clock's id carries
    (``duty_workflow_id``); ``CaseError`` for an id no duty clock has."""
    found = _OPENED.match(workflow_id)
    for process, declared in clocks_declared().items():
        if found is None or not workflow_id.startswith(f"{process}-"):
            continue
        rest = found["rest"].removeprefix(f"{process}-")
        # Longest first: "continue-amend" before "amend".
        kinds = sorted(declared.variants, key=len, reverse=True)
        variant = next((v for v in kinds if rest.endswith(f"-{v}")), None)
        case_ref = rest.removesuffix(f"-{variant}") if variant else rest
        if case_ref and (variant is None) == (not declared.variants):
            return process, case_ref, variant, date.fromisoformat(found["opened"])
    raise CaseError(f"'{workflow_id}' is not the id of a re-assessment, order, transfer or appeal")


def clocks_declared() -> dict[str, clocks.ClockProcess]:
    from statutory.clock_processes import CLOCKS

    return CLOCKS


def opened_case(
    start: clocks.ClockStart, prior_events: Sequence[clocks.ClockEvent], today: date
) -> clocks.ClockCase:
    """The case after ``prior_events``, as the rules open it and apply each event; their
    ``RuleViolation`` if they refuse the start or an event. Needs no server."""
    case = clocks.open_case(start, today)
    for event in prior_events:
        case = clocks.apply(case, event, today)
    return case


class AlreadyStarted(CaseError):
    """The clock was started before (a repeated start, an import run twice): nothing changed."""


class Duties(CaseWorkflows):
    """Duty-clock cases of every process: start, find, record, view."""

    kind = "duty clock"

    async def start(
        self,
        start: clocks.ClockStart,
        prior_events: Sequence[clocks.ClockEvent] = (),
        today: date | None = None,
        *,
        settle: bool = True,
    ) -> DutyView:
        """Start the clock; ``CaseError`` if the rules refuse it, ``AlreadyStarted`` if it was
        started before (same process, case, kind and opening day).

        A case entered with past dates (or ``prior_events``) holds escalations for the
        settling period, as ``Assessments.start`` does, so its history can be recorded first.
        """
        today = today or datetime.now(UTC).date()
        # The rules first, so a refusal is one line and nothing is written.
        with refused_by_rules(start.case_ref):
            case = opened_case(start, prior_events, today)
        workflow_id = duty_workflow_id(start.process, start.case_ref, case.opened_on, start.variant)
        back_entered = bool(prior_events) or min(start.dates.values()) < today
        arg = DutyStart(
            start=start,
            prior_events=list(prior_events),
            policy=self.settings.alert_policy,
            alert_hour_utc=self.settings.alert_hour_utc,
            quiet_until=self._quiet_until(today, settle and back_entered),
        )
        if not await self._start(DutyWorkflow.run, arg, workflow_id):
            raise AlreadyStarted(
                f"{start.case_ref}: a {noun(start.process)} opened on "
                f"{as_written(case.opened_on)} was already started (id {workflow_id})"
            )
        return await self.view(workflow_id, today)

    async def find(self, case_ref: str, process: str, open_only: bool = True) -> list[DutySummary]:
        """The clocks of ``process`` that ``case_ref`` has (``open_only``: still running),
        oldest first, from visibility."""
        case_ref = checked_ref(case_ref)
        return await self.list_clocks(process, case_ref=case_ref, open_only=open_only)

    async def list_clocks(
        self,
        process: str,
        *,
        case_ref: str | None = None,
        team: str | None = None,
        caseworker: str | None = None,
        open_only: bool = True,
    ) -> list[DutySummary]:
        """Clocks of ``process`` from visibility, by next statutory date then opening day."""
        clocks.declaration(process)  # an unknown process is refused, naming the known ones
        clauses = [f"{sa.KIND.name} = '{process}'"]
        for key, value in ((sa.CASE_REF, case_ref), (sa.TEAM, team), (sa.CASEWORKER, caseworker)):
            if value is not None:
                clauses.append(f"{key.name} = '{_quoted(value)}'")
        if open_only:
            clauses.append("ExecutionStatus = 'Running'")
        out: list[DutySummary] = []
        async for wf in self.client.list_workflows(" AND ".join(clauses)):
            attrs = wf.typed_search_attributes
            try:
                _, ref, variant, opened = split_workflow_id(wf.id)
            except CaseError:
                continue  # not a clock this service started (a workflow another tool made)
            deadline = attrs.get(sa.NEXT_DEADLINE)
            out.append(
                DutySummary(
                    workflow_id=wf.id,
                    case_ref=ref,
                    process=process,
                    variant=variant,
                    opened_on=opened,
                    stage=attrs.get(sa.STAGE) or "open",
                    status=_status(wf.status),
                    next_step=attrs.get(sa.NEXT_STEP),
                    next_deadline=deadline.date() if deadline else None,
                    caseworker=attrs.get(sa.CASEWORKER) or "",
                    team=attrs.get(sa.TEAM) or "",
                )
            )
        out.sort(key=lambda d: (d.next_deadline or date.max, d.case_ref, d.opened_on))
        return out

    async def resolve(self, case_ref: str, process: str, workflow_id: str | None = None) -> str:
        """The workflow id of the one open ``process`` clock of ``case_ref``; ``workflow_id``
        (checked to be one of this case's) when given. ``CaseError`` naming the choices when
        there are several, or saying there is none."""
        case_ref = checked_ref(case_ref)
        what = noun(process)
        if workflow_id is not None:
            if split_workflow_id(workflow_id)[:2] != (process, case_ref):
                raise CaseError(f"{workflow_id} is not a {what} of {case_ref}")
            return workflow_id
        found = await self.find(case_ref, process)
        if len(found) == 1:
            return found[0].workflow_id
        if not found:
            raise CaseNotFound(
                f"no open {what} for {case_ref} (one started in the last few seconds may not "
                "show yet; give --id)"
            )
        choices = "; ".join(f"{d.workflow_id} (opened {as_written(d.opened_on)})" for d in found)
        raise CaseError(f"{case_ref} has {len(found)} open {what}s: give --id, one of: {choices}")

    async def record(self, workflow_id: str, event: clocks.ClockEvent) -> DutyView:
        """Record what happened (checked by the workflow's rules first); the updated view."""
        with _errors(workflow_id):
            view = await self._handle(workflow_id).execute_update(DutyWorkflow.record, event)
        return await self._as_of(view, datetime.now(UTC).date())

    async def view(self, workflow_id: str, today: date | None = None) -> DutyView:
        """The clock's timeline with its steps rated as of ``today`` (default: today, UTC) and
        each request for advice's own clock."""
        with _errors(workflow_id):
            view = await self._handle(workflow_id).query(DutyWorkflow.timeline)
            return await self._as_of(view, today or datetime.now(UTC).date())

    def _handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(workflow_id, result_type=clocks.ClockOutcome)

    async def _as_of(self, view: DutyView, today: date) -> DutyView:
        steps = clocks.steps(view.case, today, self.settings.amber_days)
        return await rated_with_advice(self.client, view, today, steps, clocks.next_deadline(steps))


@contextmanager
def _errors(workflow_id: str) -> Iterator[None]:
    """``ehc.cases.temporal_errors`` for a clock named by its id, worded by its case."""
    try:
        _, case_ref, _, _ = split_workflow_id(workflow_id)
    except CaseError:
        case_ref = workflow_id
    try:
        with temporal_errors("duty clock", case_ref):
            yield
    except CaseNotFound as error:
        raise CaseNotFound(f"no case with id {workflow_id}") from error
    except WorkflowQueryFailedError as error:
        raise CaseError(f"{case_ref}: the case could not answer ({error.message})") from error


def _status(status: WorkflowExecutionStatus | None) -> str:
    return status.name.lower() if status else "unknown"


def _quoted(value: str) -> str:
    if "'" in value or "\\" in value:
        raise CaseError(f"'{value}' contains a character a filter cannot hold")
    return value
