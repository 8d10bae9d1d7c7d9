"""A worker for the task queue: the workflows and every activity they call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from activities.channels import Channel
from activities.directory import Directory
from activities.ledger import Ledger, LedgerActivities
from activities.outbox import Outbox
from activities.redrive import RedriveActivities
from ehc import delivery
from ehc.digest import DigestActivities
from ehc.settings import Settings
from workflows.advice import AdviceWorkflow
from workflows.assessment import AssessmentWorkflow
from workflows.digest import DigestWorkflow
from workflows.redrive import OutboxRedriveWorkflow
from workflows.review import ReviewWorkflow

WORKFLOWS = [
    AssessmentWorkflow,
    ReviewWorkflow,
    AdviceWorkflow,
    DigestWorkflow,
    OutboxRedriveWorkflow,
]


def activities(
    client: Client, outbox: Outbox, directory: Directory, channels: Sequence[Channel]
) -> list[Callable[..., Any]]:
    """Every activity the workflows call, bound to their outbox, directory and channels."""
    alerts = AlertActivities(outbox, directory, channels)
    digests = DigestActivities(client, outbox, directory, channels)
    ledger = LedgerActivities(Ledger(outbox.engine))
    redrive = RedriveActivities(outbox, directory, channels)
    return [
        alerts.send_alert,
        redrive.redrive_outbox,
        digests.send_digests,
        ledger.record_steps,
        ledger.record_outcome,
        ledger.record_request,
    ]


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities(
            client,
            Outbox(settings.resolved_database_url),
            delivery.directory(settings),
            delivery.channels(settings),
        ),
        activity_executor=executor,
    )
