"""Advice requests that are never answered: reminders and escalations reach real inboxes
(a local SMTP server), each exactly once, across a worker restart; a failing channel holds
nothing else up."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.channels import SmtpChannel
from activities.directory import Directory
from activities.outbox import Outbox
from statutory import assessment as rules
from statutory.alerts import AlertPolicy
from statutory.dates import as_written
from tests.workflow.helpers import STARTED, running_worker
from testsupport.servers import free_port, smtp_server
from workflows.advice import AdviceWorkflow
from workflows.assessment import AssessmentWorkflow
from workflows.models import (
    AssessmentStart,
    advice_workflow_id,
    assessment_workflow_id,
    review_workflow_id,
)

EPS = "Educational Psychology Service"
DIRECTORY = Directory.from_dict(
    {
        "people": {
            "cw101": {"email": "cw101@send.example.gov.uk"},
            "sup-north": {"email": "sup-north@send.example.gov.uk"},
            "send-mgr": {"email": "send-manager@send.example.gov.uk"},
            "eps-duty": {"email": "eps-duty@eps.example.gov.uk"},
            "eps-lead": {"email": "eps-lead@eps.example.gov.uk"},
        },
        "teams": {"north": {"supervisor": "sup-north", "manager": "send-mgr"}},
        "providers": {EPS: {"contact": "eps-duty", "service_manager": "eps-lead"}},
    }
)
#: One reminder a week before, one escalation the day after.
POLICY = AlertPolicy(reminder_days=(7,), escalation_days=(1,))


async def start_case(client: Client, queue: str, today: date) -> str:
    ref = f"A-{uuid.uuid4().hex[:10].upper()}"
    STARTED.extend(
        [
            assessment_workflow_id(ref),
            review_workflow_id(ref),
            advice_workflow_id(ref, "psychological", 1),
        ]
    )
    await client.start_workflow(
        AssessmentWorkflow.run,
        AssessmentStart(
            request=rules.AssessmentRequest(
                case_ref=ref, received=today, caseworker="cw101", team="north"
            ),
            prior_events=[
                rules.DecidedToAssess(on=today),
                rules.AdviceRequested(
                    on=today, advice_type=rules.AdviceType.PSYCHOLOGICAL, provider=EPS
                ),
            ],
            policy=POLICY,
            advice_policy=POLICY,
        ),
        id=assessment_workflow_id(ref),
        task_queue=queue,
    )
    return ref


async def until(env: WorkflowEnvironment, day: date) -> None:
    await env.sleep(datetime.combine(day, time(12), UTC) - await env.get_current_time())


async def test_unanswered_advice_is_chased_then_escalated_once_across_a_restart(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    r = (await env.get_current_time()).date()
    with smtp_server() as (port, mailbox):
        smtp = [SmtpChannel(host="127.0.0.1", port=port)]
        async with running_worker(
            env.client,
            outbox,
            directory=DIRECTORY,
            channels=smtp,
            terminate_on_exit=False,
            sticky=False,
        ) as queue:
            ref = await start_case(env.client, queue, r)
            await until(env, r + timedelta(days=36))  # reminder due day 35 (42 - 7)
        reminders = list(mailbox.messages)
        # A new worker (a restart): it replays the history and must not send anything again.
        async with running_worker(
            env.client, outbox, task_queue=queue, directory=DIRECTORY, channels=smtp, sticky=False
        ):
            await until(env, r + timedelta(days=44))  # escalation due day 43
            child = env.client.get_workflow_handle_for(
                AdviceWorkflow.run, advice_workflow_id(ref, "psychological", 1)
            )
            view = await child.query(AdviceWorkflow.timeline)
        everything = list(mailbox.messages)

    assert sorted(r for rcpts, _ in reminders for r in rcpts) == [
        "cw101@send.example.gov.uk",
        "eps-duty@eps.example.gov.uk",
    ]
    subject = f"[{ref}] Reminder: Psychological advice from {EPS} due in 7 days"
    assert {m["Subject"] for _, m in reminders} == {subject}
    escalations = everything[len(reminders) :]
    assert sorted(r for rcpts, _ in escalations for r in rcpts) == [
        "eps-lead@eps.example.gov.uk",
        "sup-north@send.example.gov.uk",
    ]
    for _, mail in escalations:
        assert mail["Subject"] == (
            f"[{ref}] Escalation level 1: Psychological advice from {EPS} 1 day overdue"
        )
        body = mail.get_body().get_content()  # type: ignore[attr-defined]
        assert "Regulation: reg 8(1)" in body
        assert f"Due: {as_written(r + timedelta(days=42))}" in body
        assert f"Provider: {EPS}" in body
    assert len(everything) == 4, "a message was sent twice"
    # The case's advice clock shows both, delivered.
    assert [(a.kind.value, a.level, a.delivered) for a in view.alerts] == [
        ("reminder", 7, True),
        ("escalation", 1, True),
    ]
    # Still not provided, a day past its date: overdue, not merely open.
    assert view.step.state.value == "overdue" and view.step.days_left is not None
    assert view.step.days_left < 0


async def test_a_failing_channel_does_not_hold_up_the_other_alerts(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    r = (await env.get_current_time()).date()
    dead_smtp = [SmtpChannel(host="127.0.0.1", port=free_port(), timeout=2)]  # nothing listens
    async with running_worker(env.client, outbox, directory=DIRECTORY, channels=dead_smtp) as queue:
        ref = await start_case(env.client, queue, r)
        await until(env, r + timedelta(days=60))
        advice = await env.client.get_workflow_handle_for(
            AdviceWorkflow.run, advice_workflow_id(ref, "psychological", 1)
        ).query(AdviceWorkflow.timeline)
        parent = await env.client.get_workflow_handle_for(
            AssessmentWorkflow.run, assessment_workflow_id(ref)
        ).query(AssessmentWorkflow.timeline)

    stored = outbox.messages(case_ref=ref, channel="outbox")
    # Every alert reached the outbox on its own day, while SMTP kept failing.
    by_key = {(row["step"], row["kind"]): row["scheduled_for"].date() for row in stored}
    assert by_key[("advice", "reminder")] == r + timedelta(days=35)
    assert by_key[("advice", "escalation")] == r + timedelta(days=43)
    smtp_rows = outbox.messages(case_ref=ref, channel="smtp")
    # Still due after every retry (the re-drive sends them when SMTP is back), with the reason.
    assert smtp_rows and {row["status"] for row in smtp_rows} == {"due"}
    assert all("smtp:" in str(row["last_error"]) for row in smtp_rows)
    # The failure is surfaced on the timeline, and the case went on.
    assert advice.alerts and not any(a.delivered for a in advice.alerts)
    assert all(a.error and "smtp" in a.error for a in advice.alerts)
    assert parent.case.stage is rules.Stage.ASSESSMENT


async def test_review_advice_is_due_when_it_must_be_circulated(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    from statutory import review as rrules
    from workflows.models import ReviewStart
    from workflows.review import ReviewWorkflow

    env, outbox = time_skipping_env, Outbox(database_url)
    r = (await env.get_current_time()).date()
    ref = f"R-{uuid.uuid4().hex[:10].upper()}"
    child_id = advice_workflow_id(ref, "review1-educational", 1)
    STARTED.extend([review_workflow_id(ref), child_id])
    plan = rrules.PlanRecord(
        case_ref=ref, plan_date=r - timedelta(days=700), caseworker="cw101", team="north"
    )
    async with running_worker(env.client, outbox, directory=DIRECTORY) as queue:
        await env.client.start_workflow(
            ReviewWorkflow.run,
            ReviewStart(
                cycle=rrules.first_cycle(plan, last_review=r - timedelta(days=300)),
                prior_events=[
                    rrules.MeetingScheduled(on=r, meeting_date=r + timedelta(days=40)),
                    rrules.ReviewAdviceRequested(
                        on=r, advice_type="educational", provider="Current school"
                    ),
                ],
                advice_policy=POLICY,
            ),
            id=review_workflow_id(ref),
            task_queue=queue,
        )
        review = env.client.get_workflow_handle_for(ReviewWorkflow.run, review_workflow_id(ref))
        child = env.client.get_workflow_handle_for(AdviceWorkflow.run, child_id)
        await until(env, r + timedelta(days=10))
        first = await child.query(AdviceWorkflow.timeline)
        # The meeting moves a week later: so does the advice's date.
        await review.execute_update(
            ReviewWorkflow.record,
            rrules.MeetingScheduled(on=r + timedelta(days=10), meeting_date=r + timedelta(days=47)),
        )
        await until(env, r + timedelta(days=30))
        moved = await child.query(AdviceWorkflow.timeline)

    assert first.step.due == r + timedelta(days=40 - 14)
    assert first.step.regulation == "reg 20(4) (planning date)"
    assert moved.step.due == r + timedelta(days=47 - 14)
    rows = outbox.messages(case_ref=ref)
    reminders = {
        (row["step"], row["target"], row["recipient"]) for row in rows if row["step"] == "advice"
    }
    # Reminded 7 days before the new date (day 26); nothing for the old one (day 19).
    assert reminders == {
        ("advice", r + timedelta(days=33), "cw101"),
        ("advice", r + timedelta(days=33), "provider:Current school"),
    }


async def test_a_reassigned_case_takes_its_advice_clocks_along(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    r = (await env.get_current_time()).date()
    async with running_worker(env.client, outbox, directory=DIRECTORY) as queue:
        ref = await start_case(env.client, queue, r)
        await until(env, r + timedelta(days=2))
        parent = env.client.get_workflow_handle_for(
            AssessmentWorkflow.run, assessment_workflow_id(ref)
        )
        await parent.execute_update(
            AssessmentWorkflow.record,
            rules.CaseworkerReassigned(on=r + timedelta(days=2), caseworker="cw202", team="south"),
        )
        await until(env, r + timedelta(days=36))  # the advice reminder, on day 35
    advice_rows = [row for row in outbox.messages(case_ref=ref) if row["step"] == "advice"]
    # The reminder goes to the provider's contact and the new caseworker.
    assert {row["recipient"] for row in advice_rows} == {"cw202", "eps-duty"}
    assert all("cw202 (team south)" in row["body"] for row in advice_rows)
