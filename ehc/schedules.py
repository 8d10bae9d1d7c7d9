"""Temporal schedules the worker keeps (the weekly digest, the outbox's re-drive)."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleAlreadyRunningError,
    ScheduleUpdate,
    ScheduleUpdateInput,
)


async def create_or_update(client: Client, schedule_id: str, schedule: Schedule) -> bool:
    """Create the schedule, or bring the one already there up to date (every worker start
    does this, so a changed timing takes effect); True if created."""
    try:
        await client.create_schedule(schedule_id, schedule)
        return True
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)
        return False
