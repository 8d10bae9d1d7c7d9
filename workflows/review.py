"""A plan's annual-review workflow: one per plan, ``review-<case ref>``.

Each run is one review cycle (``statutory.review``): it reminds the caseworker to arrange the
meeting in time (for a phase transfer, in time for its fixed date), tracks invitations, advice,
meeting, report, decision, amendment notice and final amended plan with reminders and
escalations, and continues-as-new when the cycle concludes, carrying only the next cycle. A
decision to cease ends the plan when the appeal window closes unless an appeal is recorded; a
transfer out of the area ends it with its reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from statutory import review as rules
    from statutory.advice import AdviceRequestState
    from statutory.errors import RuleViolation
    from statutory.ledger import OutcomeRecord
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.advice import ADVICE_CHILDREN_PATCH, AdviceChildren
    from workflows.clock import CONSUME_CHANGES_FIRST_PATCH, CaseClock
    from workflows.models import (
        PREVIOUS_CYCLES_KEPT,
        AdviceStart,
        ReviewStart,
        ReviewView,
        advice_workflow_id,
    )


def _rejected(error: RuleViolation) -> ApplicationError:
    return ApplicationError(str(error), type="RuleViolation", non_retryable=True)


@workflow.defn
class ReviewWorkflow:
    @workflow.init
    def __init__(self, start: ReviewStart) -> None:
        self._start = start
        self._clock = CaseClock("review", start.policy, start.alert_hour_utc, start.quiet_until)
        cycle = start.cycle
        try:
            for event in start.prior_events:
                cycle = rules.apply(cycle, event, self._clock.today(), workflow.now())
        except RuleViolation as error:
            raise _rejected(error) from error
        self._cycle = cycle
        self._changed = False
        self._advice = AdviceChildren()

    @workflow.run
    async def run(self, start: ReviewStart) -> rules.ReviewOutcome:
        while True:
            consume_first = workflow.patched(CONSUME_CHANGES_FIRST_PATCH)
            if consume_first:
                # Consume changes before reading the state, so none arriving later is missed.
                self._changed = False
            self._cycle = rules.expire(self._cycle, self._clock.today())
            steps = rules.steps(self._cycle, self._clock.today(), start.policy.amber_days)
            self._publish(steps)
            category = rules.outcome(self._cycle).category.value
            await self._clock.report_steps(
                steps,
                case_ref=self._cycle.case_ref,
                cycle=self._cycle.cycle,
                caseworker=self._cycle.caseworker,
                team=self._cycle.team,
                details={s.step: {"category": category} for s in steps},
            )
            if workflow.patched(ADVICE_CHILDREN_PATCH):
                await self._advice.sync(self._advice_children())
            if self._cycle.stage in (rules.Stage.CONCLUDED, rules.Stage.ENDED):
                break
            next_on = await self._clock.send_due(
                # Advice requests keep their own clocks (and alert their providers).
                [s for s in steps if not s.step.startswith("advice-")],
                self._cycle.case_ref,
                self._cycle.caseworker,
                self._cycle.team,
            )
            if not consume_first:
                self._changed = False  # workflows started before the fix
            await self._clock.sleep(self._wake_on(next_on), lambda: self._changed)
        await self._clock.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        outcome = rules.outcome(self._cycle)
        wf_id = workflow.info().workflow_id
        await self._clock.report_outcome(
            OutcomeRecord(
                key=f"{wf_id}:{self._cycle.cycle}:outcome",
                workflow_id=wf_id,
                case_ref=self._cycle.case_ref,
                process="review",
                cycle=self._cycle.cycle,
                ended_on=outcome.ended_on or outcome.decision_on or self._clock.today(),
                caseworker=self._cycle.caseworker,
                team=self._cycle.team,
                outcome=outcome.model_dump(mode="json"),
            )
        )
        if self._cycle.stage is rules.Stage.ENDED:
            return outcome
        workflow.continue_as_new(
            ReviewStart(
                cycle=rules.next_cycle(self._cycle),
                policy=start.policy,
                alert_hour_utc=start.alert_hour_utc,
                previous=[*start.previous, outcome][-PREVIOUS_CYCLES_KEPT:],
                advice_policy=start.advice_policy,
                quiet_until=start.quiet_until,
            )
        )

    def _advice_children(self) -> list[tuple[str, AdviceStart]]:
        """The review's advice requests: due when advice must be circulated (reg 20(4));
        moot once the meeting is held or the cycle is over."""
        cycle = self._cycle
        due = cycle.dates().advice_circulated_by
        moot = cycle.meeting_held_on is not None or cycle.stage in (
            rules.Stage.CONCLUDED,
            rules.Stage.ENDED,
        )
        out = []
        for advice in cycle.advice:
            out.append(
                (
                    advice_workflow_id(
                        cycle.case_ref, f"review{cycle.cycle}-{advice.advice_type}", advice.id
                    ),
                    AdviceStart(
                        case_ref=cycle.case_ref,
                        caseworker=cycle.caseworker,
                        team=cycle.team,
                        request=AdviceRequestState(
                            advice_id=advice.id,
                            advice_type=advice.advice_type,
                            provider=advice.provider,
                            adviser_received=advice.requested_on,
                            due=due,
                            regulation="reg 20(4)",
                            received_on=advice.received_on,
                            closed=moot,
                            caseworker=cycle.caseworker,
                            team=cycle.team,
                        ),
                        policy=self._start.advice_policy,
                        alert_hour_utc=self._start.alert_hour_utc,
                        quiet_until=self._start.quiet_until,
                    ),
                )
            )
        return out

    def _wake_on(self, next_alert: date | None) -> date | None:
        """The earlier of the next alert and the day after a cease decision's appeal window."""
        window = self._cycle.appeal_window_ends()
        if window is None or self._cycle.appeal_lodged_on is not None:
            return next_alert
        expiry = window + timedelta(days=1)
        return expiry if next_alert is None else min(next_alert, expiry)

    def _publish(self, steps: list[StepStatus]) -> None:
        nxt = rules.next_deadline(steps)
        self._clock.publish(
            {
                sa.CASE_REF: self._cycle.case_ref,
                sa.KIND: "review",
                sa.STAGE: self._cycle.stage.value,
                sa.NEXT_STEP: nxt.step if nxt else None,
                sa.NEXT_DEADLINE: sa.end_of(nxt.target) if nxt else None,
                sa.CASEWORKER: self._cycle.caseworker,
                sa.TEAM: self._cycle.team,
                sa.REVIEW_DUE: sa.end_of(rules.review_due(self._cycle.anchor)),
            }
        )

    @workflow.update
    def record(self, event: rules.ReviewEvent) -> ReviewView:
        """Record what happened in the current cycle; returns the updated timeline."""
        try:
            self._cycle = rules.apply(self._cycle, event, self._clock.today(), workflow.now())
        except RuleViolation as error:
            raise _rejected(error) from error
        self._changed = True
        return self.timeline()

    @record.validator
    def _check(self, event: rules.ReviewEvent) -> None:
        try:
            rules.check(self._cycle, event, self._clock.today())
        except RuleViolation as error:
            raise _rejected(error) from error

    @workflow.query
    def timeline(self) -> ReviewView:
        """The current cycle: dates, steps, events, alerts, and recent cycles' outcomes."""
        today = self._clock.today()
        steps = rules.steps(self._cycle, today, self._start.policy.amber_days)
        return ReviewView(
            workflow_id=workflow.info().workflow_id,
            as_of=today,
            cycle=self._cycle,
            stage=self._cycle.stage,
            key_dates=self._cycle.dates(),
            transfer_in_this_cycle=self._cycle.transfer_applies(),
            steps=steps,
            next_step=rules.next_deadline(steps),
            alerts=self._clock.alert_log(),
            previous=self._start.previous,
        )
