"""The re-drive: send again what is still due, once its channel is back.

A Temporal schedule (``workflows.redrive``) runs it every few minutes, whatever happened to
the workflows that wrote the rows, so a message whose channel was down for longer than its
alert activity's retries is sent when the channel returns; ``ehc outbox resend`` runs it on
the rows a caseworker asks for. Each row is claimed before it is sent (``activities.sending``),
so the re-drive, the alert activities and a second worker never send one row twice. A channel
that fails in a run is left alone for the rest of that run (it is down: trying every row
would only wait for every timeout); its rows are tried again on the next.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from temporalio import activity

from activities.channels import Channel, Message
from activities.directory import Directory, Recipient
from activities.outbox import Outbox, now
from activities.sending import Heartbeat, Outcome, Result, no_heartbeat, send_once

log = structlog.get_logger(__name__)

#: One run claims no new row after this long (the workflow's timeout allows one more send).
REDRIVE_BUDGET = timedelta(minutes=15)
REDRIVE_BATCH = 200


@dataclass(frozen=True, slots=True)
class Resent:
    row: dict[str, Any]
    result: Result


def redrive(
    outbox: Outbox,
    directory: Directory,
    channels: Sequence[Channel],
    *,
    keys: Sequence[str] | None = None,
    limit: int = REDRIVE_BATCH,
    budget: timedelta = REDRIVE_BUDGET,
    heartbeat: Heartbeat = no_heartbeat,
) -> list[Resent]:
    """Send the rows that are due (or, with ``keys``, those rows whatever their next try)."""
    if keys is None:
        rows = outbox.due(by=now(), limit=limit)
    else:
        rows = [row for row in (outbox.row(k) for k in keys) if row is not None]
    by_name = {c.name: c for c in channels}
    down: dict[str, str] = {}
    stop_at = time.monotonic() + budget.total_seconds()
    done: list[Resent] = []
    for row in rows:
        channel = by_name.get(row["channel"])
        if channel is None:
            detail = f"the {row['channel']} channel is not configured here"
            done.append(Resent(row, Result(Outcome.SKIPPED, detail)))
            continue
        if channel.name in down:
            done.append(Resent(row, Result(Outcome.SKIPPED, down[channel.name])))
            continue
        if time.monotonic() > stop_at:
            done.append(Resent(row, Result(Outcome.SKIPPED, "left for the next run")))
            continue
        heartbeat()
        person = Recipient(
            row["recipient_role"], row["recipient"], directory.people.get(row["recipient"])
        )
        text = Message(
            kind=row["kind"],
            subject=row["subject"],
            body=row["body"],
            personalisation=dict(row["personalisation"] or {}),
        )
        result = send_once(
            outbox,
            channel,
            person,
            text,
            row["idempotency_key"],
            status=row["status"],
            retry_from=now(),
            due_by=now() if keys is None else None,
        )
        if result.outcome is Outcome.RETRY:
            down[channel.name] = result.detail
        done.append(Resent(row, result))
    return done


class RedriveActivities:
    """Holds the outbox, the directory and the channels; one instance per worker."""

    def __init__(self, outbox: Outbox, directory: Directory, channels: Sequence[Channel]) -> None:
        self.outbox = outbox
        self.directory = directory
        self.channels = list(channels)

    @activity.defn(name="redrive_outbox")
    def redrive_outbox(self) -> dict[str, int]:
        """Send what is due; returns how many rows ended each way (sent, retry...)."""
        done = redrive(self.outbox, self.directory, self.channels, heartbeat=activity.heartbeat)
        counts = Counter(d.result.outcome.value for d in done)
        (log.info if counts else log.debug)("outbox re-driven", **counts)
        return dict(counts)
