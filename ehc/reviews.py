"""Client-side operations on plans' review workflows (the one code path for CLI and import)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from ehc.cases import (
    CaseError,
    CaseSummary,
    cause_message,
    checked_ref,
    list_cases,
    rpc_error,
    start_once,
)
from ehc.settings import Settings
from statutory import review as rules
from statutory.alerts import settling_end
from statutory.errors import RuleViolation
from workflows.models import ReviewStart, ReviewView, review_workflow_id
from workflows.review import ReviewWorkflow


def checked_first_cycle(
    plan: rules.PlanRecord,
    *,
    last_review: date | None,
    transfer: rules.PhaseTransfer | None,
    prior_events: Sequence[rules.ReviewEvent],
    policy: rules.ReviewPolicy,
    today: date,
) -> rules.ReviewCycle:
    """The plan's current cycle before ``prior_events``, having checked that they all apply.

    Raises ``CaseError`` with the reason if anything is wrong; needs no server.
    """
    try:
        if plan.plan_date > today:
            raise RuleViolation(f"the plan date {plan.plan_date} is in the future")
        cycle = rules.first_cycle(plan, last_review=last_review, transfer=transfer, policy=policy)
        if cycle.anchor > today:
            raise RuleViolation(f"the last review {cycle.anchor} is in the future")
        checked = cycle
        for event in prior_events:
            checked = rules.apply(checked, event, today, datetime.now(UTC))
    except RuleViolation as error:
        raise CaseError(f"{plan.case_ref}: {error}") from error
    return cycle


class Reviews:
    def __init__(self, client: Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    async def start(
        self,
        plan: rules.PlanRecord,
        *,
        last_review: date | None = None,
        transfer: rules.PhaseTransfer | None = None,
        prior_events: Sequence[rules.ReviewEvent] = (),
        today: date | None = None,
        settle: bool = True,
    ) -> bool:
        """Start the plan's review workflow; False if the plan already has one.

        ``settle``: hold escalations for the settling period (as ``Assessments.start``).
        """
        today = today or datetime.now(UTC).date()
        cycle = checked_first_cycle(
            plan,
            last_review=last_review,
            transfer=transfer,
            prior_events=prior_events,
            policy=self.settings.review_policy,
            today=today,
        )
        start = ReviewStart(
            cycle=cycle,
            prior_events=list(prior_events),
            policy=self.settings.alert_policy,
            alert_hour_utc=self.settings.alert_hour_utc,
            quiet_until=(
                settling_end(today, self.settings.settling_working_days) if settle else None
            ),
        )
        return await start_once(
            self.client,
            ReviewWorkflow.run,
            start,
            review_workflow_id(plan.case_ref),
            self.settings.task_queue,
        )

    async def record(self, case_ref: str, event: rules.ReviewEvent) -> ReviewView:
        case_ref = checked_ref(case_ref)
        handle: WorkflowHandle[ReviewWorkflow, rules.ReviewOutcome] = (
            self.client.get_workflow_handle(
                review_workflow_id(case_ref), result_type=rules.ReviewOutcome
            )
        )
        try:
            return await handle.execute_update(ReviewWorkflow.record, event)
        except WorkflowUpdateFailedError as error:
            raise CaseError(f"{case_ref}: rejected: {cause_message(error)}") from error
        except RPCError as error:
            raise rpc_error("review", case_ref, error) from error

    async def view(self, case_ref: str, today: date | None = None) -> ReviewView:
        """The plan's current cycle, with its steps rated as of ``today`` (default today)."""
        case_ref = checked_ref(case_ref)
        handle: WorkflowHandle[ReviewWorkflow, rules.ReviewOutcome] = (
            self.client.get_workflow_handle(
                review_workflow_id(case_ref), result_type=rules.ReviewOutcome
            )
        )
        try:
            view = await handle.query(ReviewWorkflow.timeline)
        except RPCError as error:
            raise rpc_error("review", case_ref, error) from error
        today = today or datetime.now(UTC).date()
        steps = rules.steps(view.cycle, today, self.settings.amber_days)
        return view.model_copy(
            update={"as_of": today, "steps": steps, "next_step": rules.next_deadline(steps)}
        )

    async def list(self, **filters: Any) -> list[CaseSummary]:
        return await list_cases(self.client, "review", **filters)
