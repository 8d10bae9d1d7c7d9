"""The shell every case workflow shares: its run loop, its ``record`` update, its outcome.

An assessment, a plan's review cycle and a request for advice are kept the same way: apply the
caseworker's events, publish the search attributes, report completed steps to the ledger,
write the case's view to the read model when it changed, start or update the advice children,
send what is due, and sleep until the next alert day or event. A ``CaseWorkflow`` subclass (the
``@workflow.defn`` class) supplies only its process: how an event is checked and applied, its
steps, what it shows in visibility and the read model, its children, and what happens when it
ends (its ``run``).

Temporal registers a workflow's handlers from its own class and reads their payload types from
their annotations, so each subclass declares ``run``, ``record`` (with its validator) and
``timeline`` itself, typed for its process, and delegates to the methods here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from statutory.advice import AdviceRequestState
    from statutory.alerts import AlertPolicy
    from statutory.errors import RuleViolation
    from statutory.ledger import OutcomeRecord
    from statutory.process import is_advice_request
    from statutory.read_model import CaseView, case_view
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.children import start_once
    from workflows.clock import CaseClock
    from workflows.models import AdviceStart, advice_workflow_id

#: The advice workflow's type and its signal (``workflows.advice``), named here because the
#: advice workflow is itself built on this shell.
ADVICE_WORKFLOW = "AdviceWorkflow"
ADVICE_SYNC = "sync"

State = TypeVar("State")
Event = TypeVar("Event")


class Held(Protocol):
    """Whose case it is now: what alerts, the ledger and visibility name."""

    @property
    def case_ref(self) -> str: ...

    @property
    def caseworker(self) -> str: ...

    @property
    def team(self) -> str: ...


class AdviceSettings(Protocol):
    """A case's start input, as far as its advice children need it."""

    @property
    def advice_policy(self) -> AlertPolicy: ...

    @property
    def alert_hour_utc(self) -> int: ...

    @property
    def quiet_until(self) -> date | None: ...


def advice_child(
    held: Held, request: AdviceRequestState, settings: AdviceSettings, kind: str | None = None
) -> tuple[str, AdviceStart]:
    """A request for advice's own workflow, as ``CaseWorkflow._advice_children`` lists it: its
    id (``kind`` names it, default the advice type) and its start input."""
    return (
        advice_workflow_id(held.case_ref, kind or request.advice_type, request.advice_id),
        AdviceStart(
            case_ref=held.case_ref,
            caseworker=held.caseworker,
            team=held.team,
            request=request,
            policy=settings.advice_policy,
            alert_hour_utc=settings.alert_hour_utc,
            quiet_until=settings.quiet_until,
        ),
    )


def rejected(error: RuleViolation) -> ApplicationError:
    """A rule's refusal as the workflow's answer: its one sentence, never retried."""
    return ApplicationError(str(error), type="RuleViolation", non_retryable=True)


@contextlib.contextmanager
def enforced() -> Iterator[None]:
    """Raise what the rules refuse as ``rejected``: the event, or the start, fails."""
    try:
        yield
    except RuleViolation as error:
        raise rejected(error) from error


class CaseWorkflow(Generic[State, Event]):
    """One case's clock: its state, kept by ``_keep`` until the process is finished."""

    #: Completed steps and the outcome go to the reporting ledger (an advice request's step is
    #: reported by its parent case).
    reports: ClassVar[bool] = True

    def __init__(self, clock: CaseClock, state: State, prior_events: Sequence[Event] = ()) -> None:
        self._clock = clock
        with enforced():
            for event in prior_events:
                state = self._apply(state, event, clock.today(), workflow.now())
        self._state = state
        self._changed = False
        self._children: dict[str, AdviceRequestState] = {}

    # --- what each process supplies ----------------------------------------------------------

    _apply: Callable[[State, Event, date, datetime], State]
    """The state after an event (the process's ``apply``); raises ``RuleViolation``."""
    _check: Callable[[State, Event, date], None]
    """Raise ``RuleViolation`` if an event cannot happen now (the process's ``check``)."""

    def _held(self) -> Held:
        raise NotImplementedError

    def _wake(self) -> list[StepStatus]:
        """Bring the state up to today; its steps as they stand."""
        raise NotImplementedError

    def _finished(self) -> bool:
        raise NotImplementedError

    def _stage(self) -> str:
        raise NotImplementedError

    def _next(self, steps: list[StepStatus]) -> StepStatus | None:
        """The step published as the case's next deadline."""
        raise NotImplementedError

    def _listed_as(self, step: StepStatus) -> str:
        """The next step's name in visibility (``EhcNextStep``)."""
        return step.step

    def _due_dates(self) -> Mapping[SearchAttributeKey[datetime], date]:
        """The process's own date attributes (the final plan's, the review's)."""
        return {}

    @property
    def _ledger_cycle(self) -> int:
        """The cycle the ledger files steps and outcomes under (0: a process with none)."""
        return 0

    def _step_details(self, steps: list[StepStatus]) -> dict[str, dict[str, str]] | None:
        """Detail the ledger keeps beside each completed step."""
        return None

    def _advice_children(self) -> list[tuple[str, AdviceStart]]:
        """Each request for advice the case keeps as a child workflow, as it stands now."""
        return []

    def _notes(self) -> Mapping[str, list[str]] | None:
        """Lines to add to a step's alerts."""
        return None

    def _wake_on(self, next_alert: date | None) -> date | None:
        """When to wake, given the next alert day (None: only for an event)."""
        return next_alert

    def _continues(self) -> bool:
        """Whether the case goes on in a new run once this one is finished (a plan's next
        review cycle): its view then stays open."""
        return False

    # --- the run loop ------------------------------------------------------------------------

    async def _keep(self) -> None:
        """Keep the case until its process is finished, then let every alert, ledger write
        and handler in flight complete."""
        while True:
            # Consume changes before reading the state, so none arriving later is missed.
            self._changed = False
            steps = self._wake()
            self._publish(steps)
            if self.reports:
                held = self._held()
                self._clock.report_steps(
                    steps,
                    case_ref=held.case_ref,
                    cycle=self._ledger_cycle,
                    caseworker=held.caseworker,
                    team=held.team,
                    details=self._step_details(steps),
                )
            self._clock.publish_view(self._view(steps))
            await self._sync_advice()
            if self._finished():
                break
            held = self._held()  # again: an update may have reassigned the case meanwhile
            next_on = self._clock.send_due(
                # Advice requests keep their own clocks (and alert their providers); the
                # review's duty to circulate advice (reg 20(4)) stays on this one.
                [s for s in steps if not is_advice_request(s.step)],
                held.case_ref,
                held.caseworker,
                held.team,
                notes=self._notes(),
            )
            await self._clock.sleep(self._wake_on(next_on), lambda: self._changed)
        # Once more as it ends (sent only if an event changed it since the loop's last view).
        self._clock.publish_view(self._view(self._wake()))
        await self._clock.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _publish(self, steps: list[StepStatus]) -> None:
        held, nxt = self._held(), self._next(steps)
        wanted: dict[SearchAttributeKey[Any], object] = {
            sa.CASE_REF: held.case_ref,
            sa.KIND: self._clock.process,
            sa.STAGE: self._stage(),
            sa.NEXT_STEP: self._listed_as(nxt) if nxt else None,
            sa.NEXT_DEADLINE: sa.end_of(nxt.target) if nxt else None,
            sa.CASEWORKER: held.caseworker,
            sa.TEAM: held.team,
        }
        wanted.update({key: sa.end_of(day) for key, day in self._due_dates().items()})
        self._clock.publish(wanted)

    def _view(self, steps: list[StepStatus]) -> CaseView:
        """The case as the read model holds it: what visibility shows, and every step."""
        held, nxt = self._held(), self._next(steps)
        dates = self._due_dates()
        return case_view(
            workflow_id=workflow.info().workflow_id,
            case_ref=held.case_ref,
            kind=self._clock.process,
            cycle=self._ledger_cycle,
            stage=self._stage(),
            caseworker=held.caseworker,
            team=held.team,
            is_open=not self._finished() or self._continues(),
            steps=steps,
            next_step=nxt,
            next_name=self._listed_as(nxt) if nxt else None,
            provider=self._clock.provider,
            review_due=dates.get(sa.REVIEW_DUE),
            final_plan_due=dates.get(sa.FINAL_PLAN_DUE),
            # Larger for every later view of this run: the writer keeps the newest.
            version=workflow.info().get_current_history_length(),
            updated_at=workflow.now(),
        )

    @workflow.query
    def view(self) -> CaseView | None:
        """The case's latest view, as written to the read model (``ehc db reconcile``)."""
        return self._clock.view

    async def _sync_advice(self) -> None:
        """Start a child for each new request for advice; send each open child what changed."""
        for child_id, start in self._advice_children():
            known = self._children.get(child_id)
            if known is None:
                # The advice clock finishes on its own when told the case moved on.
                await start_once(ADVICE_WORKFLOW, start, id=child_id, what="advice")
            elif known != start.request and not known.finished:
                await workflow.get_external_workflow_handle(child_id).signal(
                    ADVICE_SYNC, start.request
                )
            self._children[child_id] = start.request

    # --- caseworker events and the outcome ---------------------------------------------------

    def _record(self, event: Event) -> None:
        """The ``record`` update: apply the event and wake the loop."""
        with enforced():
            self._state = self._apply(self._state, event, self._clock.today(), workflow.now())
        self._changed = True

    def _validate(self, event: Event) -> None:
        """The ``record`` validator: a refused event is rejected before it reaches history."""
        with enforced():
            self._check(self._state, event, self._clock.today())

    async def _report_outcome(self, outcome: BaseModel, ended_on: date) -> None:
        """The outcome to the ledger: the run's last write, awaited."""
        wf_id, held = workflow.info().workflow_id, self._held()
        await self._clock.report_outcome(
            OutcomeRecord(
                key=f"{wf_id}:{self._ledger_cycle}:outcome",
                workflow_id=wf_id,
                case_ref=held.case_ref,
                process=self._clock.process,
                cycle=self._ledger_cycle,
                ended_on=ended_on,
                caseworker=held.caseworker,
                team=held.team,
                outcome=outcome.model_dump(mode="json"),
            )
        )
