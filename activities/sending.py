"""Sending one outbox row on its channel: claim it, send it, record what happened.

The claim comes first (``Outbox.claim``), so a second worker or a retried attempt never sends
the same row too; its lease outlasts the channel's longest send (``Channel.timeout``), so a
claim only runs out when its worker has died. The one repeat left is a worker dying between
the channel's acceptance and the record of it: the row is claimed again when the lease runs
out and sent again, with the same key (SMTP ``Message-ID``, Notify ``reference``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import structlog
from sqlalchemy.exc import DBAPIError

from activities.channels import Channel, DeliveryError, Message
from activities.directory import Recipient
from activities.outbox import FAILED, SENT, Claim, Outbox, now

log = structlog.get_logger(__name__)

#: A claim outlasts the channel's longest send by this much (clock drift between workers).
LEASE_MARGIN = timedelta(seconds=60)
#: While a row's alert activity still retries it, the re-drive leaves it alone this long.
RETRY_HANDOVER = timedelta(minutes=30)


class Outcome(StrEnum):
    SENT = "sent"
    """Sent now, or earlier."""
    FAILED = "failed"
    """Failed for good (no address, a rejected template): sending again will not help."""
    RETRY = "retry"
    """Failed for now (server down, 429, 5xx): due again."""
    BUSY = "busy"
    """Another worker holds the claim and may be sending it now."""
    SKIPPED = "skipped"
    """Not tried (its channel is not configured here, or is down in this run)."""


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    detail: str = ""


Heartbeat = Callable[[], None]


def no_heartbeat() -> None:
    return None


def lease_for(channel: Channel) -> timedelta:
    return timedelta(seconds=channel.timeout) + LEASE_MARGIN


def send_once(
    outbox: Outbox,
    channel: Channel,
    to: Recipient,
    text: Message,
    key: str,
    *,
    status: str | None,
    retry_from: datetime,
    due_by: datetime | None = None,
) -> Result:
    """Send row ``key`` unless it is sent, failed for good, or claimed by someone else.

    ``status``: the row's status as last read; ``retry_from``: when a failure that may pass
    is next due; ``due_by``: claim only a row due by then (the re-drive).
    """
    if key in outbox.unrecorded:
        # Sent by this worker; the database did not take the record then. Record, not resend.
        _record_sent(outbox, key, outbox.unrecorded[key], until=now() + LEASE_MARGIN)
        return Result(Outcome.SENT)
    if status == SENT:
        return Result(Outcome.SENT)
    if status == FAILED:
        return Result(Outcome.FAILED, "failed earlier")
    claim = outbox.claim(key, lease_for(channel), only_if_due_by=due_by)
    if claim is None:
        match outbox.status(key):
            case "sent":
                return Result(Outcome.SENT)
            case "failed":
                return Result(Outcome.FAILED, "failed earlier")
            case _:
                return Result(Outcome.BUSY, f"{channel.name}: being sent by another worker")
    try:
        reference = channel.send(to, text, key)
    except DeliveryError as error:
        outbox.release(claim, str(error), retry_from=None if error.permanent else retry_from)
        return Result(Outcome.FAILED if error.permanent else Outcome.RETRY, str(error))
    outbox.unrecorded[key] = reference
    _record_sent(outbox, key, reference, until=_record_deadline(claim))
    return Result(Outcome.SENT)


def _record_deadline(claim: Claim) -> datetime:
    # Keep trying while the claim holds: until then nobody else can send the row again.
    return claim.lease_until - LEASE_MARGIN / 2


def _record_sent(outbox: Outbox, key: str, reference: str | None, *, until: datetime) -> None:
    """Record a send, riding out a locked or full database while the claim still holds."""
    pause = 0.5
    while True:
        try:
            outbox.record_sent(key, reference)
            return
        except DBAPIError as error:
            if now() + timedelta(seconds=pause) >= until:
                log.error("sent, but not recorded in the outbox", key=key, error=str(error))
                raise
            log.warning("sent; the outbox is not taking the record yet", key=key)
            time.sleep(pause)
            pause = min(pause * 2, 10.0)
