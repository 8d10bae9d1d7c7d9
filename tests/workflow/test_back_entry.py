"""A case entered with a past escalates nothing about steps its caseworker then records as met.

The README's own example, back-entered on the time-skipping server: the request was received
six months ago, the case is started today and its history recorded line by line. Nobody may be
escalated about a step that was in fact met; only what is still open once the settling period
is over (``statutory.alerts.settling_end``) is escalated, on that day.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from statutory import assessment as rules
from statutory.alerts import settling_end
from statutory.exceptions import Reason
from tests.workflow.helpers import STARTED, request, running_worker
from workflows.assessment import AssessmentWorkflow
from workflows.models import (
    AssessmentStart,
    AssessmentView,
    assessment_workflow_id,
    review_workflow_id,
)


async def back_entered(
    client: Client, queue: str, received: date, quiet_until: date | None
) -> WorkflowHandle[AssessmentWorkflow, rules.AssessmentOutcome]:
    req = request(received, ref=f"EHC-{uuid.uuid4().hex[:8].upper()}")
    STARTED.extend([assessment_workflow_id(req.case_ref), review_workflow_id(req.case_ref)])
    return await client.start_workflow(
        AssessmentWorkflow.run,
        AssessmentStart(request=req, quiet_until=quiet_until),
        id=assessment_workflow_id(req.case_ref),
        task_queue=queue,
    )


def readme_history(r: date) -> list[rules.AssessmentEvent]:
    """README's example (received 1 Jun): decided 1 Jul, advice asked 2 Jul (adviser has it
    3 Jul), family abroad 10 Jul - 20 Aug, advice back 1 Sep, draft 1 Oct, setting consulted
    2 Oct and replied 12 Oct, final plan 20 Oct (after week 20, but the absence lifts it)."""

    def d(n: int) -> date:
        return r + timedelta(days=n)

    return [
        rules.DecidedToAssess(on=d(30)),
        rules.AdviceRequested(
            on=d(31),
            advice_type=rules.AdviceType.PSYCHOLOGICAL,
            provider="Educational Psychology Service",
            adviser_received=d(32),
        ),
        rules.ExceptionRecorded(
            on=d(39), reason=Reason.ABSENCE_FROM_AREA, start=d(39), end=d(80), note="abroad"
        ),
        rules.AdviceReceived(on=d(92), advice_id=1),
        rules.DraftServed(on=d(122)),
        rules.SettingConsulted(on=d(123), setting="Local special school"),
        rules.SettingReplied(on=d(133), consultation_id=1),
        rules.FinalPlanIssued(on=d(141)),
    ]


def escalations(outbox: Outbox, case_ref: str) -> list[str]:
    return sorted(
        r["idempotency_key"]
        for r in outbox.messages(case_ref=case_ref)
        if r["kind"] == "escalation"
    )


async def test_readme_example_back_entered_escalates_nothing(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        today = (await env.get_current_time()).date()
        received = today - timedelta(days=183)
        handle = await back_entered(env.client, queue, received, settling_end(today))
        view: AssessmentView | None = None
        for event in readme_history(received):
            view = await handle.execute_update(AssessmentWorkflow.record, event)
        outcome = await handle.result()
        await env.sleep(timedelta(days=10))  # well past the settling period
        case_ref = handle.id.removeprefix("assessment-")

    assert outcome.ending is rules.Ending.PLAN_ISSUED and outcome.exceptions_apply
    assert view is not None
    states = {s.step: s.state.value for s in view.steps}
    assert states == {
        "decide-to-assess": "met",
        "advice-1": "excepted",
        "decide-not-to-issue": "not-applicable",
        "draft-served": "met",
        "setting-reply-1": "met",
        "final-plan": "excepted",
    }
    assert not any(s.missed for s in view.steps)
    assert escalations(outbox, case_ref) == []


async def test_without_a_settling_period_the_same_history_escalates(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """The control: what the settling period prevents (managers told of met steps)."""
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        today = (await env.get_current_time()).date()
        received = today - timedelta(days=183)
        handle = await back_entered(env.client, queue, received, None)
        for event in readme_history(received):
            await handle.execute_update(AssessmentWorkflow.record, event)
        await handle.result()
        case_ref = handle.id.removeprefix("assessment-")

    assert any(":decide-to-assess:escalation:" in k for k in escalations(outbox, case_ref))


async def test_what_is_still_open_after_the_settling_period_is_escalated_then(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        today = (await env.get_current_time()).date()
        quiet_until = settling_end(today)
        assert quiet_until is not None and quiet_until > today
        received = today - timedelta(days=60)  # decide-to-assess was due 18 days ago
        handle = await back_entered(env.client, queue, received, quiet_until)
        await env.sleep(timedelta(days=(quiet_until - today).days + 1))
        case_ref = handle.id.removeprefix("assessment-")
        rows = [r for r in outbox.messages(case_ref=case_ref) if r["kind"] == "escalation"]
        await handle.terminate("test over")

    # Only the latest escalation the step has reached, once, on the first day allowed.
    assert {(r["step"], r["level"]) for r in rows} == {("decide-to-assess", 2)}
    assert {r["scheduled_for"].date() for r in rows} == {quiet_until}
