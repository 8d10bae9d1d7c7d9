"""One alert's message, its recipient and its outbox row, for the delivery tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from activities.alerts import deliver
from activities.channels import Message, SmtpChannel
from activities.directory import Directory, Recipient
from activities.outbox import Outbox
from statutory.alerts import DeliveryReport

KEY = "assessment-EHC-7:final-plan:reminder:3:2026-12-01"
CW = Recipient("caseworker", "cw101", "cw101@send.example.gov.uk")
ROW_KEY = f"{KEY}|cw101|smtp"
DIRECTORY = Directory.from_dict({"people": {"cw101": {"email": CW.email}}})
ROW: dict[str, Any] = dict(
    scheduled_for=datetime(2026, 11, 28, 8, tzinfo=UTC),
    workflow_id="assessment-EHC-7",
    case_ref="EHC-7",
    process="assessment",
    kind="reminder",
    level=3,
    step="final-plan",
    regulation="reg 13(2)",
    due=date(2026, 12, 1),
    target=date(2026, 12, 1),
)
TEXT = Message(
    kind="reminder",
    subject="[EHC-7] Reminder: Issue the final EHC plan due in 3 days",
    body="Case EHC-7 (assessment)\nStep: Issue the final EHC plan\n",
    personalisation={"case_ref": "EHC-7"},
)


def send(outbox: Outbox, channel: SmtpChannel, *, last_attempt: bool = False) -> DeliveryReport:
    return deliver(outbox, [channel], [CW], TEXT, key=KEY, row=ROW, last_attempt=last_attempt)


def smtp_row(outbox: Outbox) -> dict[str, Any]:
    row = outbox.row(ROW_KEY)
    assert row is not None
    return row
