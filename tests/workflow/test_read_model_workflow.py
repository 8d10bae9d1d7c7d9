"""The workflows write their view to the read model as each case changes, on the time-skipping
server: an assessment from request to final plan (with a request for advice), and a plan's
review continuing into its next cycle."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowContinuedAsNewError, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from ehc.read_model import CaseViewRow, ReadModel
from statutory import assessment as rules
from statutory import review as review_rules
from statutory.read_model import CaseView
from statutory.steps import StepState
from tests.workflow.helpers import STARTED, quiescent, request, running_worker, start
from workflows.assessment import AssessmentWorkflow
from workflows.models import ReviewStart, advice_workflow_id, review_workflow_id
from workflows.review import ReviewWorkflow


async def env_today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).date()


async def row_is_view(read_model: ReadModel, handle: WorkflowHandle[object, object]) -> CaseViewRow:
    """The read model's row is the workflow's latest view (its ``view`` query)."""
    view = await handle.query("view", result_type=CaseView)
    assert view is not None
    row = read_model.case(handle.id)
    assert row is not None
    assert row.model_dump() == view.model_dump(exclude={"steps"}) | {
        "updated_at": row.updated_at  # as stored (SQLite keeps no time zone)
    }
    assert {
        (s.step, s.status, s.due, s.operational_due, s.done_on) for s in read_model.steps(handle.id)
    } == {(s.step, s.status, s.due, s.operational_due, s.done_on) for s in view.steps}
    return row


async def test_an_assessment_and_its_advice_and_review_write_their_views(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    read_model = ReadModel(outbox.engine, migrate=False)
    async with running_worker(env.client, outbox) as queue:
        r = await env_today(env)
        req = request(r)
        handle = await start(env.client, queue, req)
        await quiescent(handle)
        first = await row_is_view(read_model, handle)
        assert (first.kind, first.stage, first.is_open) == ("assessment", "decision", True)
        assert (first.next_step, first.next_due) == ("decide-to-assess", r + timedelta(weeks=6))
        assert first.final_plan_due == r + timedelta(weeks=20)
        assert first.next_regulation == "reg 4(1), 5(1)" and first.next_statutory

        await handle.execute_update(AssessmentWorkflow.record, rules.DecidedToAssess(on=r))
        await handle.execute_update(
            AssessmentWorkflow.record,
            rules.AdviceRequested(
                on=r, advice_type=rules.AdviceType.MEDICAL, provider="Community Paediatrics"
            ),
        )
        await quiescent(handle)
        decided = await row_is_view(read_model, handle)
        assert decided.version > first.version
        assert (decided.stage, decided.next_step) == ("assessment", "final-plan")
        steps = {s.step: s for s in read_model.steps(handle.id)}
        assert steps["decide-to-assess"].status is StepState.MET
        assert steps["advice-1"].status is StepState.OPEN

        # The request for advice keeps its own clock, and its own row.
        advice = env.client.get_workflow_handle(
            advice_workflow_id(req.case_ref, rules.AdviceType.MEDICAL.value, 1)
        )
        STARTED.append(advice.id)
        await quiescent(advice)
        asked = await row_is_view(read_model, advice)
        assert (asked.kind, asked.case_ref, asked.provider) == (
            "advice",
            req.case_ref,
            "Community Paediatrics",
        )
        assert (asked.next_step, asked.stage) == ("advice:medical", "awaiting-advice")

        # Nothing changes as days pass but the statuses: no write until one does.
        await env.sleep(timedelta(days=1))
        await quiescent(handle)
        assert read_model.case(handle.id) == decided

        for event in (
            rules.AdviceReceived(on=r + timedelta(days=1), advice_id=1),
            rules.DraftServed(on=r + timedelta(days=1)),
            rules.FinalPlanIssued(on=r + timedelta(days=1), representations_received=True),
        ):
            await handle.execute_update(AssessmentWorkflow.record, event)
        await handle.result()
        review = env.client.get_workflow_handle(review_workflow_id(req.case_ref))
        await advice.result()  # a finished run has written its last view (it settles first)
        await quiescent(review)

    done = read_model.case(handle.id)
    assert done is not None and not done.is_open and done.stage == "closed"
    assert done.next_step is None
    advised = read_model.case(advice.id)
    assert advised is not None and not advised.is_open and advised.stage == "received"
    plan = read_model.case(review.id)
    assert plan is not None and (plan.kind, plan.is_open, plan.cycle) == ("review", True, 1)
    assert plan.review_due == review_rules.review_due(r + timedelta(days=1))
    assert [c.workflow_id for c in read_model.cases()] == [review.id]


async def test_a_review_stays_open_into_its_next_cycle(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    read_model = ReadModel(outbox.engine, migrate=False)
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        plan = review_rules.PlanRecord(
            case_ref="RM-4401", plan_date=d0 - timedelta(days=900), caseworker="cw201", team="south"
        )
        cycle = review_rules.first_cycle(plan, last_review=d0 - timedelta(days=330))
        workflow_id = review_workflow_id(plan.case_ref)
        STARTED.append(workflow_id)
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, ReviewStart(cycle=cycle), id=workflow_id, task_queue=queue
        )
        await quiescent(handle)
        first = await row_is_view(read_model, handle)
        assert (first.cycle, first.stage, first.next_step) == (
            1,
            "awaiting-meeting",
            "review-meeting",
        )
        first_run = (await handle.describe()).run_id
        for event in (
            review_rules.MeetingHeld(on=d0),
            review_rules.ReportSent(on=d0),
            review_rules.DecisionNotified(on=d0, decision=review_rules.Decision.MAINTAIN),
        ):
            await handle.execute_update(ReviewWorkflow.record, event)
        cycle_one = env.client.get_workflow_handle(workflow_id, run_id=first_run)
        with pytest.raises(WorkflowContinuedAsNewError):
            await cycle_one.result(follow_runs=False)
        cycle_one_length = len((await cycle_one.fetch_history()).events)
        latest = env.client.get_workflow_handle(workflow_id)
        await quiescent(latest)
        second = await row_is_view(read_model, latest)

    # The next cycle's run starts its history again, yet its view replaced the last cycle's.
    assert (second.cycle, second.stage, second.is_open) == (2, "awaiting-meeting", True)
    assert second.version < cycle_one_length
    assert second.review_due == review_rules.review_due(d0)
    steps = read_model.steps(workflow_id)
    assert {s.status for s in steps} <= {StepState.OPEN, StepState.NOT_APPLICABLE}
