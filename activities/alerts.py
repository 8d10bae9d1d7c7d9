"""The alert activity: turn an ``AlertMessage`` into a message to the right people.

Reminders go to the caseworker; escalations to the team's supervisor. Messages carry the case
reference, the step, the regulation, the date and the days left or overdue; never a name.
"""

from __future__ import annotations

import structlog
from temporalio import activity

from activities.outbox import Outbox, OutboxMessage
from statutory.alerts import AlertKind, AlertMessage

log = structlog.get_logger(__name__)


def compose(message: AlertMessage) -> tuple[str, str, str, str]:
    """(recipient role, recipient, subject, body) for a message."""
    n = abs(message.days_left)
    days = f"{n} day" if n == 1 else f"{n} days"
    if message.days_left > 0:
        timing = f"due in {days}"
    elif message.days_left == 0:
        timing = "due today"
    else:
        timing = f"{days} overdue"
    target_note = (
        f" (statutory date {message.due}; operational target {message.target} after exceptions)"
        if message.target != message.due
        else ""
    )
    if message.kind is AlertKind.REMINDER:
        role, recipient = "caseworker", message.caseworker
        subject = f"[{message.case_ref}] Reminder: {message.label} {timing}"
    else:
        role, recipient = "supervisor", f"team:{message.team}"
        subject = f"[{message.case_ref}] Escalation level {message.level}: {message.label} {timing}"
    body = (
        f"Case {message.case_ref} ({message.process})\n"
        f"Step: {message.label}\n"
        f"Regulation: {message.regulation}\n"
        f"Due: {message.target}{target_note}\n"
        f"Status: {timing}\n"
        f"Caseworker: {message.caseworker} (team {message.team})\n"
    )
    return role, recipient, subject, body


class AlertActivities:
    """Holds the channels; one instance per worker."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    @activity.defn(name="send_alert")
    def send_alert(self, message: AlertMessage) -> bool:
        """Write the message to the outbox; True if new, False if it was already there."""
        role, recipient, subject, body = compose(message)
        created = self.outbox.put(
            OutboxMessage(
                idempotency_key=message.idempotency_key,
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
                recipient_role=role,
                recipient=recipient,
                subject=subject,
                body=body,
            )
        )
        log.debug(
            "alert written",
            key=message.idempotency_key,
            case_ref=message.case_ref,
            kind=message.kind.value,
            step=message.step,
            duplicate=not created,
        )
        return created
