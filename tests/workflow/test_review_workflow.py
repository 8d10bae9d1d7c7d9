"""A plan's review workflow on the time-skipping server: cycles, amendments, ceasing."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from temporalio.client import Client, WorkflowContinuedAsNewError, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from statutory import assessment as arules
from statutory import review as rules
from statutory.dates import months_after
from tests.conftest import HISTORIES
from tests.workflow.helpers import STARTED, running_worker
from workflows.assessment import AssessmentWorkflow
from workflows.models import (
    AssessmentStart,
    ReviewStart,
    ReviewView,
    assessment_workflow_id,
    review_workflow_id,
)
from workflows.review import ReviewWorkflow


def new_ref() -> str:
    return f"P-{uuid.uuid4().hex[:10].upper()}"


def plan(plan_date: date, ref: str | None = None) -> rules.PlanRecord:
    return rules.PlanRecord(
        case_ref=ref or new_ref(), plan_date=plan_date, caseworker="cw201", team="south"
    )


class Driver:
    """Drives one plan's workflow through simulated days."""

    def __init__(self, env: WorkflowEnvironment, case_ref: str, start: date) -> None:
        self.env, self.case_ref, self.day0 = env, case_ref, start
        self.handle = env.client.get_workflow_handle_for(
            ReviewWorkflow.run, review_workflow_id(case_ref)
        )

    def day(self, n: int) -> date:
        return self.day0 + timedelta(days=n)

    async def until(self, n: int) -> None:
        """Let simulated time run to midday of day ``n``."""
        target = datetime.combine(self.day(n), time(12), UTC)
        await self.env.sleep(target - await self.env.get_current_time())

    async def record(self, event: rules.ReviewEvent) -> ReviewView:
        return await self.handle.execute_update(ReviewWorkflow.record, event)

    async def view(self) -> ReviewView:
        return await self.handle.query(ReviewWorkflow.timeline)

    async def run_id(self) -> str:
        run_id = (await self.handle.describe()).run_id
        assert run_id is not None
        return run_id

    async def continued(self, run_id: str) -> None:
        """Wait until the run ``run_id`` has ended by continuing as new (the cycle is over)."""
        with pytest.raises(WorkflowContinuedAsNewError):
            await self.env.client.get_workflow_handle(self.handle.id, run_id=run_id).result(
                follow_runs=False
            )


async def start_review(client: Client, queue: str, start: ReviewStart) -> None:
    STARTED.append(review_workflow_id(start.cycle.case_ref))
    await client.start_workflow(
        ReviewWorkflow.run,
        start,
        id=review_workflow_id(start.cycle.case_ref),
        task_queue=queue,
    )


async def today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).date()


async def test_two_cycles_continue_as_new_and_the_next_cycle_runs_from_the_decision(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        d0 = await today(env)
        p = plan(d0)
        await start_review(env.client, queue, ReviewStart(cycle=rules.first_cycle(p)))
        run = Driver(env, p.case_ref, d0)
        first_run_id = await run.run_id()

        await run.until(300)
        await run.record(rules.MeetingScheduled(on=run.day(300), meeting_date=run.day(330)))
        await run.record(rules.InvitationsSent(on=run.day(300)))
        await run.record(rules.AdviceCirculated(on=run.day(300)))
        await run.until(330)
        await run.record(rules.MeetingHeld(on=run.day(330)))
        await run.until(340)
        await run.record(rules.ReportSent(on=run.day(340)))
        await run.record(rules.DecisionNotified(on=run.day(340), decision=rules.Decision.MAINTAIN))
        await run.continued(first_run_id)

        second = await run.view()
        assert second.cycle.cycle == 2
        assert second.cycle.anchor == run.day(340)  # the decision notice (IPSEA's reading)
        assert second.cycle.timeline == []  # only what the next cycle needs
        assert (await run.handle.describe()).run_id != first_run_id
        [done] = second.previous
        assert done.reviewed_within_12_months is True
        assert done.decision is rules.Decision.MAINTAIN
        assert done.decision_within_4_weeks is True
        assert done.next_anchor == run.day(340)

        # Cycle 2 is left to run late: the review escalates the day after 12 months.
        due = months_after(run.day(340), 12)
        await run.until((due - d0).days + 3)
        late = await run.view()
        await run.handle.terminate("test over")

    assert late.next_step is not None and late.next_step.step == "review-meeting"
    rows = outbox.messages(case_ref=p.case_ref)
    escalations = [
        (r["step"], r["target"], r["recipient"]) for r in rows if r["kind"] == "escalation"
    ]
    assert sorted(escalations) == [
        ("review-meeting", due, "cw201"),
        ("review-meeting", due, "supervisor:south"),
    ]
    # Cycle 1's meeting was arranged before any reminder fell due; cycle 2's was not, so the
    # caseworker was reminded to arrange it, 6 weeks before the review was due.
    arrange = {(r["target"], r["level"]) for r in rows if r["step"] == "arrange-meeting"}
    assert {r["recipient"] for r in rows if r["step"] == "arrange-meeting"} == {"cw201"}
    assert arrange == {(due - timedelta(weeks=6), 14), (due - timedelta(weeks=6), 3)}


async def test_amend_path_records_the_12_week_outcome(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        d0 = await today(env)
        p = plan(d0 - timedelta(days=900))
        cycle = rules.first_cycle(p, last_review=d0 - timedelta(days=330))
        await start_review(env.client, queue, ReviewStart(cycle=cycle))
        run = Driver(env, p.case_ref, d0)
        await run.record(rules.MeetingHeld(on=d0))
        await run.until(10)
        await run.record(rules.ReportSent(on=run.day(10)))
        await run.until(20)
        await run.record(rules.DecisionNotified(on=run.day(20), decision=rules.Decision.AMEND))
        view = await run.record(rules.AmendmentNoticeSent(on=run.day(20)))
        assert view.stage is rules.Stage.AMENDING
        assert view.key_dates.final_amended_plan_by == run.day(20 + 56)
        assert view.next_step is not None and view.next_step.step == "final-amended-plan"
        await run.until(70)
        first_run = await run.run_id()
        await run.record(rules.FinalAmendedPlanIssued(on=run.day(70)))
        await run.continued(first_run)
        after = await run.view()
        if os.environ.get("EHC_RECORD_HISTORIES"):
            cycle_one = env.client.get_workflow_handle(run.handle.id, run_id=first_run)
            (HISTORIES / "review_amend.json").write_text(
                (await cycle_one.fetch_history()).to_json()
            )
        await run.handle.terminate("test over")

    [done] = after.previous
    assert done.decision is rules.Decision.AMEND
    assert done.amended_within_12_weeks is True  # 70 days after the meeting, within 84
    assert done.reviewed_within_12_months is True
    assert after.cycle.cycle == 2 and after.cycle.anchor == run.day(20)
    # No escalations: every step was done in time.
    assert [r for r in outbox.messages(case_ref=p.case_ref) if r["kind"] == "escalation"] == []


async def ceasing(env: WorkflowEnvironment, queue: str) -> Driver:
    """A plan whose review decided today to cease it, 10 days after the meeting."""
    d0 = await today(env)
    p = plan(d0 - timedelta(days=800))
    cycle = rules.first_cycle(p, last_review=d0 - timedelta(days=300))
    prior: list[rules.ReviewEvent] = [
        rules.MeetingHeld(on=d0 - timedelta(days=10)),
        rules.DecisionNotified(on=d0, decision=rules.Decision.CEASE),
    ]
    await start_review(env.client, queue, ReviewStart(cycle=cycle, prior_events=prior))
    return Driver(env, p.case_ref, d0)


async def test_cease_ends_the_plan_when_the_appeal_window_closes(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        run = await ceasing(env, queue)
        d0 = run.day0
        assert (await run.view()).stage is rules.Stage.CEASING
        await run.until(59)  # the window (2 months from the decision) is still open
        assert (await run.view()).stage is rules.Stage.CEASING
        await run.until(70)
        outcome = await run.handle.result()
        if os.environ.get("EHC_RECORD_HISTORIES"):
            history = await run.handle.fetch_history()
            (HISTORIES / "review_cease.json").write_text(history.to_json())

    assert outcome.plan_ended is rules.PlanEnding.CEASED
    assert outcome.ended_on == months_after(d0, 2)


async def test_an_appeal_keeps_the_plan_and_the_next_cycle_starts(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        run = await ceasing(env, queue)
        await run.until(30)
        await run.record(rules.AppealLodged(on=run.day(30)))
        await run.until(100)  # past the window: the appeal holds the plan open
        assert (await run.view()).stage is rules.Stage.CEASING
        first_run = await run.run_id()
        await run.record(rules.AppealConcluded(on=run.day(100), plan_continues=True))
        await run.continued(first_run)
        after = await run.view()
        await run.handle.terminate("test over")

    assert after.cycle.cycle == 2
    assert after.previous[0].plan_ended is None


async def test_mediation_holds_the_plan_until_a_month_after_its_certificate(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """Tribunal rules r20(1): the window runs to 1 month from a mediation certificate when
    that is later than 2 months from the decision; the plan is in force until then."""
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        run = await ceasing(env, queue)
        await run.until(40)
        await run.record(rules.MediationWanted(on=run.day(40)))
        await run.until(90)  # past 2 months: mediation is still running
        assert (await run.view()).stage is rules.Stage.CEASING
        certified = await run.record(rules.MediationCertificateIssued(on=run.day(90)))
        window = months_after(run.day(90), 1)
        assert certified.cycle.appeal_window_ends() == window
        await run.until((window - run.day0).days)  # the last day to appeal
        assert (await run.view()).stage is rules.Stage.CEASING
        await run.until((window - run.day0).days + 2)
        outcome = await run.handle.result()

    assert outcome.plan_ended is rules.PlanEnding.CEASED
    assert outcome.ended_on == window


async def test_issuing_the_final_plan_starts_the_plans_review_clock(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        d0 = await today(env)
        request = arules.AssessmentRequest(
            case_ref=new_ref(),
            received=d0 - timedelta(days=120),
            caseworker="cw101",
            team="north",
        )
        handle = await env.client.start_workflow(
            AssessmentWorkflow.run,
            AssessmentStart(
                request=request,
                prior_events=[
                    arules.DecidedToAssess(on=d0 - timedelta(days=90)),
                    arules.DraftServed(on=d0 - timedelta(days=20)),
                ],
            ),
            id=assessment_workflow_id(request.case_ref),
            task_queue=queue,
        )
        STARTED.append(review_workflow_id(request.case_ref))
        await handle.execute_update(AssessmentWorkflow.record, arules.FinalPlanIssued(on=d0))
        outcome = await handle.result()
        review = Driver(env, request.case_ref, d0)
        view = await review.view()
        status = (await review.handle.describe()).status
        await review.handle.terminate("test over")

    assert outcome.within_20_weeks is True
    assert status is WorkflowExecutionStatus.RUNNING
    assert view.cycle.cycle == 1 and view.cycle.anchor == d0
    assert view.key_dates.review_due_by == months_after(d0, 12)


async def test_advice_not_circulated_before_the_meeting_is_escalated(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """reg 20(4) is the authority's duty: it stays on the review's own clock (an advice
    request's step, ``advice-N``, runs its own; ``advice-circulated`` is not one)."""
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        d0 = await today(env)
        p = plan(d0)
        await start_review(env.client, queue, ReviewStart(cycle=rules.first_cycle(p)))
        run = Driver(env, p.case_ref, d0)
        await run.until(300)
        await run.record(rules.MeetingScheduled(on=run.day(300), meeting_date=run.day(330)))
        await run.record(rules.InvitationsSent(on=run.day(300)))
        await run.until(320)  # the circulation date (day 316) passed with no advice sent
        await run.handle.terminate("test over")

    circulated = {
        (r["kind"], r["level"], r["target"])
        for r in outbox.messages(case_ref=p.case_ref)
        if r["step"] == "advice-circulated"
    }
    assert ("escalation", 1, run.day(316)) in circulated
