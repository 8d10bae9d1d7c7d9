"""The weekly digest's Temporal schedule, and how its activity finds the work due.

Each team's supervisor gets one message a week listing what is overdue or due within two weeks
in their team (``activities.digest``). The activity finds those cases through the ``FindDue``
the worker hands it: ``due_in_read_model`` (the read model, what the worker uses) or
``due_work`` (Temporal visibility), both reached from here, not from ``activities/``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from temporalio.client import Client, Schedule, ScheduleActionStartWorkflow, ScheduleSpec

from ehc.cases import CaseSummary, list_cases
from ehc.overdue import KINDS, listed_once
from ehc.schedules import create_or_update
from statutory.digest import DigestRequest
from workflows.digest import DIGEST_SCHEDULE_ID, DIGEST_WORKFLOW_ID, DigestWorkflow

if TYPE_CHECKING:
    # Delivery (SMTP, Notify, the outbox's database): loaded by the worker, not by the CLI.
    from activities.digest import FindDue
    from ehc.read_model import CaseViewRow, ReadModel

DEFAULT_CRON = "0 7 * * MON"  # Monday 07:00 UTC


def due_work(client: Client) -> FindDue:
    """What the digest activity asks of visibility: every open assessment, review and request
    for advice whose next statutory date falls before a moment, each listed once."""

    async def find(by: datetime) -> list[tuple[str, CaseSummary]]:
        found = [
            (kind, case) for kind in KINDS for case in await list_cases(client, kind, due_by=by)
        ]
        return listed_once(found)  # a late advice once, not again on its case

    return find


def due_in_read_model(read_model: ReadModel) -> FindDue:
    """The same list from the read model: open cases of every kind whose next statutory
    target falls before the moment's day, each listed once."""

    async def find(by: datetime) -> list[tuple[str, CaseViewRow]]:
        return await asyncio.to_thread(read_model.due, by.astimezone(UTC).date())

    return find


async def ensure_schedule(client: Client, task_queue: str, cron: str = DEFAULT_CRON) -> bool:
    """Create the weekly schedule, or bring its timing up to date; True if created."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            DigestWorkflow.run,
            DigestRequest(),
            id=DIGEST_WORKFLOW_ID,
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(cron_expressions=[cron]),
    )
    return await create_or_update(client, DIGEST_SCHEDULE_ID, schedule)
