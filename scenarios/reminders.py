"""The reminders and escalations a simulated case earns, computed without Temporal.

The live workflow (workflows/assessment.py) sends, at the alert hour of each day and after each
caseworker event, what ``statutory.alerts.plan`` says is due for the case's open steps
(``statutory.assessment.steps``), never the same alert twice, and stops once the case closes.
This module walks a simulated case's event log day by day in the same way, so the fast engine
can say how many reminders and escalations each case costs, and the faithful engine
(``scenarios.faithful``) can check that the real workflow sends exactly those.

Convention shared with the faithful engine: the workflow starts at midday on the day the request
was received and each event is recorded at midday on its day, after that day's alert hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from scenarios.casefile import CASEWORKER, TEAM, SimCase, event_log
from statutory import assessment as rules
from statutory.alerts import ADVICE_POLICY, AlertKind, AlertPolicy, plan


@dataclass(frozen=True, slots=True, order=True)
class SentAlert:
    """An alert as sent: on which day of the case (0: the day of the request), for what."""

    day: int
    step: str
    kind: AlertKind
    level: int
    target_day: int


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def expected_alerts(
    case: SimCase, policy: AlertPolicy | None = None, advice_policy: AlertPolicy | None = None
) -> list[SentAlert]:
    """Every reminder and escalation the live workflows send for ``case``, in order."""
    policy = policy or AlertPolicy()
    advice_policy = advice_policy or ADVICE_POLICY
    workflow_id = f"simulated-{case.ref}"  # alert keys only need to be unique within the case
    received = case.received
    request = rules.AssessmentRequest(
        case_ref=case.ref, received=received, caseworker=CASEWORKER, team=TEAM
    )
    state = rules.open_case(request, received)
    events = event_log(case)
    last = events[-1].on if events else received
    sent: dict[str, SentAlert] = {}

    def evaluate(day: date) -> None:
        steps = rules.steps(state, day, policy.amber_days)
        # Advice requests run their own clocks with the advice policy (workflows/advice.py).
        case_steps = [s for s in steps if not s.step.startswith("advice-")]
        advice_steps = [s for s in steps if s.step.startswith("advice-")]
        due = plan(case_steps, policy, day, sent, workflow_id)[0]
        due += plan(advice_steps, advice_policy, day, sent, workflow_id)[0]
        for alert in due:
            sent[alert.key(workflow_id)] = SentAlert(
                (day - received).days,
                alert.step,
                alert.kind,
                alert.level,
                (alert.target - received).days,
            )

    pending = list(events)
    for day in _days(received, last):
        if day > received:
            evaluate(day)  # the alert hour
        if day == received:
            evaluate(day)  # the workflow starts
        while pending and pending[0].on == day:
            event = pending.pop(0)
            state = rules.apply(state, event, day, datetime.combine(day, time(12), UTC))
            if state.closed:
                return sorted(sent.values())
            evaluate(day)
    return sorted(sent.values())
