"""The assessment workflow on the time-skipping test server: 20 weeks pass in seconds."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.ledger import Ledger
from activities.outbox import Outbox
from statutory import assessment as rules
from statutory.exceptions import Reason
from tests.conftest import HISTORIES
from tests.workflow.helpers import quiescent, request, running_worker, start
from workflows.assessment import AssessmentWorkflow
from workflows.models import AssessmentView, advice_workflow_id

ALERT_HOUR = 8


def at_alert_hour(day: date) -> datetime:
    return datetime.combine(day, time(ALERT_HOUR), tzinfo=UTC)


def sent(outbox: Outbox, case_ref: str) -> list[tuple[str, str, int, datetime, date]]:
    rows = outbox.messages(case_ref=case_ref)
    return [
        (
            r["step"],
            r["kind"],
            r["level"],
            r["scheduled_for"].replace(tzinfo=r["scheduled_for"].tzinfo or UTC),
            r["target"],
        )
        for r in rows
    ]


def case_events(history: WorkflowHistory) -> list[str]:
    """History events other than workflow-task bookkeeping.

    The Java test server has no speculative workflow tasks, so a rejected update still leaves
    task scheduled/started/completed events; the real server leaves nothing (see tests/e2e).
    """
    return [
        EventType.Name(e.event_type)
        for e in history.events
        if not EventType.Name(e.event_type).startswith("EVENT_TYPE_WORKFLOW_TASK_")
    ]


async def env_today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).date()


async def test_twenty_weeks_without_events_remind_then_escalate_on_the_right_days(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        received = await env_today(env)
        req = request(received)
        handle = await start(env.client, queue, req)
        await env.sleep(timedelta(weeks=21))
        view = await handle.query(AssessmentWorkflow.timeline)
        # A workflow left running with no worker stalls the shared test server's clock.
        await handle.terminate("test over")

    messages = sent(outbox, req.case_ref)
    expected = {
        # decide whether to assess: due week 6 (reg 5(1)); reminders 14 and 3 days before,
        # escalations 1 and 14 days after.
        ("decide-to-assess", "reminder", 14, received + timedelta(days=28)),
        ("decide-to-assess", "reminder", 3, received + timedelta(days=39)),
        ("decide-to-assess", "escalation", 1, received + timedelta(days=43)),
        ("decide-to-assess", "escalation", 2, received + timedelta(days=56)),
        # planning dates are reminded, never escalated
        ("decide-not-to-issue", "reminder", 14, received + timedelta(days=98)),
        ("decide-not-to-issue", "reminder", 3, received + timedelta(days=109)),
        ("draft-served", "reminder", 14, received + timedelta(days=111)),
        ("draft-served", "reminder", 3, received + timedelta(days=122)),
        # final plan: week 20 (reg 13(2)) is received + 140
        ("final-plan", "reminder", 14, received + timedelta(days=126)),
        ("final-plan", "reminder", 3, received + timedelta(days=137)),
        ("final-plan", "escalation", 1, received + timedelta(days=141)),
    }
    got = {(step, kind, level, when.date()) for step, kind, level, when, _ in messages}
    assert got == expected
    # Each alert once per recipient on the ladder: reminders to the caseworker, escalations
    # to the caseworker and supervisor, then the supervisor and manager.
    recipients: dict[tuple[str, int], list[str]] = {}
    for row in outbox.messages(case_ref=req.case_ref):
        recipients.setdefault((row["kind"], row["level"]), []).append(row["recipient"])
    assert sorted(recipients[("reminder", 14)]) == ["cw101"] * 4
    assert sorted(recipients[("escalation", 1)]) == [
        "cw101",
        "cw101",
        "supervisor:north",
        "supervisor:north",
    ]
    assert sorted(recipients[("escalation", 2)]) == ["manager:north", "supervisor:north"]
    for _, _, _, when, _ in messages:
        assert abs(when - at_alert_hour(when.date())) < timedelta(minutes=1)
    assert isinstance(view, AssessmentView)
    assert view.next_step is not None and view.next_step.step == "decide-to-assess"
    # A query answers as of the workflow's last task (the escalation on day 141): clients that
    # need "today" recompute the steps from the case (ehc.cases does).
    assert view.as_of == received + timedelta(days=141)
    assert view.next_step.days_left == 42 - 141
    assert sorted(a.key for a in view.alerts if a.delivered) == sorted(
        {r["idempotency_key"].split("|")[0] for r in outbox.messages(case_ref=req.case_ref)}
    )


async def test_exception_moves_the_target_and_is_excluded_from_the_headline_figure(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        r = await env_today(env)
        req = request(r)
        handle = await start(env.client, queue, req)

        async def record(event: rules.AssessmentEvent) -> AssessmentView:
            return await handle.execute_update(AssessmentWorkflow.record, event)

        async def wait_until(day: int) -> None:
            await env.sleep(
                datetime.combine(r + timedelta(days=day), time(12), UTC)
                - await env.get_current_time()
            )

        await wait_until(35)
        await record(rules.DecidedToAssess(on=r + timedelta(days=35)))
        await record(
            rules.AdviceRequested(
                on=r + timedelta(days=35),
                advice_type=rules.AdviceType.EDUCATIONAL,
                provider="Current school",
            )
        )
        view = await record(
            rules.ExceptionRecorded(
                on=r + timedelta(days=35),
                reason=Reason.ABSENCE_FROM_AREA,
                start=r + timedelta(days=36),
                end=r + timedelta(days=70),
            )
        )
        assert view.key_dates.final_plan_by == r + timedelta(days=140)
        assert view.key_dates.operational_final_plan_by == r + timedelta(days=175)
        assert view.key_dates.exceptions_apply

        await wait_until(150)
        await record(rules.AdviceReceived(on=r + timedelta(days=150), advice_id=1))
        await record(rules.DraftServed(on=r + timedelta(days=150)))
        await wait_until(170)
        await record(rules.FinalPlanIssued(on=r + timedelta(days=170)))
        outcome = await handle.result()
        history = await handle.fetch_history()

    assert outcome.ending is rules.Ending.PLAN_ISSUED
    assert outcome.within_20_weeks is False
    assert outcome.exceptions_apply is True
    assert outcome.within_20_weeks_excluding_exceptions is None
    assert outcome.within_operational_target is True
    assert outcome.weeks_taken == 24.3

    final_alerts = [m for m in sent(outbox, req.case_ref) if m[0] == "final-plan"]
    # Week 20 passed during the pause: no escalation, and the reminders follow the new target.
    assert [
        (kind, level, when.date(), target) for _, kind, level, when, target in final_alerts
    ] == [
        ("reminder", 14, r + timedelta(days=161), r + timedelta(days=175)),
    ]
    if os.environ.get("EHC_RECORD_HISTORIES"):
        Path(HISTORIES / "assessment_exception.json").write_text(history.to_json())
        # The request for advice's own clock, from request to advice received.
        advice = env.client.get_workflow_handle(
            advice_workflow_id(req.case_ref, rules.AdviceType.EDUCATIONAL.value, 1)
        )
        (HISTORIES / "advice_received.json").write_text((await advice.fetch_history()).to_json())

    # The reporting ledger has each completed step once, and the outcome.
    ledger = Ledger(outbox.engine)
    steps = {row["step"]: row for row in ledger.steps(case_ref=req.case_ref)}
    assert len(ledger.steps(case_ref=req.case_ref)) == len(steps)
    assert steps["decide-to-assess"]["met"] is True
    assert steps["advice-1"]["met"] is False  # back on day 150; due day 77 (+35 paused)
    assert steps["advice-1"]["detail"] == {
        "advice_type": "educational",
        "provider": "Current school",
    }
    assert steps["final-plan"]["completed_on"] == r + timedelta(days=170)
    assert steps["final-plan"]["met"] is False and steps["final-plan"]["exception_applies"]
    [row] = ledger.outcomes(case_ref=req.case_ref)
    assert row["outcome"]["within_20_weeks"] is False
    assert row["outcome"]["within_20_weeks_excluding_exceptions"] is None


async def test_a_rejected_event_leaves_history_and_state_unchanged(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        received = await env_today(env)
        handle = await start(env.client, queue, request(received))
        await quiescent(handle)  # the request is in the ledger, the first alerts planned
        before = await handle.query(AssessmentWorkflow.timeline)
        events_before = case_events(await handle.fetch_history())

        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(
                AssessmentWorkflow.record, rules.FinalPlanIssued(on=received)
            )
        cause = rejected.value.cause
        assert isinstance(cause, ApplicationError)
        assert "can only be recorded when the case's stage is draft plan served" in cause.message

        with pytest.raises(WorkflowUpdateFailedError) as early:
            await handle.execute_update(
                AssessmentWorkflow.record,
                rules.DecidedToAssess(on=received - timedelta(days=1)),
            )
        assert "before the request was received" in str(early.value.cause)

        after = await handle.query(AssessmentWorkflow.timeline)
        events_after = case_events(await handle.fetch_history())
        await handle.terminate("test over")

    assert events_after == events_before  # no update accepted, no attribute, no activity
    assert after.case == before.case
    assert after.case.timeline == []
