"""The EHC needs-assessment workflow: one per case, ``assessment-<case ref>``.

It holds the case state from ``statutory.assessment``, accepts caseworker events as updates
(validated first, so a bad event is rejected and nothing is written to history), keeps the
search attributes current, and sleeps until the next reminder or escalation is due.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from statutory import assessment as rules
    from statutory.alerts import Alert, AlertMessage, plan
    from statutory.errors import RuleViolation
    from statutory.steps import StepStatus
    from workflows import search_attributes as sa
    from workflows.models import AlertLogEntry, AssessmentStart, AssessmentView, KeyDates

SEND_ALERT = "send_alert"
ALERT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=8,
)


def _rejected(error: RuleViolation) -> ApplicationError:
    return ApplicationError(str(error), type="RuleViolation", non_retryable=True)


@workflow.defn
class AssessmentWorkflow:
    @workflow.init
    def __init__(self, start: AssessmentStart) -> None:
        self._start = start
        today = self._today()
        try:
            case = rules.open_case(start.request, today)
            for event in start.prior_events:
                case = rules.apply(case, event, today, workflow.now())
        except RuleViolation as error:
            raise _rejected(error) from error
        self._case = case
        self._changed = False
        self._alerts: dict[str, AlertLogEntry] = {}
        self._published: dict[str, object] = {}

    # --- clock ---------------------------------------------------------------------------

    def _today(self) -> date:
        return workflow.now().date()

    def _alert_day(self) -> date:
        # An alert day starts at the configured hour, so reminders arrive in working hours.
        return (workflow.now() - timedelta(hours=self._start.alert_hour_utc)).date()

    def _fire_at(self, day: date) -> datetime:
        return datetime.combine(day, time(self._start.alert_hour_utc), tzinfo=UTC)

    # --- main loop -----------------------------------------------------------------------

    @workflow.run
    async def run(self, start: AssessmentStart) -> rules.AssessmentOutcome:
        wf_id = workflow.info().workflow_id
        while True:
            steps = rules.steps(self._case, self._today(), start.policy.amber_days)
            self._publish(steps)
            if self._case.closed:
                break
            due_now, next_on = plan(
                steps, start.policy, self._alert_day(), self._alerts.keys(), wf_id
            )
            by_step = {s.step: s for s in steps}
            for alert in due_now:
                await self._send(alert, by_step[alert.step], wf_id)
            self._changed = False
            timeout = None
            if next_on is not None:
                timeout = max(self._fire_at(next_on) - workflow.now(), timedelta(seconds=1))
            with contextlib.suppress(asyncio.TimeoutError):
                await workflow.wait_condition(lambda: self._changed, timeout=timeout)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return rules.outcome(self._case)

    async def _send(self, alert: Alert, step: StepStatus, wf_id: str) -> None:
        """Run the alert activity; a channel that keeps failing is recorded, never fatal."""
        key = alert.key(wf_id)
        message = AlertMessage(
            idempotency_key=key,
            workflow_id=wf_id,
            case_ref=self._case.case_ref,
            process="assessment",
            kind=alert.kind,
            level=alert.level,
            step=step.step,
            label=step.label,
            regulation=step.regulation,
            due=step.due,
            target=step.target,
            days_left=(step.target - alert.fire_on).days,
            caseworker=self._case.caseworker,
            team=self._case.team,
            scheduled_for=workflow.now(),
        )
        error: str | None = None
        try:
            await workflow.execute_activity(
                SEND_ALERT,
                message,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=ALERT_RETRY,
            )
        except ActivityError as failure:
            error = str(failure.cause or failure)
            workflow.logger.warning("alert not delivered", extra={"key": key})
        self._alerts[key] = AlertLogEntry(
            key=key,
            step=alert.step,
            kind=alert.kind,
            level=alert.level,
            target=alert.target,
            at=workflow.now(),
            delivered=error is None,
            error=error,
        )

    def _publish(self, steps: list[StepStatus]) -> None:
        """Upsert the search attributes that changed (each upsert is a history event)."""
        nxt = rules.next_deadline(steps)
        wanted: dict[str, object] = {
            sa.CASE_REF.name: self._case.case_ref,
            sa.KIND.name: "assessment",
            sa.STAGE.name: self._case.stage.value,
            sa.NEXT_STEP.name: nxt.step if nxt else None,
            sa.NEXT_DEADLINE.name: sa.end_of(nxt.target) if nxt else None,
            sa.CASEWORKER.name: self._case.caseworker,
            sa.TEAM.name: self._case.team,
            sa.FINAL_PLAN_DUE.name: sa.end_of(self._case.dates().final_plan.due),
        }
        keys = {k.name: k for k in sa.ALL}
        updates: list[SearchAttributeUpdate[Any]] = []
        for name, value in wanted.items():
            if self._published.get(name, ...) == value:
                continue
            key = keys[name]
            updates.append(
                key.value_unset() if value is None else key.value_set(value)  # type: ignore[arg-type]
            )
        if updates:
            workflow.upsert_search_attributes(updates)
            self._published.update(wanted)

    # --- caseworker events -----------------------------------------------------------------

    @workflow.update
    def record(self, event: rules.AssessmentEvent) -> AssessmentView:
        """Record what happened; returns the updated timeline."""
        try:
            self._case = rules.apply(self._case, event, self._today(), workflow.now())
        except RuleViolation as error:
            raise _rejected(error) from error
        self._changed = True
        return self.timeline()

    @record.validator
    def _check(self, event: rules.AssessmentEvent) -> None:
        try:
            rules.check(self._case, event, self._today())
        except RuleViolation as error:
            raise _rejected(error) from error

    # --- reading -------------------------------------------------------------------------

    @workflow.query
    def timeline(self) -> AssessmentView:
        """The whole case: request, events, every step's dates and state, alerts sent."""
        today = self._today()
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
            alerts=sorted(self._alerts.values(), key=lambda a: a.at),
            outcome=rules.outcome(self._case) if self._case.closed else None,
        )
