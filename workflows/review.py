"""A plan's annual-review workflow: one per plan, ``review-<case ref>``.

Each run is one review cycle (``statutory.review``): it reminds the caseworker to arrange the
meeting in time (for a phase transfer, in time for its fixed date), tracks invitations, advice,
meeting, report, decision, amendment notice and final amended plan with reminders and
escalations, and continues-as-new when the cycle concludes, carrying only the next cycle. A
decision to cease ends the plan when the appeal window closes unless an appeal is recorded; a
transfer out of the area ends it with its reason. The run loop is ``workflows.case``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from statutory import review as rules
    from statutory.advice import AdviceRequestState
    from statutory.errors import RuleViolation
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.case import CaseWorkflow, Held, advice_child
    from workflows.children import start_once
    from workflows.clock import CaseClock
    from workflows.models import (
        PREVIOUS_CYCLES_KEPT,
        AdviceStart,
        ReviewStart,
        ReviewView,
        review_workflow_id,
    )


#: The signal a re-assessment sends when it finalises the plan anew (``workflows.duty``).
PLAN_REISSUED = "plan_reissued"


@workflow.defn
class ReviewWorkflow(CaseWorkflow[rules.ReviewCycle, rules.ReviewEvent]):
    @workflow.init
    def __init__(self, start: ReviewStart) -> None:
        self._start = start
        clock = CaseClock("review", start.policy, start.alert_hour_utc, start.quiet_until)
        super().__init__(clock, start.cycle, start.prior_events)

    @workflow.run
    async def run(self, start: ReviewStart) -> rules.ReviewOutcome:
        await self._keep()
        outcome = rules.outcome(self._state)
        await self._report_outcome(
            outcome, outcome.ended_on or outcome.decision_on or self._clock.today()
        )
        if self._state.stage is rules.Stage.ENDED:
            return outcome
        workflow.continue_as_new(
            ReviewStart(
                cycle=rules.next_cycle(self._state),
                policy=start.policy,
                alert_hour_utc=start.alert_hour_utc,
                previous=[*start.previous, outcome][-PREVIOUS_CYCLES_KEPT:],
                advice_policy=start.advice_policy,
                quiet_until=start.quiet_until,
            )
        )

    @workflow.update
    def record(self, event: rules.ReviewEvent) -> ReviewView:
        """Record what happened in the current cycle; returns the updated timeline."""
        self._record(event)
        return self.timeline()

    @record.validator
    def _check_record(self, event: rules.ReviewEvent) -> None:
        self._validate(event)

    @workflow.signal(name=PLAN_REISSUED)
    def plan_reissued(self, on: date) -> None:
        """A re-assessment finalised an amended or replacement plan (reg 27): this cycle
        concludes, and the next review runs 12 months from ``on``."""
        try:
            self._state = rules.reissue(self._state, on)
        except RuleViolation as error:
            workflow.logger.info("plan reissue not applied: %s", error)
        self._changed = True

    @workflow.query
    def timeline(self) -> ReviewView:
        """The current cycle: dates, steps, events, alerts, and recent cycles' outcomes."""
        today = self._clock.today()
        steps = rules.steps(self._state, today, self._start.policy.amber_days)
        return ReviewView(
            workflow_id=workflow.info().workflow_id,
            as_of=today,
            cycle=self._state,
            stage=self._state.stage,
            key_dates=self._state.dates(),
            transfer_in_this_cycle=self._state.transfer_applies(),
            steps=steps,
            next_step=rules.next_deadline(steps),
            alerts=self._clock.alert_log(),
            previous=self._start.previous,
        )

    # --- the process -------------------------------------------------------------------------

    _apply = staticmethod(rules.apply)
    _check = staticmethod(rules.check)

    def _held(self) -> Held:
        return self._state

    def _wake(self) -> list[StepStatus]:
        # A decision to cease ends the plan once its appeal window has passed (CFA s45).
        self._state = rules.expire(self._state, self._clock.today())
        return rules.steps(self._state, self._clock.today(), self._start.policy.amber_days)

    def _finished(self) -> bool:
        return self._state.stage in (rules.Stage.CONCLUDED, rules.Stage.ENDED)

    def _continues(self) -> bool:
        # A concluded cycle continues as new with the next one; only an ended plan closes.
        return self._state.stage is rules.Stage.CONCLUDED

    def _stage(self) -> str:
        return self._state.stage.value

    def _next(self, steps: list[StepStatus]) -> StepStatus | None:
        return rules.next_deadline(steps)

    def _due_dates(self) -> Mapping[SearchAttributeKey[datetime], date]:
        return {sa.REVIEW_DUE: self._state.dates().review_due_by}

    @property
    def _ledger_cycle(self) -> int:
        return self._state.cycle

    def _step_details(self, steps: list[StepStatus]) -> dict[str, dict[str, str]]:
        category = rules.outcome(self._state).category.value
        return {s.step: {"category": category} for s in steps}

    def _advice_children(self) -> list[tuple[str, AdviceStart]]:
        """The review's advice requests: due when advice must be circulated (reg 20(4));
        moot once the meeting is held or the cycle is over."""
        cycle = self._state
        due = cycle.dates().advice_circulated_by
        moot = cycle.meeting_held_on is not None or self._finished()
        return [
            advice_child(
                cycle,
                AdviceRequestState(
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
                self._start,
                kind=f"review{cycle.cycle}-{advice.advice_type}",
            )
            for advice in cycle.advice
        ]

    def _wake_on(self, next_alert: date | None) -> date | None:
        """The earlier of the next alert and the day after a cease decision's appeal window."""
        window = self._state.appeal_window_ends()
        if window is None or self._state.appeal_lodged_on is not None:
            return next_alert
        expiry = window + timedelta(days=1)
        return expiry if next_alert is None else min(next_alert, expiry)


async def start_review(start: ReviewStart) -> None:
    """Start a plan's review workflow from the case that made the plan (an issued final plan,
    a plan transferred in): a child that outlives it. One per plan: if it is already running,
    it is left as it is."""
    await start_once(
        ReviewWorkflow.run,
        start,
        id=review_workflow_id(start.cycle.case_ref),
        what="review",
        execution_timeout=None,
        task_timeout=timedelta(seconds=10),
    )
