"""Reminders and escalations: what is due on a day, what is never resent, when to wake next."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from statutory.alerts import Alert, AlertKind, AlertPolicy, candidates, plan
from statutory.process import StepKind
from statutory.steps import StepStatus, settle

TARGET = date(2025, 10, 8)
POLICY = AlertPolicy()  # reminders 14 and 3 days before; escalations 1 and 14 days after
WF = "assessment-EHC-2025-0147"


def step(
    name: str = "final-plan",
    *,
    target: date = TARGET,
    statutory: bool = True,
    completed_on: date | None = None,
    today: date = date(2025, 6, 1),
) -> StepStatus:
    return settle(
        step=name,
        label=name,
        regulation="reg 13(2)",
        due=TARGET,
        target=target,
        exception_applies=target != TARGET,
        kind=StepKind.DUTY if statutory else StepKind.PLANNING,
        completed_on=completed_on,
        applicable=True,
        today=today,
    )


def rel(days: int, base: date = TARGET) -> date:
    return base + timedelta(days=days)


def send(
    steps: list[StepStatus], today: date, sent: set[str] | None = None
) -> tuple[list[tuple[str, AlertKind, int]], date | None]:
    alerts, next_on = plan(steps, POLICY, today, sent or set(), WF)
    return [(a.step, a.kind, a.level) for a in alerts], next_on


def test_default_policy() -> None:
    # Defaults are not run through the validator, so compare them sorted.
    assert sorted(POLICY.reminder_days) == [3, 14]
    assert sorted(POLICY.escalation_days) == [1, 14]
    assert POLICY.amber_days == 14


def test_candidates_of_a_statutory_step() -> None:
    got = [(a.kind, a.level, a.fire_on) for a in candidates(step(), POLICY)]
    assert got == [
        (AlertKind.REMINDER, 14, rel(-14)),
        (AlertKind.REMINDER, 3, rel(-3)),
        (AlertKind.ESCALATION, 1, rel(1)),
        (AlertKind.ESCALATION, 2, rel(14)),
    ]
    assert all(a.target == TARGET for a in candidates(step(), POLICY))


def test_guidance_and_planning_steps_are_only_reminded() -> None:
    got = [(a.kind, a.level) for a in candidates(step(statutory=False), POLICY)]
    assert got == [(AlertKind.REMINDER, 14), (AlertKind.REMINDER, 3)]


def test_completed_steps_have_no_alerts() -> None:
    done = step(completed_on=rel(-20))
    assert candidates(done, POLICY) == []
    assert send([done], rel(5)) == ([], None)


@pytest.mark.parametrize(
    ("today", "expected", "next_on"),
    [
        (rel(-30), [], rel(-14)),
        (rel(-15), [], rel(-14)),
        (rel(-14), [("final-plan", AlertKind.REMINDER, 14)], rel(-3)),
        (rel(-3), [("final-plan", AlertKind.REMINDER, 3)], rel(1)),
        (rel(0), [("final-plan", AlertKind.REMINDER, 3)], rel(1)),
        (rel(1), [("final-plan", AlertKind.ESCALATION, 1)], rel(14)),
        (rel(14), [("final-plan", AlertKind.ESCALATION, 2)], None),
        (rel(400), [("final-plan", AlertKind.ESCALATION, 2)], None),
    ],
)
def test_on_each_day_only_the_latest_reached_alert(
    today: date, expected: list[tuple[str, AlertKind, int]], next_on: date | None
) -> None:
    assert send([step(today=today)], today) == (expected, next_on)


def test_a_case_found_late_sends_one_alert_per_step_not_a_burst() -> None:
    # Found 20 days after week 20 with nothing sent: only escalation level 2, not 4 alerts.
    alerts, next_on = plan([step()], POLICY, rel(20), set(), WF)
    assert [(a.kind, a.level, a.fire_on) for a in alerts] == [(AlertKind.ESCALATION, 2, rel(14))]
    assert next_on is None
    # Found 5 days late: the first escalation only.
    alerts, next_on = plan([step()], POLICY, rel(5), set(), WF)
    assert [(a.kind, a.level) for a in alerts] == [(AlertKind.ESCALATION, 1)]
    assert next_on == rel(14)


def test_non_statutory_step_is_never_escalated() -> None:
    guidance = step("setting-reply-1", statutory=False)
    assert send([guidance], rel(-3)) == ([("setting-reply-1", AlertKind.REMINDER, 3)], None)
    key = plan([guidance], POLICY, rel(-3), set(), WF)[0][0].key(WF)
    assert send([guidance], rel(30), {key}) == ([], None)


def test_a_step_found_after_its_target_gets_no_stale_reminder() -> None:
    # Reminders are for before the target; after it only escalations (statutory steps) go.
    guidance = step("setting-reply-1", statutory=False)
    assert send([guidance], rel(0)) == ([("setting-reply-1", AlertKind.REMINDER, 3)], None)
    assert send([guidance], rel(1)) == ([], None)
    assert send([guidance], rel(30)) == ([], None)
    assert send([step()], rel(1)) == ([("final-plan", AlertKind.ESCALATION, 1)], rel(14))


def test_already_sent_alerts_are_not_resent() -> None:
    first, _ = plan([step()], POLICY, rel(-14), set(), WF)
    sent = {a.key(WF) for a in first}
    # Same day, or any later day before the next alert: nothing new.
    assert send([step()], rel(-14), sent) == ([], rel(-3))
    assert send([step()], rel(-4), sent) == ([], rel(-3))
    # The next alert is not suppressed by the earlier one's key.
    assert send([step()], rel(-3), sent) == ([("final-plan", AlertKind.REMINDER, 3)], rel(1))


def test_a_sent_latest_alert_does_not_let_an_older_one_through() -> None:
    # Escalation 1 already sent but the 3-day reminder never was: nothing is sent.
    esc = next(a for a in candidates(step(), POLICY) if a.kind is AlertKind.ESCALATION)
    assert send([step()], rel(2), {esc.key(WF)}) == ([], rel(14))


def test_next_fire_date_is_the_earliest_over_all_steps() -> None:
    a = step("advice-1", target=rel(-40))  # reminders at -54, -43; escalations -39, -26
    b = step("final-plan")  # reminders at -14, -3
    today = rel(-42)
    alerts, next_on = plan([b, a], POLICY, today, set(), WF)
    assert [(x.step, x.kind, x.level) for x in alerts] == [("advice-1", AlertKind.REMINDER, 3)]
    assert next_on == rel(-39)
    # With advice-1 done, the final plan's first reminder is next.
    done = step("advice-1", target=rel(-40), completed_on=rel(-41))
    assert send([b, done], today) == ([], rel(-14))
    assert send([], today) == ([], None)


def test_several_steps_each_get_their_alert() -> None:
    a = step("advice-1", target=rel(-1))  # 1 day overdue on rel(0): escalation 1
    b = step("final-plan")  # due on rel(0): the 3-day reminder is the latest reached
    alerts, next_on = plan([a, b], POLICY, rel(0), set(), WF)
    assert {(x.step, x.kind, x.level) for x in alerts} == {
        ("advice-1", AlertKind.ESCALATION, 1),
        ("final-plan", AlertKind.REMINDER, 3),
    }
    assert next_on == rel(1)


def test_key_names_workflow_step_kind_level_and_target() -> None:
    alert = Alert(
        step="final-plan", kind=AlertKind.ESCALATION, level=2, fire_on=rel(14), target=TARGET
    )
    assert alert.key(WF) == f"{WF}:final-plan:escalation:2:2025-10-08"
    assert alert.key("other") != alert.key(WF)


def test_a_moved_target_earns_fresh_alerts() -> None:
    first, _ = plan([step()], POLICY, rel(1), set(), WF)
    sent = {a.key(WF) for a in first}
    assert send([step()], rel(1), sent) == ([], rel(14))
    # An exception of 30 days moves the target: the old key does not silence the new one.
    moved = step(target=rel(30))
    assert send([moved], rel(27), sent) == ([("final-plan", AlertKind.REMINDER, 3)], rel(31))
    new_alert = plan([moved], POLICY, rel(27), sent, WF)[0][0]
    assert new_alert.target == rel(30)
    assert new_alert.key(WF) not in sent


def test_policy_sorts_deduplicates_and_rejects_negative_days() -> None:
    policy = AlertPolicy(reminder_days=(3, 14, 3, 7), escalation_days=(14, 1))
    assert policy.reminder_days == (3, 7, 14)
    assert policy.escalation_days == (1, 14)
    with pytest.raises(ValidationError):
        AlertPolicy(reminder_days=(-1, 3))
    with pytest.raises(ValidationError):
        AlertPolicy(escalation_days=(1, -14))


def test_custom_policy_levels_and_same_day_order() -> None:
    policy = AlertPolicy(reminder_days=(0, 7), escalation_days=(0, 7, 28))
    got = [(a.kind, a.level, a.fire_on) for a in candidates(step(), policy)]
    assert got == [
        (AlertKind.REMINDER, 7, rel(-7)),
        (AlertKind.REMINDER, 0, rel(0)),  # a reminder sorts before an escalation on its day
        (AlertKind.ESCALATION, 1, rel(0)),
        (AlertKind.ESCALATION, 2, rel(7)),
        (AlertKind.ESCALATION, 3, rel(28)),
    ]
    alerts, next_on = plan([step()], policy, rel(0), set(), WF)
    assert [(a.kind, a.level) for a in alerts] == [(AlertKind.ESCALATION, 1)]
    assert next_on == rel(7)


# --- the settling period of a case entered with a past ----------------------------------------


def test_settling_end_counts_working_days() -> None:
    from statutory.alerts import settling_end

    assert settling_end(date(2026, 12, 1)) == date(2026, 12, 3)  # Tue -> Thu
    assert settling_end(date(2026, 12, 4)) == date(2026, 12, 8)  # Fri -> Tue
    # Christmas Day and Boxing Day 2026 (Fri, Sat: the bank holiday moves to Mon 28 Dec).
    assert settling_end(date(2026, 12, 24)) == date(2026, 12, 30)
    assert settling_end(date(2026, 12, 1), 0) is None


def test_escalations_wait_for_the_settling_period_then_the_latest_goes_once() -> None:
    overdue = step(today=rel(20))  # escalation 2 (day 14 after) already reached
    quiet_until = rel(22)
    held, wake = plan([overdue], POLICY, rel(20), set(), WF, quiet_until=quiet_until)
    assert held == [] and wake == quiet_until
    sent, _ = plan([overdue], POLICY, quiet_until, set(), WF, quiet_until=quiet_until)
    assert [(a.kind, a.level) for a in sent] == [(AlertKind.ESCALATION, 2)]


def test_reminders_of_dates_to_come_are_not_held() -> None:
    ahead = step(today=rel(-14))
    sent, _ = plan([ahead], POLICY, rel(-14), set(), WF, quiet_until=rel(-12))
    assert [(a.kind, a.level) for a in sent] == [(AlertKind.REMINDER, 14)]
