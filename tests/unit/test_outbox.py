"""The outbox writes each message once per recipient and channel, whatever retries happen."""

from __future__ import annotations

from datetime import UTC, date, datetime

from activities.alerts import AlertActivities, compose
from activities.directory import Directory
from activities.outbox import Outbox
from statutory.alerts import AlertKind, AlertMessage


def message(kind: AlertKind = AlertKind.REMINDER, days_left: int = 3) -> AlertMessage:
    return AlertMessage(
        idempotency_key=f"assessment-EHC-1:final-plan:{kind.value}:3:2026-12-01",
        workflow_id="assessment-EHC-1",
        case_ref="EHC-1",
        process="assessment",
        kind=kind,
        level=3 if kind is AlertKind.REMINDER else 1,
        step="final-plan",
        label="Issue the final EHC plan",
        regulation="reg 13(2)",
        due=date(2026, 12, 1),
        target=date(2026, 12, 1),
        days_left=days_left,
        caseworker="cw101",
        team="north",
        scheduled_for=datetime(2026, 11, 28, 8, tzinfo=UTC),
    )


def test_same_alert_is_written_once(database_url: str) -> None:
    activities = AlertActivities(Outbox(database_url))
    first = activities.send_alert(message())
    again = activities.send_alert(message())  # a retry or a replayed worker
    assert first.delivered == again.delivered == ["outbox:cw101"]
    rows = Outbox(database_url).messages()
    assert len(rows) == 1
    assert (rows[0]["recipient"], rows[0]["channel"], rows[0]["status"]) == (
        "cw101",
        "outbox",
        "stored",
    )
    assert rows[0]["subject"] == "[EHC-1] Reminder: Issue the final EHC plan due in 3 days"


def test_escalation_goes_up_the_ladder_and_says_how_late(database_url: str) -> None:
    directory = Directory.from_dict(
        {
            "people": {
                "cw101": {"email": "cw101@example.org"},
                "sup-n": {"email": "sup@example.org"},
            },
            "teams": {"north": {"supervisor": "sup-n"}},
        }
    )
    activities = AlertActivities(Outbox(database_url), directory)
    report = activities.send_alert(message(AlertKind.ESCALATION, days_left=-1))
    assert report.recipients == ["cw101", "sup-n"]  # escalation 1: caseworker and supervisor
    text = compose(message(AlertKind.ESCALATION, days_left=-1))
    assert text.subject == "[EHC-1] Escalation level 1: Issue the final EHC plan 1 day overdue"
    assert "Regulation: reg 13(2)" in text.body
    assert "EHC-1" in text.body and "cw101" in text.body
