"""The weekly digest on the real dev server: each supervisor gets their team's overdue and
soon-due work once a week, and the schedule that sends it is created and kept up to date."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.channels import SmtpChannel
from activities.directory import Directory
from activities.outbox import Outbox
from ehc.cases import Assessments, list_cases
from ehc.digest import DEFAULT_CRON, ensure_schedule
from ehc.settings import Settings
from statutory.assessment import AssessmentRequest
from statutory.digest import DigestRequest
from tests.workflow.helpers import running_worker
from testsupport.servers import smtp_server
from workflows.digest import DIGEST_SCHEDULE_ID, DigestWorkflow

pytestmark = pytest.mark.e2e

# A team of this test's own: the dev server is shared with other tests' cases.
TEAM = f"digest{uuid.uuid4().hex[:6]}"
DIRECTORY = Directory.from_dict(
    {
        "people": {
            "sup-north": {"email": "sup-north@send.example.gov.uk"},
            "sup-south": {"email": "sup-south@send.example.gov.uk"},
        },
        "teams": {TEAM: {"supervisor": "sup-north"}, "south": {"supervisor": "sup-south"}},
    }
)


def request(received: date) -> AssessmentRequest:
    return AssessmentRequest(
        case_ref=f"D-{uuid.uuid4().hex[:10].upper()}",
        received=received,
        caseworker="cw101",
        team=TEAM,
    )


async def test_each_supervisor_gets_their_teams_digest_once_a_week(
    dev_server_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_server_env.client
    outbox = Outbox(f"sqlite:///{tmp_path / 'ehc.db'}")
    with smtp_server() as (port, mailbox):
        smtp = [SmtpChannel(host="127.0.0.1", port=port)]
        async with running_worker(client, outbox, directory=DIRECTORY, channels=smtp) as queue:
            service = Assessments(client, Settings(task_queue=queue, data_dir=tmp_path))
            today = datetime.now(UTC).date()
            late = request(today - timedelta(weeks=10))  # decision overdue by 4 weeks
            soon = request(today - timedelta(days=35))  # decision due in a week
            quiet = request(today - timedelta(days=1))  # nothing due for weeks
            for case in (late, soon, quiet):
                assert await service.start(case)
            refs = {late.case_ref, soon.case_ref, quiet.case_ref}
            for _ in range(120):  # visibility is eventually consistent
                listed = {c.case_ref for c in await list_cases(client, "assessment")}
                if refs <= listed:
                    break
                await asyncio.sleep(0.25)

            monday = datetime(2026, 11, 23, 7, tzinfo=UTC)
            for _ in range(2):  # the same week twice: sent once
                result = await client.execute_workflow(
                    DigestWorkflow.run,
                    DigestRequest(as_of=max(monday, datetime.now(UTC))),
                    id=f"digest-test-{queue}",
                    task_queue=queue,
                )
    # (The supervisor also had the overdue case's escalation: only the digest counts here.)
    mails = [m for m in mailbox.to("sup-north@send.example.gov.uk") if "digest" in m["Subject"]]
    mails = [m for m in mails if m["Subject"].startswith(f"[{TEAM}]")]
    assert len(mails) == 1, "the week's digest was sent twice"
    assert not [f for f in result.failed if "sup-north" in f]  # other teams: other tests
    body = mails[0].get_body().get_content()  # type: ignore[attr-defined]
    overdue, due_soon = body.split("Due within two weeks")
    assert late.case_ref in overdue and "decide-to-assess" in overdue
    assert soon.case_ref in due_soon
    assert quiet.case_ref not in body
    assert mails[0]["Subject"].startswith(f"[{TEAM}] SEND weekly digest 2026-W")
    assert "1 overdue, 1 due soon" in mails[0]["Subject"]
    assert mailbox.to("sup-south@send.example.gov.uk") == []  # nothing in their team


async def test_the_weekly_schedule_is_created_then_updated(
    dev_server_env: WorkflowEnvironment,
) -> None:
    client = dev_server_env.client
    assert await ensure_schedule(client, "ehc") is True
    assert await ensure_schedule(client, "ehc", "0 8 * * TUE") is False
    described = await client.get_schedule_handle(DIGEST_SCHEDULE_ID).describe()
    [when] = described.schedule.spec.calendars  # the server keeps a cron line as a calendar
    assert [r.start for r in when.hour] == [8]
    assert [r.start for r in when.day_of_week] == [2]  # Tuesday
    assert DEFAULT_CRON == "0 7 * * MON"
    await client.get_schedule_handle(DIGEST_SCHEDULE_ID).delete()
