"""What every case workflow shares: its day, its alerts, its search attributes.

Workflow-side only (uses ``workflow.now()`` and activities). A case workflow owns one
``CaseClock``, asks ``statutory`` for its steps, and lets the clock send what is due, publish
what changed, and sleep until the next alert or event.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributeUpdate
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from statutory.alerts import Alert, AlertMessage, AlertPolicy, plan
    from statutory.ledger import OutcomeRecord, RequestRecord, completed_steps
    from statutory.read_model import CaseView
    from statutory.steps import StepStatus
    from workflows.activity_refs import (
        publish_view,
        record_outcome,
        record_request,
        record_steps,
        send_alert,
    )
    from workflows.models import AlertLogEntry

Payload = TypeVar("Payload")
#: A ledger write is retried until it is written: no last attempt drops it.
LEDGER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
#: The alert activity is retried until it completes (a full or locked outbox is waited out);
#: its channels are retried for CHANNEL_ATTEMPTS attempts, then left due for the re-drive.
ALERT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
CHANNEL_ATTEMPTS = 8
#: Longer than one send (EHC_SMTP_TIMEOUT, at most 10 minutes, RFC 5321 4.5.3.2) and its
#: claim: the activity heartbeats before each send, so a dead worker is noticed after this.
DELIVERY_HEARTBEAT = timedelta(minutes=12)
#: A whole alert: a few recipients on a few channels, each send up to 10 minutes.
ALERT_TIMEOUT = timedelta(hours=2)


class CaseClock:
    def __init__(
        self,
        process: str,
        policy: AlertPolicy,
        alert_hour_utc: int,
        quiet_until: date | None = None,
    ) -> None:
        self.process = process
        self.policy = policy
        self.alert_hour_utc = alert_hour_utc
        self.quiet_until = quiet_until
        """Escalations wait until this day (a newly entered case's settling period)."""
        self.alerts: dict[str, AlertLogEntry] = {}
        self._published: dict[str, object] = {}
        self._reported: set[str] = set()
        self._dispatched: set[str] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self.provider: str | None = None
        """Advice workflows: the provider whose contacts the ladder may name."""
        self.view: CaseView | None = None
        """The case's latest view (the ``view`` query), written or being written."""
        self._view_sent: CaseView | None = None

    # --- the day ---------------------------------------------------------------------------

    @staticmethod
    def today() -> date:
        return workflow.now().date()

    def alert_day(self) -> date:
        # An alert day starts at the configured hour, so reminders arrive in working hours.
        return (workflow.now() - timedelta(hours=self.alert_hour_utc)).date()

    def fire_at(self, day: date) -> datetime:
        return datetime.combine(day, time(self.alert_hour_utc), tzinfo=UTC)

    # --- alerts ----------------------------------------------------------------------------

    def send_due(
        self,
        steps: list[StepStatus],
        case_ref: str,
        caseworker: str,
        team: str,
        notes: Mapping[str, list[str]] | None = None,
    ) -> date | None:
        """Send every alert due now; return the next day another may fall due.

        Alerts go out side by side in the background, so a channel that keeps failing never
        holds up the case's other alerts or its events.
        """
        wf_id = workflow.info().workflow_id
        due_now, next_on = plan(
            steps,
            self.policy,
            self.alert_day(),
            self._dispatched,
            wf_id,
            quiet_until=self.quiet_until,
        )
        by_step = {s.step: s for s in steps}
        for alert in due_now:
            message = self._message(alert, by_step[alert.step], wf_id, case_ref, caseworker, team)
            if notes and notes.get(alert.step):
                message = message.model_copy(update={"notes": notes[alert.step]})
            self._dispatched.add(message.idempotency_key)
            self._in_background(self._deliver(alert, message))
        return next_on

    def _message(
        self,
        alert: Alert,
        step: StepStatus,
        wf_id: str,
        case_ref: str,
        caseworker: str,
        team: str,
    ) -> AlertMessage:
        return AlertMessage(
            idempotency_key=alert.key(wf_id),
            workflow_id=wf_id,
            case_ref=case_ref,
            process=self.process,
            kind=alert.kind,
            level=alert.level,
            step=step.step,
            label=step.label,
            regulation=step.regulation,
            due=step.due,
            target=step.target,
            days_left=(step.target - alert.fire_on).days,
            caseworker=caseworker,
            team=team,
            scheduled_for=workflow.now(),
            provider=self.provider,
            max_attempts=CHANNEL_ATTEMPTS,
        )

    async def _deliver(self, alert: Alert, message: AlertMessage) -> None:
        """Run the alert activity; a channel that keeps failing is recorded, never fatal (its
        messages stay due in the outbox and the re-drive sends them when it is back)."""
        error: str | None = None
        try:
            report = await workflow.execute_activity(
                send_alert,
                message,
                start_to_close_timeout=ALERT_TIMEOUT,
                heartbeat_timeout=DELIVERY_HEARTBEAT,
                retry_policy=ALERT_RETRY,
            )
            if report.failed:
                error = "; ".join(report.failed)
        except ActivityError as failure:
            error = str(failure.cause or failure)
        if error:
            workflow.logger.warning(
                "alert not fully delivered", extra={"key": message.idempotency_key}
            )
        self._log(alert, message, error)

    def _log(self, alert: Alert, message: AlertMessage, error: str | None) -> None:
        self.alerts[message.idempotency_key] = AlertLogEntry(
            key=message.idempotency_key,
            step=alert.step,
            kind=alert.kind,
            level=alert.level,
            target=alert.target,
            at=workflow.now(),
            delivered=error is None,
            error=error,
        )

    async def settle(self) -> None:
        """Wait for alerts still being delivered (before the workflow ends or continues)."""
        await workflow.wait_condition(lambda: not self._in_flight)

    def alert_log(self) -> list[AlertLogEntry]:
        return sorted(self.alerts.values(), key=lambda a: a.at)

    # --- reporting ledger ------------------------------------------------------------------

    def report_steps(
        self,
        steps: list[StepStatus],
        *,
        case_ref: str,
        cycle: int,
        caseworker: str,
        team: str,
        details: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """Write newly completed steps to the ledger in the background: alerts never wait for
        the ledger, and the write is retried until it is made."""
        wf_id = workflow.info().workflow_id
        records = completed_steps(
            steps,
            workflow_id=wf_id,
            case_ref=case_ref,
            process=self.process,
            cycle=cycle,
            caseworker=caseworker,
            team=team,
            details=details,
        )
        new = [r for r in records if r.key not in self._reported]
        if not new:
            return
        keys = {r.key for r in new}
        self._reported.update(keys)  # being written: not offered again
        self._in_background(self._record(record_steps, new, keys))

    def report_request(self, record: RequestRecord) -> None:
        """The request for assessment, written in the background (alerts go out meanwhile):
        SEN2 counts requests received."""
        self._in_background(self._record(record_request, record, {record.key}))

    async def report_outcome(self, record: OutcomeRecord) -> None:
        """The cycle's last write: awaited, so the run ends only once it is in the ledger."""
        await self._record(record_outcome, record, {record.key})

    async def _record(
        self, write: Callable[[Payload], object], payload: Payload, keys: set[str]
    ) -> None:
        """Write to the ledger, retried until written (LEDGER_RETRY has no last attempt).

        Only a failure marked non-retryable ends it: logged, and completed steps are offered
        again on the next wake; never fatal to the case.
        """
        if not await _written(write, payload):
            self._reported.difference_update(keys)
            workflow.logger.error("not written to the ledger", extra={"keys": sorted(keys)})

    # --- read model --------------------------------------------------------------------------

    def publish_view(self, view: CaseView) -> None:
        """Write the case's view to the read model in the background, when it says something
        the last one sent did not; retried until written. Writes may land in any order: the
        writer keeps the view with the larger version."""
        self.view = view
        if view.same_case_as(self._view_sent):
            return
        self._view_sent = view
        self._in_background(self._write_view(view))

    async def _write_view(self, view: CaseView) -> None:
        if not await _written(publish_view, view):
            # Only a non-retryable failure ends the retries: offer the view again next wake.
            if self._view_sent is view:
                self._view_sent = None
            workflow.logger.error("view not written to the read model")

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` beside the case (alerts side by side, ledger writes); ``settle`` waits
        for it before the run ends."""
        task = asyncio.create_task(work)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    # --- search attributes -----------------------------------------------------------------

    def publish(self, wanted: Mapping[SearchAttributeKey[Any], object]) -> None:
        """Upsert the search attributes that changed (each upsert is a history event)."""
        updates: list[SearchAttributeUpdate[Any]] = []
        for key, value in wanted.items():
            if self._published.get(key.name, ...) == value:
                continue
            updates.append(key.value_unset() if value is None else key.value_set(value))
            self._published[key.name] = value
        if updates:
            workflow.upsert_search_attributes(updates)

    # --- waiting ---------------------------------------------------------------------------

    async def sleep(self, until: date | None, woken: Callable[[], bool]) -> None:
        """Wait for ``woken()`` or for the alert hour of ``until`` (None: only ``woken``)."""
        timeout = None
        if until is not None:
            timeout = max(self.fire_at(until) - workflow.now(), timedelta(seconds=1))
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(woken, timeout=timeout)


async def _written(write: Callable[[Payload], object], payload: Payload) -> bool:
    """Run a ledger or read-model write, retried until written (LEDGER_RETRY has no last
    attempt); False only when a failure marked non-retryable ended it."""
    try:
        await workflow.execute_activity(
            write,
            payload,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=LEDGER_RETRY,
        )
    except ActivityError:
        return False
    return True
