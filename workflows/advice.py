"""A request for professional advice: a child of the case, ``advice-<ref>-<type>-<n>``.

It holds the adviser's own clock (reg 8), reminds the provider before the date and escalates
to the provider's service manager and the team after it, and shows up in visibility as kind
``advice`` so overdue advice can be listed by provider. The parent case stays the record of
what happened: it sends the child its view of the request whenever that changes
(``CaseWorkflow._sync_advice``).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from statutory.advice import AdviceRequestState
    from statutory.steps import StepStatus
    from workflows.case import ADVICE_SYNC, ADVICE_WORKFLOW, CaseWorkflow, Held
    from workflows.clock import CaseClock
    from workflows.models import AdviceStart, AdviceView


@workflow.defn(name=ADVICE_WORKFLOW)
class AdviceWorkflow(CaseWorkflow[AdviceRequestState, None]):
    #: The parent case reports the request's step to the ledger, with the case's other steps.
    reports = False

    @workflow.init
    def __init__(self, start: AdviceStart) -> None:
        self._start = start
        clock = CaseClock("advice", start.policy, start.alert_hour_utc, start.quiet_until)
        clock.provider = start.request.provider
        super().__init__(clock, start.request)

    @workflow.run
    async def run(self, start: AdviceStart) -> AdviceRequestState:
        await self._keep()
        return self._state

    @workflow.signal(name=ADVICE_SYNC)
    def sync(self, state: AdviceRequestState) -> None:
        """The parent's current view of this request (received, exceptions, closed)."""
        self._state = state
        self._changed = True

    @workflow.query
    def timeline(self) -> AdviceView:
        return AdviceView(
            workflow_id=workflow.info().workflow_id,
            case_ref=self._start.case_ref,
            request=self._state,
            step=self._state.step(self._clock.today(), self._start.policy.amber_days),
            alerts=self._clock.alert_log(),
        )

    # --- the process -------------------------------------------------------------------------

    def _held(self) -> Held:
        # The parent sends the case's caseworker and team now (a reassignment moves them).
        return self._start.model_copy(
            update={
                "caseworker": self._state.caseworker or self._start.caseworker,
                "team": self._state.team or self._start.team,
            }
        )

    def _wake(self) -> list[StepStatus]:
        return [self._state.step(self._clock.today(), self._start.policy.amber_days)]

    def _finished(self) -> bool:
        return self._state.finished

    def _stage(self) -> str:
        return "received" if self._state.received_on else "awaiting-advice"

    def _next(self, steps: list[StepStatus]) -> StepStatus | None:
        return next((s for s in steps if s.state.is_open), None)

    def _listed_as(self, step: StepStatus) -> str:
        return f"advice:{self._state.advice_type}"
