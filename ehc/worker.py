"""A worker for the task queue: the workflows and every activity they call.

The activities are built here, once per worker, with what they need from outside
``activities/``: the outbox's database (which also holds the ledger and the read model), the
directory, the delivery channels, and for the digest a way to find the work due in the read
model (``ehc.digest.due_in_read_model``). Each is registered under the
name its stub in ``workflows.activity_refs`` declares.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.alerts import AlertActivities
from activities.channels import Channel
from activities.digest import DigestActivities, FindDue
from activities.directory import Directory
from activities.ledger import Ledger, LedgerActivities
from activities.outbox import Outbox
from activities.read_model import ReadModelActivities, ReadModelWriter
from activities.redrive import RedriveActivities
from ehc import delivery
from ehc.digest import due_in_read_model
from ehc.read_model import ReadModel
from ehc.settings import Settings
from workflows.advice import AdviceWorkflow
from workflows.assessment import AssessmentWorkflow
from workflows.digest import DigestWorkflow
from workflows.duty import DutyWorkflow
from workflows.redrive import OutboxRedriveWorkflow
from workflows.review import ReviewWorkflow

#: The workflow sandbox, with the rules and the bank-holiday library passed through: both are
#: deterministic, and the rules import their declarations on first use
#: (``statutory.clocks.declaration``), which inside the sandbox would load a second copy of
#: the engine whose models the workflow's own input fails to match. (The library still reads
#: the locale as it works out a year, which the sandbox refuses: ``workflows.duty`` works out
#: the years a case needs outside its restrictions.)
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("statutory", "holidays")
)

WORKFLOWS = [
    AssessmentWorkflow,
    ReviewWorkflow,
    AdviceWorkflow,
    DutyWorkflow,
    DigestWorkflow,
    OutboxRedriveWorkflow,
]


def activities(
    find_due: FindDue, outbox: Outbox, directory: Directory, channels: Sequence[Channel]
) -> list[Callable[..., Any]]:
    """Every activity the workflows call, bound to what it works with."""
    alerts = AlertActivities(outbox, directory, channels)
    digests = DigestActivities(find_due, outbox, directory, channels)
    ledger = LedgerActivities(Ledger(outbox.engine))
    views = ReadModelActivities(ReadModelWriter(outbox.engine))
    redrive = RedriveActivities(outbox, directory, channels)
    return [
        alerts.send_alert,
        redrive.redrive_outbox,
        digests.send_digests,
        ledger.record_steps,
        ledger.record_outcome,
        ledger.record_request,
        views.publish_view,
    ]


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    """The worker; ``executor`` runs its (thread) activities and should have
    ``settings.worker_activity_threads`` threads (``activity_threads``)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    outbox = Outbox(settings.resolved_database_url)
    # The workflow's (and activity's) identity goes in the log line's fields (``extra``,
    # ``ehc.logs``), not as a Python dict appended to its message.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=WORKFLOW_RUNNER,
        activities=activities(
            due_in_read_model(ReadModel(outbox.engine, migrate=False)),
            outbox,
            delivery.directory(settings),
            delivery.channels(settings),
        ),
        activity_executor=executor,
        # No more activities at once than threads to run them: past that, a task would wait
        # in the pool with its timeouts running instead of waiting on the server for this
        # worker (or another) to be free.
        max_concurrent_activities=settings.worker_activity_threads,
    )


def activity_threads(settings: Settings) -> ThreadPoolExecutor:
    """The pool the worker's activities run in: ``EHC_WORKER_ACTIVITY_THREADS`` threads."""
    return ThreadPoolExecutor(
        max_workers=settings.worker_activity_threads, thread_name_prefix="ehc-activity"
    )


@asynccontextmanager
async def running_worker(client: Client, settings: Settings) -> AsyncIterator[Worker]:
    """The worker, polling its task queue, with its own pool of activity threads; on leaving,
    the worker shuts down, then its pool."""
    with activity_threads(settings) as executor:
        async with build_worker(client, settings, executor) as worker:
            yield worker
