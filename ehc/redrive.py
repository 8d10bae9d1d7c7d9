"""The Temporal schedule that re-drives the outbox, created or updated by every worker."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from ehc.schedules import create_or_update
from workflows.redrive import REDRIVE_SCHEDULE_ID, REDRIVE_WORKFLOW_ID, OutboxRedriveWorkflow


async def ensure_schedule(client: Client, task_queue: str, every: timedelta) -> bool:
    """Create the re-drive schedule, or bring its timing up to date; True if created."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            OutboxRedriveWorkflow.run, id=REDRIVE_WORKFLOW_ID, task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # One run at a time; a missed run (server down) is not made up: the next sends all.
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(minutes=1)
        ),
    )
    return await create_or_update(client, REDRIVE_SCHEDULE_ID, schedule)
