"""A request for professional advice: a child of the case, ``advice-<ref>-<type>-<n>``.

It holds the adviser's own clock (reg 8), reminds the provider before the date and escalates
to the provider's service manager and the team after it, and shows up in visibility as kind
``advice`` so overdue advice can be listed by provider. The parent case stays the record of
what happened: it sends the child its view of the request whenever that changes.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from statutory.advice import AdviceRequestState
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.clock import CaseClock
    from workflows.models import AdviceStart, AdviceView

#: Each advice request runs as a child workflow with its own clock.
ADVICE_CHILDREN_PATCH = "advice-child-workflows"


@workflow.defn
class AdviceWorkflow:
    @workflow.init
    def __init__(self, start: AdviceStart) -> None:
        self._start = start
        self._state = start.request
        self._clock = CaseClock("advice", start.policy, start.alert_hour_utc, start.quiet_until)
        self._clock.provider = start.request.provider
        self._changed = False

    @workflow.run
    async def run(self, start: AdviceStart) -> AdviceRequestState:
        while True:
            # Consume changes before reading the state, so none arriving later is missed.
            self._changed = False
            step = self._state.step(self._clock.today(), start.policy.amber_days)
            self._publish(step)
            if self._state.finished:
                break
            next_on = await self._clock.send_due(
                [step], start.case_ref, self._caseworker(), self._team()
            )
            await self._clock.sleep(next_on, lambda: self._changed)
        await self._clock.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    def _publish(self, step: StepStatus) -> None:
        open_ = step.state.is_open
        self._clock.publish(
            {
                sa.CASE_REF: self._start.case_ref,
                sa.KIND: "advice",
                sa.STAGE: "received" if self._state.received_on else "awaiting-advice",
                sa.NEXT_STEP: f"advice:{self._state.advice_type}" if open_ else None,
                sa.NEXT_DEADLINE: sa.end_of(step.target) if open_ else None,
                sa.CASEWORKER: self._caseworker(),
                sa.TEAM: self._team(),
            }
        )

    def _caseworker(self) -> str:
        return self._state.caseworker or self._start.caseworker

    def _team(self) -> str:
        return self._state.team or self._start.team

    @workflow.signal
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


class AdviceChildren:
    """A case's advice requests as child workflows: start each once, then send what changed.

    Used from inside a parent workflow's run loop.
    """

    def __init__(self) -> None:
        self._sent: dict[str, AdviceRequestState] = {}

    async def sync(self, wanted: list[tuple[str, AdviceStart]]) -> None:
        for child_id, start in wanted:
            known = self._sent.get(child_id)
            if known is None:
                try:
                    await workflow.start_child_workflow(
                        AdviceWorkflow.run,
                        start,
                        id=child_id,
                        # The advice clock finishes on its own when told the case moved on.
                        parent_close_policy=ParentClosePolicy.ABANDON,
                    )
                except WorkflowAlreadyStartedError:
                    workflow.logger.info("advice workflow already running")
            elif known != start.request and not known.finished:
                await workflow.get_external_workflow_handle(child_id).signal(
                    AdviceWorkflow.sync, start.request
                )
            self._sent[child_id] = start.request
