"""A worker for the task queue: the case workflows, the alert and ledger activities."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from activities.ledger import Ledger, LedgerActivities
from activities.outbox import Outbox
from ehc.settings import Settings
from workflows.assessment import AssessmentWorkflow
from workflows.review import ReviewWorkflow

WORKFLOWS = [AssessmentWorkflow, ReviewWorkflow]


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    alerts = AlertActivities(Outbox(settings.resolved_database_url))
    ledger = LedgerActivities(Ledger(alerts.outbox.engine))
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[alerts.send_alert, ledger.record_steps, ledger.record_outcome],
        activity_executor=executor,
    )
