"""The weekly digest to supervisors, and the Temporal schedule that runs it.

Each team's supervisor (the ladder's ``digest`` rung) gets one message a week listing what
is overdue or due within two weeks in their team: assessments, reviews and advice, from
Temporal visibility. The key is team + ISO week, so a week is never sent twice.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from temporalio import activity
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from ehc.cases import CaseSummary, list_cases
from ehc.overdue import listed_once
from ehc.text import day
from statutory.alerts import AlertKind
from workflows.digest import DIGEST_SCHEDULE_ID, DIGEST_WORKFLOW_ID, DigestWorkflow
from workflows.models import DigestRequest, DigestResult

if TYPE_CHECKING:
    from activities.channels import Channel, Message
    from activities.directory import Directory
    from activities.outbox import Outbox

KINDS = ("assessment", "review", "advice")
DEFAULT_CRON = "0 7 * * MON"  # Monday 07:00 UTC


def compose(
    team: str, week: str, cases: Sequence[tuple[str, CaseSummary]], today_iso: str
) -> Message:
    # Delivery (SMTP, Notify, the outbox's database): loaded by the worker, not by the CLI.
    from activities.channels import Message

    overdue = [
        (k, c) for k, c in cases if c.next_deadline and c.next_deadline.isoformat() < today_iso
    ]
    soon = [(k, c) for k, c in cases if (k, c) not in overdue]
    lines = [f"Team {team}: week {week}", ""]
    for title, group in (("Overdue", overdue), ("Due within two weeks", soon)):
        lines.append(f"{title} ({len(group)}):")
        for kind, c in sorted(group, key=lambda kc: (kc[1].next_deadline, kc[1].case_ref)):
            lines.append(
                f"  {c.case_ref}  {kind}  {c.next_step or ''}  due {day(c.next_deadline)}  ({c.caseworker})"
            )
        lines.append("")
    return Message(
        kind="digest",
        subject=f"[{team}] SEND weekly digest {week}: {len(overdue)} overdue, {len(soon)} due soon",
        body="\n".join(lines),
        personalisation={"team": team, "week": week},
    )


class DigestActivities:
    def __init__(
        self, client: Client, outbox: Outbox, directory: Directory, channels: Sequence[Channel]
    ) -> None:
        self.client = client
        self.outbox = outbox
        self.directory = directory
        self.channels = list(channels)

    @activity.defn(name="send_digests")
    async def send_digests(self, request: DigestRequest) -> DigestResult:
        from activities.alerts import deliver

        assert request.as_of is not None
        as_of = request.as_of.astimezone(UTC)
        found = [
            (kind, case)
            for kind in KINDS
            for case in await list_cases(
                self.client, kind, due_by=as_of + timedelta(days=request.within_days + 1)
            )
        ]
        by_team: dict[str, list[tuple[str, CaseSummary]]] = defaultdict(list)
        for kind, case in listed_once(found):  # a late advice once, not again on its case
            by_team[case.team].append((kind, case))
        year, week, _ = as_of.isocalendar()
        week_id = f"{year}-W{week:02d}"
        recipients = failed = 0
        failures: list[str] = []
        last = activity.info().attempt >= 5
        for team, cases in sorted(by_team.items()):
            people = self.directory.resolve(
                self.directory.roles_for("digest", AlertKind.REMINDER, 0),
                caseworker="",
                team=team,
                provider=None,
            )
            report = await asyncio.to_thread(
                deliver,
                self.outbox,
                self.channels,
                people,
                compose(team, week_id, cases, as_of.date().isoformat()),
                key=f"digest:{team}:{week_id}",
                row=dict(
                    scheduled_for=as_of,
                    workflow_id=activity.info().workflow_id,
                    case_ref=f"DIGEST-{team.upper()}"[:40],
                    process="digest",
                    kind="digest",
                    level=0,
                    step="weekly-digest",
                    regulation="",
                    due=as_of.date(),
                    target=as_of.date(),
                ),
                last_attempt=last,
            )
            recipients += len(report.recipients)
            failures += report.failed
        failed = len(failures)
        activity.logger.info("digests sent", extra={"teams": len(by_team), "failed": failed})
        return DigestResult(
            teams=len(by_team),
            recipients=recipients,
            cases=sum(len(c) for c in by_team.values()),
            failed=failures,
        )


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
    try:
        await client.create_schedule(DIGEST_SCHEDULE_ID, schedule)
        return True
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(DIGEST_SCHEDULE_ID).update(update)
        return False
