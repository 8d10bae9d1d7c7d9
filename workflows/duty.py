"""A duty-clock case: one workflow type for every process declared in
``statutory.clock_processes`` (re-assessment, Tribunal order, transfer in or out, appeal).

Its kind in visibility and the read model is the process's name. What the process does is
data: the workflow applies its actions, keeps its steps' reminders and escalations (the shell,
``workflows.case``), ends it when a date lapses (an appeal window), starts what its ending
opens (an appeal after a refusal, the clock for an order after an upheld appeal), and, for a
plan transferred in, starts the plan's review clock with its reg 15(5) date.
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from statutory import clocks as rules
    from statutory import review as review_rules
    from statutory.advice import AdviceRequestState
    from statutory.exceptions import ADVICE_REASONS
    from statutory.steps import StepStatus
    from statutory.working_days import next_working_day
    from workflows.case import CaseWorkflow, Held, advice_child, enforced
    from workflows.clock import CaseClock
    from workflows.follow_on import DUTY_WORKFLOW, open_clock
    from workflows.models import (
        AdviceStart,
        DutyStart,
        DutyView,
        ReviewStart,
        review_workflow_id,
    )
    from workflows.review import PLAN_REISSUED, start_review


def _know_bank_holidays(case: rules.ClockCase) -> None:
    """Working days (reg 15(2), regs 34-35, 39) skip England's bank holidays, which the
    holidays library works out reading the locale: a read the sandbox refuses, though the
    dates do not depend on it. So each year the case's dates can reach is worked out here,
    unrestricted, before the rules count; ``statutory.working_days`` keeps it for the worker."""
    years = {day.year for day in case.dates.values()}
    with workflow.unsafe.sandbox_unrestricted():
        for year in range(min(years), max(years) + 2):  # a count from late December ends in January
            next_working_day(date(year - 1, 12, 31))  # reads the year's bank holidays


@workflow.defn(name=DUTY_WORKFLOW)
class DutyWorkflow(CaseWorkflow[rules.ClockCase, rules.ClockEvent]):
    @workflow.init
    def __init__(self, start: DutyStart) -> None:
        self._start = start
        clock = CaseClock(
            start.start.process, start.policy, start.alert_hour_utc, start.quiet_until
        )
        with enforced():
            case = rules.open_case(start.start, clock.today())
        super().__init__(clock, case, start.prior_events)

    @workflow.run
    async def run(self, start: DutyStart) -> rules.ClockOutcome:
        if self._state.process == "transfer-in":
            await self._start_review()
        await self._keep()
        outcome = rules.outcome(self._state)
        await self._report_outcome(outcome, outcome.ended_on)
        for follow_on in self._state.follow_ons:
            await open_clock(follow_on, self._state, self._start)
        if self._state.process == "reassessment" and self._state.ending == "plan-issued":
            await self._reissue_plan(outcome.ended_on)
        return outcome

    @workflow.update
    def record(self, event: rules.ClockEvent) -> DutyView:
        """Record what happened; returns the updated timeline."""
        self._record(event)
        return self.timeline()

    @record.validator
    def _check_record(self, event: rules.ClockEvent) -> None:
        self._validate(event)

    @workflow.query
    def timeline(self) -> DutyView:
        """The case: its legal dates, every step's dates and state, alerts sent, outcome."""
        today = self._clock.today()
        case = self._state
        _know_bank_holidays(case)
        steps = rules.steps(case, today, self._start.policy.amber_days)
        return DutyView(
            workflow_id=workflow.info().workflow_id,
            as_of=today,
            case=case,
            key_dates=rules.calculate(case.process, case.variant, case.dates),
            steps=steps,
            next_step=rules.next_deadline(steps),
            alerts=self._clock.alert_log(),
            outcome=rules.outcome(case) if case.closed else None,
        )

    # --- the process -------------------------------------------------------------------------

    _apply = staticmethod(rules.apply)
    _check = staticmethod(rules.check)

    def _held(self) -> Held:
        return self._state

    def _wake(self) -> list[StepStatus]:
        today = self._clock.today()
        _know_bank_holidays(self._state)
        # An appeal window that closed unused ends the case the day after it closed.
        self._state = rules.lapse(self._state, today)
        return rules.steps(self._state, today, self._start.policy.amber_days)

    def _finished(self) -> bool:
        return self._state.closed

    def _stage(self) -> str:
        return rules.stage(self._state, self._clock.today())

    def _next(self, steps: list[StepStatus]) -> StepStatus | None:
        return rules.next_deadline(steps)

    def _wake_on(self, next_alert: date | None) -> date | None:
        lapses = rules.lapses_on(self._state)
        found = [d for d in (next_alert, lapses) if d is not None]
        return min(found) if found else None

    def _step_details(self, steps: list[StepStatus]) -> dict[str, dict[str, str]]:
        kind = {"variant": self._state.variant} if self._state.variant else {}
        details = {s.step: dict(kind) for s in steps}
        for a in self._state.advice:
            details[f"advice-{a.id}"] = {"advice_type": a.advice_type.value, "provider": a.provider}
        return details

    def _advice_children(self) -> list[tuple[str, AdviceStart]]:
        case = self._state
        lifting = [
            (e.reason, e.start, e.end) for e in case.exceptions if e.reason in ADVICE_REASONS
        ]
        return [
            advice_child(
                case,
                AdviceRequestState.of_request(
                    advice,
                    exceptions=lifting,
                    closed=case.closed,
                    caseworker=case.caseworker,
                    team=case.team,
                ),
                self._start,
            )
            for advice in case.advice
        ]

    # --- what the case opens -----------------------------------------------------------------

    async def _reissue_plan(self, on: date) -> None:
        """The plan's review cycle carries on from the plan a re-assessment finalised."""
        handle = workflow.get_external_workflow_handle(review_workflow_id(self._state.case_ref))
        try:
            await handle.signal(PLAN_REISSUED, on)
        except Exception:  # no review clock for this plan (kept elsewhere, or ended)
            workflow.logger.info("no review workflow to tell of the reissued plan")

    async def _start_review(self) -> None:
        """A plan transferred in counts as made on the old council's date (reg 15(3)); its
        review clock starts here, first due by the reg 15(5) date."""
        case = self._state
        made = case.dates.get("plan") or case.dates["last-review"]
        plan = review_rules.PlanRecord(
            case_ref=case.case_ref,
            plan_date=made,
            caseworker=case.caseworker,
            team=case.team,
        )
        due_by = rules.calculate(case.process, None, case.dates)["review_due_by"]
        await start_review(
            ReviewStart(
                cycle=review_rules.first_cycle(
                    plan, last_review=case.dates.get("last-review"), due_by=due_by
                ),
                policy=self._start.policy,
                alert_hour_utc=self._start.alert_hour_utc,
                quiet_until=self._start.quiet_until,
            )
        )
