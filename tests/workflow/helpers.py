"""Helpers for workflow tests: a worker with the real outbox, and reading what it wrote."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from activities.channels import Channel
from activities.directory import Directory
from activities.outbox import Outbox
from ehc.digest import due_work
from ehc.worker import WORKFLOW_RUNNER, WORKFLOWS, activities
from statutory.assessment import AssessmentRequest
from workflows.assessment import AssessmentWorkflow
from workflows.models import AssessmentStart, assessment_workflow_id, review_workflow_id

#: Workflow ids started by the current test; the autouse fixture in conftest.py terminates
#: any still running, since one left running with no worker stalls the test server's clock.
STARTED: list[str] = []


@asynccontextmanager
async def running_worker(
    client: Client,
    outbox: Outbox,
    *,
    task_queue: str | None = None,
    directory: Directory | None = None,
    channels: Sequence[Channel] = (),
    terminate_on_exit: bool = True,
    sticky: bool = True,
) -> AsyncIterator[str]:
    """A worker on a fresh task queue. On leaving, the workflows the test started are
    terminated while the worker still runs, so no task is left half-done: a workflow or
    activity task orphaned by a stopped worker stalls the time-skipping server's clock."""
    task_queue = task_queue or f"test-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=WORKFLOWS,
            workflow_runner=WORKFLOW_RUNNER,
            activities=activities(due_work(client), outbox, directory or Directory(), channels),
            activity_executor=executor,
            # Without a cache every task replays the whole history; a restarted worker then
            # picks up at once (a dead worker's sticky queue would hold tasks back).
            max_cached_workflows=1000 if sticky else 0,
        ):
            try:
                yield task_queue
            finally:
                for workflow_id in STARTED if terminate_on_exit else ():
                    with contextlib.suppress(RPCError):
                        await client.get_workflow_handle(workflow_id).terminate("test over")


def request(received: date, ref: str | None = None) -> AssessmentRequest:
    return AssessmentRequest(
        case_ref=ref or f"T-{uuid.uuid4().hex[:10].upper()}",
        received=received,
        caseworker="cw101",
        team="north",
    )


async def start(
    client: Client, task_queue: str, req: AssessmentRequest
) -> WorkflowHandle[AssessmentWorkflow, object]:
    # Issuing the final plan starts the plan's review workflow: clean that up too.
    STARTED.extend([assessment_workflow_id(req.case_ref), review_workflow_id(req.case_ref)])
    return await client.start_workflow(
        AssessmentWorkflow.run,
        AssessmentStart(request=req),
        id=assessment_workflow_id(req.case_ref),
        task_queue=task_queue,
    )


async def quiescent(handle: WorkflowHandle[Any, Any], within: float = 30.0) -> None:
    """Wait until the workflow is asleep: no task or activity in progress, a timer running.

    Read from the history, which both test servers keep the same way; polled, because the
    workflow's own progress is asynchronous to the test.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            kinds = [EventType.Name(e.event_type) for e in (await handle.fetch_history()).events]
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            kinds = []  # a child its parent has not started yet: not asleep

        def count(*names: str, kinds: list[str] = kinds) -> int:
            return sum(kinds.count(f"EVENT_TYPE_{n}") for n in names)

        activities_done = count(
            "ACTIVITY_TASK_COMPLETED",
            "ACTIVITY_TASK_FAILED",
            "ACTIVITY_TASK_TIMED_OUT",
            "ACTIVITY_TASK_CANCELED",
        )
        if (
            count("ACTIVITY_TASK_SCHEDULED") == activities_done
            and count("WORKFLOW_TASK_SCHEDULED")
            == count("WORKFLOW_TASK_COMPLETED", "WORKFLOW_TASK_FAILED", "WORKFLOW_TASK_TIMED_OUT")
            and count("TIMER_STARTED") > count("TIMER_FIRED", "TIMER_CANCELED")
        ):
            return
        if loop.time() > deadline:
            raise TimeoutError(f"{handle.id} is still busy after {within}s")
        await asyncio.sleep(0.05)
