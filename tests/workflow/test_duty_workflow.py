"""The duty clocks (re-assessment, Tribunal order, transfer out and in, appeal) on the
time-skipping server: each reminder and escalation on the day the alert policy gives, each
ending, and what an ending starts.

The default policy (``statutory.alerts.AlertPolicy``): reminders 14 and 3 days before a step's
target, escalations 1 and 14 days after a missed duty; planning and guidance dates are only
reminded. An alert falls due at the alert hour (08:00 UTC) and a case's events are recorded at
midday, so an alert due on the day of an event is sent before it.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.ledger import Ledger
from activities.outbox import Outbox
from ehc.read_model import ReadModel
from statutory import clocks as rules
from statutory.assessment import AdviceType
from statutory.dates import months_after
from statutory.steps import StepState

# The process's cache of bank holidays, emptied so a workflow has to work them out itself.
from statutory.working_days import _bank_holidays, is_working_day
from tests.conftest import HISTORIES
from tests.workflow.helpers import STARTED, quiescent, running_worker
from workflows.advice import AdviceWorkflow
from workflows.duty import DutyWorkflow
from workflows.models import (
    DutyStart,
    DutyView,
    advice_workflow_id,
    duty_workflow_id,
    review_workflow_id,
)
from workflows.review import ReviewWorkflow

#: An alert as the outbox holds it, once per alert (not per recipient): its step, kind,
#: level, and the day of the case (0: the day the clock opened) it was sent on.
Sent = tuple[str, str, int, int]


def new_ref() -> str:
    return f"DC-{random.randrange(10**8):08d}"


class Duty:
    """One duty-clock case, driven through simulated days counted from ``day0``."""

    def __init__(self, env: WorkflowEnvironment, workflow_id: str, day0: date) -> None:
        self.env, self.day0 = env, day0
        self.handle: WorkflowHandle[DutyWorkflow, rules.ClockOutcome] = (
            env.client.get_workflow_handle_for(DutyWorkflow.run, workflow_id)
        )
        STARTED.append(workflow_id)

    @property
    def id(self) -> str:
        return self.handle.id

    def day(self, n: int) -> date:
        return self.day0 + timedelta(days=n)

    def day_of(self, day: date) -> int:
        return (day - self.day0).days

    async def until(self, n: int) -> None:
        """Let simulated time run to midday of day ``n``."""
        target = datetime.combine(self.day(n), time(12), UTC)
        await self.env.sleep(target - await self.env.get_current_time())

    async def act(self, n: int, action: str, choice: str | None = None) -> DutyView:
        """Record ``action`` on day ``n`` (now)."""
        event = rules.ActionRecorded(on=self.day(n), action=action, choice=choice)
        return await self.record(event)

    async def record(self, event: rules.ClockEvent) -> DutyView:
        return await self.handle.execute_update(DutyWorkflow.record, event)

    async def view(self) -> DutyView:
        return await self.handle.query(DutyWorkflow.timeline)

    def sent(self, outbox: Outbox) -> set[Sent]:
        return sent(outbox, self.id, self.day0)

    async def record_history(self, name: str) -> None:
        """Keep the run's history as a replay fixture (docs/CONTRIBUTING.md)."""
        if os.environ.get("EHC_RECORD_HISTORIES"):
            history = await self.handle.fetch_history()
            (HISTORIES / f"{name}.json").write_text(history.to_json())


def sent(outbox: Outbox, workflow_id: str, day0: date) -> set[Sent]:
    """The alerts one workflow wrote to the outbox, each once (whoever it went to)."""
    rows = [r for r in outbox.messages() if r["workflow_id"] == workflow_id]
    return {
        (r["step"], r["kind"], r["level"], (r["scheduled_for"].date() - day0).days) for r in rows
    }


async def open_duty(
    env: WorkflowEnvironment, queue: str, start: rules.ClockStart, day0: date
) -> Duty:
    declared = rules.declaration(start.process)
    opened = next(start.dates[n] for n in declared.opens_on if n in start.dates)
    workflow_id = duty_workflow_id(start.process, start.case_ref, opened, start.variant)
    duty = Duty(env, workflow_id, day0)
    await env.client.start_workflow(
        DutyWorkflow.run, DutyStart(start=start), id=workflow_id, task_queue=queue
    )
    return duty


def clock_start(
    process: str, ref: str, variant: str | None = None, **dates: date
) -> rules.ClockStart:
    return rules.ClockStart(
        process=process,
        variant=variant,
        case_ref=ref,
        caseworker="cw301",
        team="east",
        dates={name.replace("_", "-"): day for name, day in dates.items()},
    )


async def ends_on_its_own(env: WorkflowEnvironment, case: Duty) -> rules.ClockOutcome:
    """The outcome of a case that ends when a date passes, the server's clock running until
    it does. Not ``env.sleep``: on the Java test server a sleep past the end of a child whose
    parent has closed never returns (temporalio/sdk-java#2392)."""
    await env.client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())
    try:
        return await case.handle.result()
    finally:
        await env.client.test_service.lock_time_skipping(LockTimeSkippingRequest())


def follow_on(env: WorkflowEnvironment, process: str, ref: str, variant: str, on: date) -> Duty:
    """The case an ending opened, on the day it was recorded."""
    return Duty(env, duty_workflow_id(process, ref, on, variant), on)


async def env_today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).date()


def case_events(history: WorkflowHistory) -> list[str]:
    """History events other than workflow-task bookkeeping (which the Java test server writes
    even for a rejected update)."""
    names = [EventType.Name(e.event_type) for e in history.events]
    return [n for n in names if not n.startswith("EVENT_TYPE_WORKFLOW_TASK_")]


def outcome_row(outbox: Outbox, workflow_id: str) -> dict[str, Any]:
    [row] = [r for r in Ledger(outbox.engine).outcomes() if r["workflow_id"] == workflow_id]
    return row


# --- re-assessment (regs 24-27) ----------------------------------------------------------


async def test_a_reassessment_is_reminded_then_escalated_when_the_14_week_plan_is_missed(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    ref = new_ref()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        case = await open_duty(env, queue, clock_start("reassessment", ref, requested=d0), d0)
        advice = env.client.get_workflow_handle_for(
            AdviceWorkflow.run, advice_workflow_id(ref, AdviceType.EDUCATIONAL.value, 1)
        )
        STARTED.append(advice.id)
        assert (await case.view()).key_dates == {"decide_by": case.day(15)}

        await case.until(10)
        decided = await case.act(10, "decided", "reassess")
        # reg 27(2): 14 weeks from the notice of the decision to re-assess.
        assert decided.key_dates == {"decide_by": case.day(15), "final_plan_by": case.day(108)}
        asked = await case.record(
            rules.AdviceRequested(
                on=case.day(10), advice_type=AdviceType.EDUCATIONAL, provider="Current school"
            )
        )
        assert [s.step for s in asked.steps] == [
            "decide-to-reassess",
            "reassessment-plan",
            "advice-1",
        ]
        await quiescent(advice)  # the request's own clock runs beside the case
        await case.until(50)
        await case.record(rules.AdviceReceived(on=case.day(50), advice_id=1))
        advised = await advice.result()

        await case.until(125)
        late = await case.view()
        await case.act(125, "plan-issued", "amended")
        outcome = await case.handle.result()
        await case.record_history("duty_reassessment_plan_issued")

    assert late.next_step is not None and late.next_step.step == "reassessment-plan"
    assert late.next_step.state is StepState.OVERDUE
    assert case.sent(outbox) == {
        # reg 25(1): decide within 15 days; decided on day 10, so only the first reminder.
        ("decide-to-reassess", "reminder", 14, 1),
        # reg 27(2): the plan by day 108, issued on day 125.
        ("reassessment-plan", "reminder", 14, 94),
        ("reassessment-plan", "reminder", 3, 105),
        ("reassessment-plan", "escalation", 1, 109),
        ("reassessment-plan", "escalation", 2, 122),
    }
    # reg 8(1) via reg 26: 6 weeks from the adviser's receipt (day 52), reminded a week before.
    assert sent(outbox, advice.id, d0) == {("advice", "reminder", 7, 45)}
    assert advised.received_on == case.day(50)

    assert (outcome.ending, outcome.ended_on, outcome.in_time) == (
        "plan-issued",
        case.day(125),
        False,
    )
    assert outcome.steps["decide-to-reassess"].state is StepState.MET
    assert outcome.steps["reassessment-plan"].state is StepState.LATE
    assert outcome.steps["advice-1"].done_on == case.day(50)
    row = outcome_row(outbox, case.id)
    assert (row["process"], row["outcome"]["in_time"]) == ("reassessment", False)
    steps = {r["step"]: r for r in Ledger(outbox.engine).steps(case_ref=ref)}
    assert steps["decide-to-reassess"]["met"] is True
    assert steps["reassessment-plan"]["met"] is False
    assert steps["advice-1"]["detail"] == {
        "advice_type": "educational",
        "provider": "Current school",
    }


async def test_a_refused_reassessment_opens_an_appeal_window_that_lapses_after_2_months(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    ref = new_ref()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        case = await open_duty(env, queue, clock_start("reassessment", ref, requested=d0), d0)
        appeal = follow_on(env, "appeal", ref, "refusal-to-reassess", case.day(5))
        await case.until(5)
        await case.act(5, "decided", "refuse")
        refused = await case.handle.result()
        await case.record_history("duty_reassessment_refused")

        # Tribunal rules r20(1): 2 months from the decision notice.
        closes = months_after(case.day(5), 2)
        await quiescent(appeal.handle)
        opened = await appeal.view()
        await appeal.until(appeal.day_of(closes))
        open_on_last_day = await appeal.view()
        lapsed = await ends_on_its_own(env, appeal)
        await appeal.record_history("duty_appeal_lapse")

    assert (refused.ending, refused.in_time) == ("refused", True)
    assert case.sent(outbox) == {("decide-to-reassess", "reminder", 14, 1)}

    assert opened.case.variant == "refusal-to-reassess"
    assert opened.case.dates == {"notice": case.day(5)}
    assert opened.case.start.detail == {"arose_from": "reassessment"}
    assert opened.key_dates == {"appeal_by": closes}
    assert open_on_last_day.outcome is None
    # The window is a planning date: reminded, never escalated; unused, it ends the case the
    # day after it closed.
    last = appeal.day_of(closes)
    assert appeal.sent(outbox) == {
        ("appeal-window", "reminder", 14, last - 14),
        ("appeal-window", "reminder", 3, last - 3),
    }
    assert (lapsed.ending, lapsed.ended_on, lapsed.in_time) == (
        "not-appealed",
        closes + timedelta(days=1),
        None,
    )
    assert outcome_row(outbox, appeal.id)["process"] == "appeal"


async def test_an_event_the_rules_refuse_is_rejected_and_not_written_to_history(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        case = await open_duty(env, queue, clock_start("reassessment", new_ref(), requested=d0), d0)
        await case.act(0, "decided", "reassess")
        await quiescent(case.handle)
        before = await case.view()
        events_before = case_events(await case.handle.fetch_history())

        with pytest.raises(WorkflowUpdateFailedError) as twice:
            await case.act(0, "decided", "refuse")
        cause = twice.value.cause
        assert isinstance(cause, ApplicationError)
        assert cause.message == (
            f"'Decision whether to re-assess notified' was already recorded on {d0.day} {d0:%b %Y}"
        )
        with pytest.raises(WorkflowUpdateFailedError) as unknown:
            await case.act(0, "transferred")
        assert "has no action 'transferred'" in str(unknown.value.cause)

        after = await case.view()
        events_after = case_events(await case.handle.fetch_history())

    assert events_after == events_before
    assert after.case == before.case


# --- complying with a Tribunal order (regs 44-45) ------------------------------------------


async def test_an_order_to_make_a_plan_reminds_and_escalates_the_draft_and_the_final_plan(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    read_model = ReadModel(outbox.engine, migrate=False)
    ref = new_ref()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        start = clock_start("tribunal-order", ref, "make-plan", order=d0)
        case = await open_duty(env, queue, start, d0)
        await quiescent(case.handle)
        first = read_model.case(case.id)
        # reg 44(2)(c): a draft within 5 weeks, the final plan within 11.
        assert (await case.view()).key_dates == {
            "draft_by": case.day(35),
            "final_plan_by": case.day(77),
        }

        await case.until(40)
        await case.act(40, "draft-issued")
        await case.until(80)
        await case.act(80, "plan-issued")
        outcome = await case.handle.result()
        await case.record_history("duty_tribunal_order")

    assert first is not None
    assert (first.kind, first.stage, first.is_open) == ("tribunal-order", "order-draft", True)
    assert (first.next_step, first.next_due) == ("order-draft", case.day(35))
    done = read_model.case(case.id)
    assert done is not None and (done.kind, done.stage, done.is_open) == (
        "tribunal-order",
        "closed",
        False,
    )

    assert case.sent(outbox) == {
        ("order-draft", "reminder", 14, 21),
        ("order-draft", "reminder", 3, 32),
        ("order-draft", "escalation", 1, 36),  # issued on day 40, before the second
        ("order-plan", "reminder", 14, 63),
        ("order-plan", "reminder", 3, 74),
        ("order-plan", "escalation", 1, 78),
    }
    assert (outcome.ending, outcome.variant, outcome.in_time) == ("complied", "make-plan", False)
    row = outcome_row(outbox, case.id)
    assert row["process"] == "tribunal-order"
    assert (row["outcome"]["ending"], row["outcome"]["in_time"]) == ("complied", False)
    assert row["outcome"]["steps"]["order-draft"]["state"] == "late"


# --- transfer of a plan between councils (reg 15) ----------------------------------------


def working_day(start: date, n: int) -> date:
    """The ``n``th working day beginning with ``start``, counted here day by day."""
    days = [start + timedelta(days=k) for k in range(60)]
    return [d for d in days if is_working_day(d)][n - 1]


async def test_a_transfer_out_is_due_15_working_days_after_the_council_learnt_of_the_move(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    # No bank holiday known to this process yet: the workflow must work them out itself.
    _bank_holidays.cache_clear()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        # The family moves in 3 days: later than the move, 15 working days from learning of it.
        start = clock_start("transfer-out", new_ref(), aware=d0, move=d0 + timedelta(days=3))
        case = await open_duty(env, queue, start, d0)
        key_dates = (await case.view()).key_dates
        last = case.day_of(key_dates["transfer_by"])
        await case.until(last + 2)
        await case.act(last + 2, "transferred")
        outcome = await case.handle.result()
        await case.record_history("duty_transfer_out")

    assert key_dates == {"transfer_by": working_day(d0, 15)}  # reg 15(2)
    assert case.sent(outbox) == {
        ("transfer-plan", "reminder", 14, last - 14),
        ("transfer-plan", "reminder", 3, last - 3),
        ("transfer-plan", "escalation", 1, last + 1),
    }
    assert (outcome.ending, outcome.in_time) == ("transferred", False)
    assert outcome_row(outbox, case.id)["process"] == "transfer-out"


async def test_a_plan_transferred_in_starts_its_review_clock_from_the_reg_15_5_date(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    ref = new_ref()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        made = d0 - timedelta(days=300)
        case = await open_duty(
            env, queue, clock_start("transfer-in", ref, transfer=d0, plan=made), d0
        )
        review = env.client.get_workflow_handle_for(ReviewWorkflow.run, review_workflow_id(ref))
        STARTED.append(review.id)
        await quiescent(case.handle)  # it has started the review before it sleeps
        await quiescent(review)
        cycle = await review.query(ReviewWorkflow.timeline)
        await case.until(40)
        await case.act(40, "family-notified")
        outcome = await case.handle.result()
        await case.record_history("duty_transfer_in")
        review_status = (await review.describe()).status

    # reg 15(5): 12 months from the plan (day 65) or 3 months from the transfer, if later.
    review_due = months_after(d0, 3)
    assert months_after(made, 12) < review_due
    assert cycle.cycle.due_by == review_due
    assert cycle.key_dates.review_due_by == review_due
    assert (cycle.cycle.anchor, cycle.cycle.plan.plan_date) == (made, made)
    assert review_status is WorkflowExecutionStatus.RUNNING  # the plan's clock goes on

    # reg 15(4): tell the family within 6 weeks (day 42); told on day 40.
    assert case.sent(outbox) == {
        ("notify-family", "reminder", 14, 28),
        ("notify-family", "reminder", 3, 39),
    }
    assert (outcome.ending, outcome.in_time) == ("notified", True)
    assert outcome.steps["notify-family"].state is StepState.MET


# --- appeals (CFA s51; regs 32-45) -------------------------------------------------------


async def test_a_registered_appeal_does_not_lapse_and_its_upheld_amend_order_starts_a_clock(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    ref = new_ref()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        case = await open_duty(env, queue, clock_start("appeal", ref, "contents", notice=d0), d0)
        await case.until(3)
        wanted = await case.act(3, "mediation-wanted", "education")
        # reg 37: mediation within 30 days of the council being told.
        assert wanted.key_dates["mediation_by"] == case.day(33)
        await case.until(25)
        await case.act(25, "mediation-held")
        await case.until(28)
        await case.act(28, "appeal-registered")

        closes = case.day_of(months_after(d0, 2))
        await case.until(closes + 5)
        registered = await case.view()
        decided_on = closes + 6
        await case.until(decided_on)
        await case.act(decided_on, "decided", "amend")
        upheld = await case.handle.result()

        order = follow_on(env, "tribunal-order", ref, "amend", case.day(decided_on))
        await quiescent(order.handle)
        opened = await order.view()
        await order.until(30)
        await order.act(30, "plan-issued")
        complied = await order.handle.result()

    assert registered.outcome is None  # past the window, the registered appeal stays open
    assert upheld.ending == "upheld" and upheld.in_time is None
    assert upheld.steps["appeal-window"].done_on == case.day(28)
    # Mediation held on day 25, before the second reminder; the window needed none. The
    # mediation adviser's certificate (3 working days, regs 34, 39) is guidance: reminded
    # from the day its clock started (only the latest reminder reached), never escalated.
    certificate = case.day_of(working_day(case.day(25), 3))
    reminders = {("mediation-certificate", "reminder", 3, max(certificate - 3, 25))}
    if certificate - 3 > 25:
        reminders.add(("mediation-certificate", "reminder", 14, 25))
    assert case.sent(outbox) == {("mediation-held", "reminder", 14, 19), *reminders}

    assert (opened.case.variant, opened.case.dates) == ("amend", {"order": order.day0})
    assert opened.case.start.detail == {"arose_from": "appeal"}
    # reg 44(2)(e): the amended plan within 5 weeks of the order.
    assert opened.key_dates == {"final_plan_by": order.day(35)}
    assert order.sent(outbox) == {("order-plan", "reminder", 14, 21)}
    assert (complied.ending, complied.in_time) == ("complied", True)
    assert outcome_row(outbox, order.id)["process"] == "tribunal-order"


async def test_the_advice_child_is_named_by_case_type_and_number(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    """A re-assessment's request for advice runs as ``advice-<ref>-<type>-<n>`` (reg 26)."""
    env, outbox = time_skipping_env, Outbox(database_url)
    ref = new_ref()
    async with running_worker(env.client, outbox) as queue:
        d0 = await env_today(env)
        case = await open_duty(env, queue, clock_start("reassessment", ref, decided=d0), d0)
        for n, kind in enumerate((AdviceType.PSYCHOLOGICAL, AdviceType.MEDICAL), start=1):
            STARTED.append(advice_workflow_id(ref, kind.value, n))
            await case.record(
                rules.AdviceRequested(on=d0, advice_type=kind, provider="Health service")
            )
        second = env.client.get_workflow_handle_for(
            AdviceWorkflow.run, advice_workflow_id(ref, "medical", 2)
        )
        await quiescent(second)
        view = await second.query(AdviceWorkflow.timeline)

    assert (view.case_ref, view.request.advice_id, view.request.advice_type) == (ref, 2, "medical")
    assert view.step.due == d0 + timedelta(weeks=6)
