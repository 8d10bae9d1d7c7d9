"""The EHC needs-assessment workflow: one per case, ``assessment-<case ref>``.

It holds the case state from ``statutory.assessment``, accepts caseworker events as updates
(validated first, so a bad event is rejected and nothing is written to history), keeps the
search attributes current, and sleeps until the next reminder or escalation is due
(``workflows.case``). Each request for advice keeps its own clock as a child workflow. When the
final plan is issued it starts the plan's review workflow, which outlives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from temporalio import workflow
from temporalio.common import SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from statutory import assessment as rules
    from statutory import review as review_rules
    from statutory.advice import AdviceRequestState
    from statutory.exceptions import ADVICE_REASONS
    from statutory.ledger import request_record
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.case import CaseWorkflow, Held, advice_child, enforced
    from workflows.clock import CaseClock
    from workflows.models import (
        AdviceStart,
        AssessmentStart,
        AssessmentView,
        KeyDates,
        ReviewStart,
    )
    from workflows.review import start_review


@workflow.defn
class AssessmentWorkflow(CaseWorkflow[rules.AssessmentCase, rules.AssessmentEvent]):
    @workflow.init
    def __init__(self, start: AssessmentStart) -> None:
        self._start = start
        clock = CaseClock("assessment", start.policy, start.alert_hour_utc, start.quiet_until)
        with enforced():
            case = rules.open_case(start.request, clock.today())
        super().__init__(clock, case, start.prior_events)

    @workflow.run
    async def run(self, start: AssessmentStart) -> rules.AssessmentOutcome:
        self._clock.report_request(
            request_record(
                workflow_id=workflow.info().workflow_id,
                case_ref=start.request.case_ref,
                received=start.request.received,
                caseworker=start.request.caseworker,
                team=start.request.team,
            )
        )
        await self._keep()
        outcome = rules.outcome(self._state)
        await self._report_outcome(outcome, outcome.ended_on)
        if self._state.ending is rules.Ending.PLAN_ISSUED:
            await self._start_review()
        return outcome

    # --- caseworker events -----------------------------------------------------------------

    @workflow.update
    def record(self, event: rules.AssessmentEvent) -> AssessmentView:
        """Record what happened; returns the updated timeline."""
        self._record(event)
        return self.timeline()

    @record.validator
    def _check_record(self, event: rules.AssessmentEvent) -> None:
        self._validate(event)

    # --- reading -------------------------------------------------------------------------

    @workflow.query
    def timeline(self) -> AssessmentView:
        """The whole case: request, events, every step's dates and state, alerts sent."""
        today = self._clock.today()
        steps = rules.steps(self._state, today, self._start.policy.amber_days)
        d = self._state.dates()
        return AssessmentView(
            workflow_id=workflow.info().workflow_id,
            as_of=today,
            case=self._state,
            key_dates=KeyDates.of(d),
            steps=steps,
            next_step=rules.next_deadline(steps),
            alerts=self._clock.alert_log(),
            outcome=rules.outcome(self._state) if self._state.closed else None,
        )

    # --- the process -------------------------------------------------------------------------

    _apply = staticmethod(rules.apply)
    _check = staticmethod(rules.check)

    def _held(self) -> Held:
        return self._state

    def _wake(self) -> list[StepStatus]:
        return rules.steps(self._state, self._clock.today(), self._start.policy.amber_days)

    def _finished(self) -> bool:
        return self._state.closed

    def _stage(self) -> str:
        return self._state.stage.value

    def _next(self, steps: list[StepStatus]) -> StepStatus | None:
        # A late advice is listed once, by its own workflow, not again as the case's step.
        return rules.own_next_deadline(steps)

    def _due_dates(self) -> Mapping[SearchAttributeKey[datetime], date]:
        return {sa.FINAL_PLAN_DUE: self._state.dates().final_plan.due}

    def _step_details(self, steps: list[StepStatus]) -> dict[str, dict[str, str]]:
        return {
            f"advice-{a.id}": {"advice_type": a.advice_type.value, "provider": a.provider}
            for a in self._state.advice
        }

    def _notes(self) -> Mapping[str, list[str]]:
        return rules.alert_notes(self._state)

    def _advice_children(self) -> list[tuple[str, AdviceStart]]:
        case = self._state
        return [
            advice_child(
                case,
                AdviceRequestState.of_request(
                    advice,
                    exceptions=(
                        (e.reason, e.start, e.end)
                        for e in case.exceptions
                        if e.reason in ADVICE_REASONS and e.advice_id in (None, advice.id)
                    ),
                    # Set aside (reg 6(4), or withdrawn): its clock stops as if the case had
                    # closed.
                    closed=case.closed or advice.not_needed is not None,
                    caseworker=case.caseworker,
                    team=case.team,
                ),
                self._start,
            )
            for advice in case.advice
        ]

    async def _start_review(self) -> None:
        """The plan now exists: start its annual-review clock (unless it was imported)."""
        case = self._state
        assert case.final_issued_on is not None
        plan = review_rules.PlanRecord(
            case_ref=case.case_ref,
            plan_date=case.final_issued_on,
            caseworker=case.caseworker,
            team=case.team,
            date_of_birth=case.request.date_of_birth,
        )
        await start_review(
            ReviewStart(
                cycle=review_rules.first_cycle(plan, policy=self._start.review_policy),
                policy=self._start.policy,
                alert_hour_utc=self._start.alert_hour_utc,
            )
        )
