"""The alert activity: one reminder or escalation to the right people on every channel.

The ladder (``activities.directory``) says who hears about an alert; each recipient gets the
message in the outbox and on every configured channel (SMTP, GOV.UK Notify), each delivery
recorded once under its own key and claimed before it is sent (``activities.sending``). A
channel that fails transiently makes the activity retry (only what is still undelivered);
after the last attempt its rows stay due and the re-drive (``activities.redrive``) sends them
when the channel is back. A permanent failure is recorded. Either way it is reported back and
the case carries on. Messages carry the case reference, the step, the regulation, the date and
the days left or overdue; never a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.channels import Channel, Message
from activities.directory import Directory, Recipient
from activities.outbox import Outbox, OutboxMessage, now
from activities.sending import RETRY_HANDOVER, Heartbeat, Outcome, no_heartbeat, send_once
from statutory.alerts import AlertKind, AlertMessage, DeliveryReport
from statutory.dates import as_written, days_left_words

log = structlog.get_logger(__name__)


def compose(message: AlertMessage) -> Message:
    """The text of an alert: the same for every recipient and channel."""
    when = days_left_words(message.days_left)
    target_note = (
        f" (statutory date {as_written(message.due)}; target {as_written(message.target)} "
        "after an exception)"
        if message.target != message.due
        else ""
    )
    if message.kind is AlertKind.REMINDER:
        subject = f"[{message.case_ref}] Reminder: {message.label} {when}"
    else:
        subject = f"[{message.case_ref}] Escalation level {message.level}: {message.label} {when}"
    provider = f"Provider: {message.provider}\n" if message.provider else ""
    notes = "".join(f"{note}\n" for note in message.notes)
    body = (
        f"Case {message.case_ref} ({message.process})\n"
        f"Step: {message.label}\n"
        f"Regulation: {message.regulation}\n"
        f"Due: {as_written(message.target)}{target_note}\n"
        f"Status: {when}\n"
        f"{provider}"
        f"Caseworker: {message.caseworker} (team {message.team})\n"
        f"{notes}"
    )
    return Message(
        kind=message.kind.value,
        subject=subject,
        body=body,
        personalisation={
            "case_ref": message.case_ref,
            "step": message.label,
            "regulation": message.regulation,
            "due": as_written(message.target),
            "status": when,
        },
    )


class AlertActivities:
    """Holds the outbox, the directory and the channels; one instance per worker."""

    def __init__(
        self,
        outbox: Outbox,
        directory: Directory | None = None,
        channels: Sequence[Channel] = (),
    ) -> None:
        self.outbox = outbox
        self.directory = directory or Directory()
        self.channels = list(channels)

    @activity.defn(name="send_alert")
    def send_alert(self, message: AlertMessage) -> DeliveryReport:
        roles = self.directory.roles_for(message.process, message.kind, message.level)
        recipients = self.directory.resolve(
            roles, caseworker=message.caseworker, team=message.team, provider=message.provider
        )
        text = compose(message)
        last_attempt = (
            activity.info().attempt >= message.max_attempts if activity.in_activity() else True
        )
        report = deliver(
            self.outbox,
            self.channels,
            recipients,
            text,
            key=message.idempotency_key,
            row=dict(
                scheduled_for=message.scheduled_for,
                workflow_id=message.workflow_id,
                case_ref=message.case_ref,
                process=message.process,
                kind=message.kind.value,
                level=message.level,
                step=message.step,
                regulation=message.regulation,
                due=message.due,
                target=message.target,
            ),
            last_attempt=last_attempt,
            heartbeat=activity.heartbeat if activity.in_activity() else no_heartbeat,
        )
        (log.debug if not report.failed else log.warning)(
            "alert delivered" if not report.failed else "alert delivery incomplete",
            key=message.idempotency_key,
            case_ref=message.case_ref,
            kind=message.kind.value,
            step=message.step,
            delivered=len(report.delivered),
            failed=len(report.failed),
        )
        return report


def deliver(
    outbox: Outbox,
    channels: Sequence[Channel],
    recipients: Sequence[Recipient],
    text: Message,
    *,
    key: str,
    row: dict[str, Any],
    last_attempt: bool,
    heartbeat: Heartbeat = no_heartbeat,
) -> DeliveryReport:
    """Deliver ``text`` to each recipient: the outbox first, then every channel, each once.

    Raises a retryable ``ApplicationError`` while some channel fails transiently (and this is
    not the last attempt); what was delivered stays delivered. On the last attempt a channel
    still failing leaves its rows due: the re-drive sends them when the channel is back.
    """
    delivered: list[str] = []
    failed: list[str] = []
    retry: list[str] = []
    # Until the last attempt this activity retries its own rows; then the re-drive takes over.
    retry_from = now() if last_attempt else now() + RETRY_HANDOVER
    for person in recipients:
        for channel in [None, *channels]:  # None: the outbox itself
            name = channel.name if channel else "outbox"
            row_key = f"{key}|{person.id}|{name}"
            status = outbox.store(
                OutboxMessage(
                    idempotency_key=row_key,
                    recipient_role=person.role,
                    recipient=person.id,
                    channel=name,
                    subject=text.subject,
                    body=text.body,
                    personalisation=text.personalisation or None,
                    **row,
                )
            )
            if channel is None:
                delivered.append(f"{name}:{person.id}")
                continue
            heartbeat()
            result = send_once(
                outbox, channel, person, text, row_key, status=status, retry_from=retry_from
            )
            who = f"{name}:{person.id}"
            if result.outcome is Outcome.SENT:
                delivered.append(who)
            elif result.outcome is Outcome.FAILED:
                failed.append(f"{who}: {result.detail}")
            elif last_attempt:
                failed.append(f"{who}: {result.detail} (still due: sent when the channel is back)")
            else:
                retry.append(f"{who}: {result.detail}")
    if retry:
        # Retryable: Temporal tries again with backoff.
        raise ApplicationError("delivery incomplete: " + "; ".join(retry), type="Delivery")
    return DeliveryReport(recipients=[p.id for p in recipients], delivered=delivered, failed=failed)
