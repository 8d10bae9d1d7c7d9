"""The GOV.UK Notify channel against a local server that speaks Notify's API."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.alerts import AlertActivities
from activities.channels import NotifyChannel
from activities.directory import Directory
from activities.outbox import Outbox
from statutory.alerts import AlertKind, AlertMessage, DeliveryReport
from testsupport.servers import API_KEY, FakeNotify, notify_server

TEMPLATES = {"reminder": "tpl-reminder", "escalation": "tpl-escalation"}
DIRECTORY = Directory.from_dict({"people": {"cw101": {"email": "cw101@send.example.gov.uk"}}})


def message(attempts: int = 3) -> AlertMessage:
    return AlertMessage(
        idempotency_key="assessment-EHC-7:final-plan:reminder:3:2026-12-01",
        workflow_id="assessment-EHC-7",
        case_ref="EHC-7",
        process="assessment",
        kind=AlertKind.REMINDER,
        level=3,
        step="final-plan",
        label="Issue the final EHC plan",
        regulation="reg 13(2)",
        due=date(2026, 12, 1),
        target=date(2026, 12, 1),
        days_left=3,
        caseworker="cw101",
        team="north",
        scheduled_for=datetime(2026, 11, 28, 8, tzinfo=UTC),
        max_attempts=attempts,
    )


def run(activities: AlertActivities, attempt: int, msg: AlertMessage) -> DeliveryReport:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt)
    return env.run(activities.send_alert, msg)


def notify_row(outbox: Outbox) -> dict[str, object]:
    [row] = outbox.messages(channel="notify")
    return row


def test_a_reminder_goes_through_notify_once(database_url: str) -> None:
    fake = FakeNotify(templates=set(TEMPLATES.values()))
    with notify_server(fake) as url:
        outbox = Outbox(database_url)
        activities = AlertActivities(
            outbox, DIRECTORY, [NotifyChannel(API_KEY, TEMPLATES, base_url=url)]
        )
        report = run(activities, 1, message())
        again = run(activities, 1, message())  # a retry or replay: nothing is sent twice
    assert report.failed == [] and again.failed == []
    assert fake.calls == 1
    [sent] = fake.received
    assert sent["email_address"] == "cw101@send.example.gov.uk"
    assert sent["template_id"] == "tpl-reminder"
    # The key as Notify's reference: the same on every attempt, so Notify's logs show a repeat.
    assert sent["reference"] == "assessment-EHC-7:final-plan:reminder:3:2026-12-01|cw101|notify"
    assert sent["personalisation"]["case_ref"] == "EHC-7"
    assert sent["personalisation"]["regulation"] == "reg 13(2)"
    assert sent["personalisation"]["status"] == "due in 3 days"
    row = notify_row(outbox)
    assert row["status"] == "sent" and row["reference"]  # Notify's notification id


def test_a_rejected_template_fails_for_good_without_retrying(database_url: str) -> None:
    fake = FakeNotify(templates={"some-other-template"})
    with notify_server(fake) as url:
        outbox = Outbox(database_url)
        activities = AlertActivities(
            outbox, DIRECTORY, [NotifyChannel(API_KEY, TEMPLATES, base_url=url)]
        )
        report = run(activities, 1, message())
        run(activities, 2, message())
    assert fake.calls == 1
    assert len(report.failed) == 1 and "400" in report.failed[0]
    assert "Template not found" in report.failed[0]
    row = notify_row(outbox)
    assert row["status"] == "failed" and "Template not found" in str(row["last_error"])
    # The outbox copy is stored whatever happens to the other channels.
    assert [r["status"] for r in outbox.messages(channel="outbox")] == ["stored"]


def test_a_server_error_is_retried_and_then_sent_once(database_url: str) -> None:
    fake = FakeNotify(templates=set(TEMPLATES.values()), fail_next=[500])
    with notify_server(fake) as url:
        outbox = Outbox(database_url)
        activities = AlertActivities(
            outbox, DIRECTORY, [NotifyChannel(API_KEY, TEMPLATES, base_url=url)]
        )
        with pytest.raises(ApplicationError, match="delivery incomplete: notify:cw101"):
            run(activities, 1, message())
        assert notify_row(outbox)["status"] == "due"
        report = run(activities, 2, message())
    assert report.failed == []
    assert fake.calls == 2 and len(fake.received) == 1
    row = notify_row(outbox)
    assert row["status"] == "sent" and row["attempts"] == 2


def test_rate_limited_on_the_last_attempt_stays_due_for_the_redrive(database_url: str) -> None:
    fake = FakeNotify(templates=set(TEMPLATES.values()), fail_next=[429, 429])
    with notify_server(fake) as url:
        outbox = Outbox(database_url)
        activities = AlertActivities(
            outbox, DIRECTORY, [NotifyChannel(API_KEY, TEMPLATES, base_url=url)]
        )
        with pytest.raises(ApplicationError):
            run(activities, 1, message(attempts=2))
        report = run(activities, 2, message(attempts=2))
    assert len(report.failed) == 1 and "429" in report.failed[0]
    assert "still due" in report.failed[0]
    row = notify_row(outbox)
    # Not dropped: due, with the reason, for the re-drive (and `ehc outbox --failed`).
    assert row["status"] == "due" and "429" in str(row["last_error"])
    assert outbox.messages(undelivered=True) == [row]


def test_a_wrong_api_key_is_a_permanent_failure(database_url: str) -> None:
    fake = FakeNotify(templates=set(TEMPLATES.values()))
    wrong = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
    with notify_server(fake) as url:
        outbox = Outbox(database_url)
        activities = AlertActivities(
            outbox, DIRECTORY, [NotifyChannel(wrong, TEMPLATES, base_url=url)]
        )
        report = run(activities, 1, message())
    assert len(report.failed) == 1 and "403" in report.failed[0]
    assert fake.received == []


def test_a_recipient_without_an_address_is_reported_not_retried(database_url: str) -> None:
    fake = FakeNotify(templates=set(TEMPLATES.values()))
    with notify_server(fake) as url:
        outbox = Outbox(database_url)
        activities = AlertActivities(
            outbox, Directory(), [NotifyChannel(API_KEY, TEMPLATES, base_url=url)]
        )
        report = run(activities, 1, message())
    assert fake.calls == 0
    assert report.failed == [
        "notify:cw101: notify: no email address for caseworker 'cw101' in the directory"
    ]
