"""Client-side operations on plans' review workflows (the one code path for CLI and import)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from ehc.cases import CaseService, WorkflowAccess, refused_by_rules
from statutory import review as rules
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
    with refused_by_rules(plan.case_ref):
        if plan.plan_date > today:
            raise RuleViolation(f"the plan date {plan.plan_date} is in the future")
        cycle = rules.first_cycle(plan, last_review=last_review, transfer=transfer, policy=policy)
        if cycle.anchor > today:
            raise RuleViolation(f"the last review {cycle.anchor} is in the future")
        checked = cycle
        for event in prior_events:
            checked = rules.apply(checked, event, today, datetime.now(UTC))
    return cycle


class Reviews(CaseService[rules.ReviewEvent, ReviewView]):
    kind = "review"
    workflow = WorkflowAccess(
        review_workflow_id, rules.ReviewOutcome, ReviewWorkflow.record, ReviewWorkflow.timeline
    )

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
            quiet_until=self._quiet_until(today, settle),
        )
        return await self._start(ReviewWorkflow.run, start, review_workflow_id(plan.case_ref))

    async def _as_of(self, view: ReviewView, today: date) -> ReviewView:
        steps = rules.steps(view.cycle, today, self.settings.amber_days)
        return view.model_copy(
            update={"as_of": today, "steps": steps, "next_step": rules.next_deadline(steps)}
        )
