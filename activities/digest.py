"""The digest activity: each team's supervisor hears, once a week, what is overdue or due soon.

Each team's supervisor (the ladder's ``digest`` rung, ``activities.directory``) gets one message
listing the team's assessments, reviews and requests for advice whose next statutory date has
passed or falls within ``within_days``. Which cases those are is asked of the read model, which
this package does not read: the worker hands the activity a ``FindDue``
(``ehc.digest.due_in_read_model``; ``ehc.digest.due_work`` asks Temporal visibility).
The outbox key is team + ISO week, so a retried or repeated run never sends a week twice.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from temporalio import activity

from activities.alerts import deliver
from activities.channels import Channel, Message
from activities.directory import Directory
from activities.outbox import Outbox
from statutory.alerts import AlertKind
from statutory.dates import as_written
from statutory.digest import DigestRequest, DigestResult, week_of
from statutory.read_model import ListedCase

#: A digest retried this often has had its last try: a channel still down leaves it due.
LAST_ATTEMPT = 5


#: The open cases, of every kind, whose next statutory date falls before the given moment, each
#: once (a late request for advice is listed as the advice, not again on its assessment), as
#: ``(kind, case)`` pairs.
FindDue = Callable[[datetime], Awaitable[Sequence[tuple[str, ListedCase]]]]


def compose(team: str, week: str, cases: Sequence[tuple[str, ListedCase]], today: date) -> Message:
    """One team's digest: what is overdue, then what is due soon, earliest first."""
    overdue = [(k, c) for k, c in cases if c.next_deadline and c.next_deadline < today]
    soon = [(k, c) for k, c in cases if (k, c) not in overdue]
    lines = [f"Team {team}: week {week}", ""]
    for title, group in (("Overdue", overdue), ("Due within two weeks", soon)):
        lines.append(f"{title} ({len(group)}):")
        for kind, c in sorted(group, key=lambda kc: (kc[1].next_deadline or today, kc[1].case_ref)):
            due = as_written(c.next_deadline) if c.next_deadline else ""
            lines.append(
                f"  {c.case_ref}  {kind}  {c.next_step or ''}  due {due}  ({c.caseworker})"
            )
        lines.append("")
    return Message(
        kind="digest",
        subject=f"[{team}] SEND weekly digest {week}: {len(overdue)} overdue, {len(soon)} due soon",
        body="\n".join(lines),
        personalisation={"team": team, "week": week},
    )


class DigestActivities:
    """Holds what finds the cases due, the outbox, the directory and the channels; one
    instance per worker."""

    def __init__(
        self,
        find_due: FindDue,
        outbox: Outbox,
        directory: Directory,
        channels: Sequence[Channel],
    ) -> None:
        self.find_due = find_due
        self.outbox = outbox
        self.directory = directory
        self.channels = list(channels)

    @activity.defn(name="send_digests")
    async def send_digests(self, request: DigestRequest) -> DigestResult:
        if request.as_of is None:
            raise ValueError("a digest request reaches the activity with its moment set")
        as_of = request.as_of.astimezone(UTC)
        by_team: dict[str, list[tuple[str, ListedCase]]] = defaultdict(list)
        for kind, case in await self.find_due(as_of + timedelta(days=request.within_days + 1)):
            by_team[case.team].append((kind, case))
        week = week_of(as_of)
        recipients = 0
        failures: list[str] = []
        last = activity.info().attempt >= LAST_ATTEMPT
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
                compose(team, week, cases, as_of.date()),
                key=f"digest:{team}:{week}",
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
        activity.logger.info("digests sent", extra={"teams": len(by_team), "failed": len(failures)})
        return DigestResult(
            teams=len(by_team),
            recipients=recipients,
            cases=sum(len(c) for c in by_team.values()),
            failed=failures,
        )
