"""The EHC needs-assessment workflow: one per case, ``assessment-<case ref>``.

It holds the case state from ``statutory.assessment``, accepts caseworker events as updates
(validated first, so a bad event is rejected and nothing is written to history), keeps the
search attributes current, and sleeps until the next reminder or escalation is due. When the
final plan is issued it starts the plan's review workflow, which outlives it.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from statutory import assessment as rules
    from statutory import review as review_rules
    from statutory.advice import AdviceRequestState
    from statutory.errors import RuleViolation
    from statutory.exceptions import ADVICE_REASONS
    from statutory.ledger import OutcomeRecord, request_record
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.advice import ADVICE_CHILDREN_PATCH, AdviceChildren
    from workflows.clock import CONSUME_CHANGES_FIRST_PATCH, CaseClock
    from workflows.models import (
        AdviceStart,
        AssessmentStart,
        AssessmentView,
        KeyDates,
        ReviewStart,
        advice_workflow_id,
        review_workflow_id,
    )
    from workflows.review import ReviewWorkflow

START_REVIEW_PATCH = "start-review-on-final-plan"
#: The case publishes its own next step; each advice request publishes its own (kind advice).
OWN_NEXT_STEP_PATCH = "publish-own-next-step"


def rejected(error: RuleViolation) -> ApplicationError:
    return ApplicationError(str(error), type="RuleViolation", non_retryable=True)


@workflow.defn
class AssessmentWorkflow:
    @workflow.init
    def __init__(self, start: AssessmentStart) -> None:
        self._start = start
        self._clock = CaseClock("assessment", start.policy, start.alert_hour_utc, start.quiet_until)
        today = self._clock.today()
        try:
            case = rules.open_case(start.request, today)
            for event in start.prior_events:
                case = rules.apply(case, event, today, workflow.now())
        except RuleViolation as error:
            raise rejected(error) from error
        self._case = case
        self._changed = False
        self._advice = AdviceChildren()

    @workflow.run
    async def run(self, start: AssessmentStart) -> rules.AssessmentOutcome:
        await self._clock.report_request(
            request_record(
                workflow_id=workflow.info().workflow_id,
                case_ref=start.request.case_ref,
                received=start.request.received,
                caseworker=start.request.caseworker,
                team=start.request.team,
            )
        )
        while True:
            consume_first = workflow.patched(CONSUME_CHANGES_FIRST_PATCH)
            if consume_first:
                # Consume changes before reading the state, so none arriving later is missed.
                self._changed = False
            steps = rules.steps(self._case, self._clock.today(), start.policy.amber_days)
            self._publish(steps)
            await self._clock.report_steps(
                steps,
                case_ref=self._case.case_ref,
                cycle=0,
                caseworker=self._case.caseworker,
                team=self._case.team,
                details={
                    f"advice-{a.id}": {"advice_type": a.advice_type.value, "provider": a.provider}
                    for a in self._case.advice
                },
            )
            children = workflow.patched(ADVICE_CHILDREN_PATCH)
            if children:
                await self._sync_advice()
            if self._case.closed:
                break
            next_on = await self._clock.send_due(
                # Advice requests keep their own clocks (and alert their providers).
                [s for s in steps if not (children and s.step.startswith("advice-"))],
                self._case.case_ref,
                self._case.caseworker,
                self._case.team,
                notes={"draft-served": self._missing_advice()} if children else None,
            )
            if not consume_first:
                self._changed = False  # workflows started before the fix
            await self._clock.sleep(next_on, lambda: self._changed)
        await self._clock.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        outcome = rules.outcome(self._case)
        await self._clock.report_outcome(
            OutcomeRecord(
                key=f"{workflow.info().workflow_id}:0:outcome",
                workflow_id=workflow.info().workflow_id,
                case_ref=self._case.case_ref,
                process="assessment",
                cycle=0,
                ended_on=outcome.ended_on,
                caseworker=self._case.caseworker,
                team=self._case.team,
                outcome=outcome.model_dump(mode="json"),
            )
        )
        if self._case.ending is rules.Ending.PLAN_ISSUED and workflow.patched(START_REVIEW_PATCH):
            await self._start_review()
        return outcome

    # --- advice requests ---------------------------------------------------------------------

    def _advice_state(self, advice: rules.AdviceRequest) -> AdviceRequestState:
        return AdviceRequestState(
            advice_id=advice.id,
            advice_type=advice.advice_type.value,
            provider=advice.provider,
            adviser_received=advice.adviser_received,
            received_on=advice.received_on,
            exceptions=tuple(
                (e.reason, e.start, e.end)
                for e in self._case.exceptions
                if e.reason in ADVICE_REASONS and e.advice_id in (None, advice.id)
            ),
            # Set aside (reg 6(4), or withdrawn): its clock stops as if the case had closed.
            closed=self._case.closed or advice.not_needed is not None,
            caseworker=self._case.caseworker,
            team=self._case.team,
        )

    async def _sync_advice(self) -> None:
        """Start a child for each new request; send each open child what changed."""
        await self._advice.sync(
            [
                (
                    advice_workflow_id(self._case.case_ref, advice.advice_type.value, advice.id),
                    AdviceStart(
                        case_ref=self._case.case_ref,
                        caseworker=self._case.caseworker,
                        team=self._case.team,
                        request=self._advice_state(advice),
                        policy=self._start.advice_policy,
                        alert_hour_utc=self._start.alert_hour_utc,
                        quiet_until=self._start.quiet_until,
                    ),
                )
                for advice in self._case.advice
            ]
        )

    def _missing_advice(self) -> list[str]:
        missing = [
            f"{a.advice_type.value} from {a.provider} (requested {a.requested_on})"
            for a in self._case.advice
            if a.outstanding
        ]
        return [f"Advice still missing: {'; '.join(missing)}"] if missing else []

    async def _start_review(self) -> None:
        """The plan now exists: start its annual-review clock (unless it was imported)."""
        assert self._case.final_issued_on is not None
        request = self._case.request
        plan = review_rules.PlanRecord(
            case_ref=request.case_ref,
            plan_date=self._case.final_issued_on,
            caseworker=self._case.caseworker,
            team=self._case.team,
            date_of_birth=request.date_of_birth,
        )
        try:
            await workflow.start_child_workflow(
                ReviewWorkflow.run,
                ReviewStart(
                    cycle=review_rules.first_cycle(plan, policy=self._start.review_policy),
                    policy=self._start.policy,
                    alert_hour_utc=self._start.alert_hour_utc,
                ),
                id=review_workflow_id(request.case_ref),
                parent_close_policy=ParentClosePolicy.ABANDON,
                execution_timeout=None,
                task_timeout=timedelta(seconds=10),
            )
        except WorkflowAlreadyStartedError:
            workflow.logger.info("review workflow already running")

    def _publish(self, steps: list[StepStatus]) -> None:
        # A late advice is listed once, by its own workflow, not again as the case's step.
        own = workflow.patched(OWN_NEXT_STEP_PATCH)
        nxt = rules.own_next_deadline(steps) if own else rules.next_deadline(steps)
        self._clock.publish(
            {
                sa.CASE_REF: self._case.case_ref,
                sa.KIND: "assessment",
                sa.STAGE: self._case.stage.value,
                sa.NEXT_STEP: nxt.step if nxt else None,
                sa.NEXT_DEADLINE: sa.end_of(nxt.target) if nxt else None,
                sa.CASEWORKER: self._case.caseworker,
                sa.TEAM: self._case.team,
                sa.FINAL_PLAN_DUE: sa.end_of(self._case.dates().final_plan.due),
            }
        )

    # --- caseworker events -----------------------------------------------------------------

    @workflow.update
    def record(self, event: rules.AssessmentEvent) -> AssessmentView:
        """Record what happened; returns the updated timeline."""
        try:
            self._case = rules.apply(self._case, event, self._clock.today(), workflow.now())
        except RuleViolation as error:
            raise rejected(error) from error
        self._changed = True
        return self.timeline()

    @record.validator
    def _check(self, event: rules.AssessmentEvent) -> None:
        try:
            rules.check(self._case, event, self._clock.today())
        except RuleViolation as error:
            raise rejected(error) from error

    # --- reading -------------------------------------------------------------------------

    @workflow.query
    def timeline(self) -> AssessmentView:
        """The whole case: request, events, every step's dates and state, alerts sent."""
        today = self._clock.today()
        steps = rules.steps(self._case, today, self._start.policy.amber_days)
        d = self._case.dates()
        return AssessmentView(
            workflow_id=workflow.info().workflow_id,
            as_of=today,
            case=self._case,
            key_dates=KeyDates(
                received=d.received,
                decide_to_assess_by=d.decide_to_assess.due,
                decide_not_to_issue_by=d.decide_not_to_issue.due,
                latest_draft_by=d.latest_draft,
                final_plan_by=d.final_plan.due,
                operational_final_plan_by=d.final_plan.target,
                exceptions_apply=d.final_plan.exception_applies,
                representations_close=d.representations_close,
            ),
            steps=steps,
            next_step=rules.next_deadline(steps),
            alerts=self._clock.alert_log(),
            outcome=rules.outcome(self._case) if self._case.closed else None,
        )
