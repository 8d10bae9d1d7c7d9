"""Which reminders and escalations are due, for any process's open steps.

Reminders go at lead times before a step's operational target; escalations go at intervals
after a statutory step's target has passed (guidance and planning dates are only reminded).
A case found late (imported part-way, or a worker that was down) sends only the most recent
alert each step has reached, never a burst of stale ones.

A case entered with a past (started today for a request received weeks ago, or imported)
describes events its caseworker has not yet had the chance to record: its escalations wait
for a settling period (``settling_end``), so nobody is escalated about a step that was in fact
met. Reminders of dates still to come are sent as usual.

Every alert has an idempotency key (workflow id + step + kind + level + target), so a retry or
a replayed worker never sends twice, while a target moved by an exception earns fresh alerts.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from statutory import assessment
from statutory.process import is_advice_request
from statutory.steps import DEFAULT_AMBER_DAYS, StepStatus
from statutory.working_days import next_working_day

#: Working days a newly entered case has to record its history before it escalates anything.
DEFAULT_SETTLING_WORKING_DAYS = 2

#: The hour of the day (UTC) at which a workflow sends the reminders and escalations of a day.
AlertHour = Annotated[int, Field(ge=0, le=23)]
DEFAULT_ALERT_HOUR = 8


class AlertKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"


class AlertPolicy(BaseModel):
    """A council's choice of lead times; defaults suit a weekly-planning SEND team."""

    model_config = ConfigDict(frozen=True)

    reminder_days: tuple[int, ...] = Field(default=(14, 3))
    """Days before a target to remind the caseworker."""
    escalation_days: tuple[int, ...] = Field(default=(1, 14))
    """Days after a missed statutory target to escalate (level 1, 2, ...)."""
    amber_days: int = DEFAULT_AMBER_DAYS

    @field_validator("reminder_days", "escalation_days")
    @classmethod
    def _positive_sorted(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 for d in v):
            raise ValueError("lead times are whole days, zero or more")
        return tuple(sorted(set(v)))


#: Roles an alert can be addressed to; a council's directory names the people in each.
ROLES = ("caseworker", "supervisor", "manager", "provider", "service-manager")

#: Who hears about what, by process: reminders to the person who must act; escalations
#: climb from them to their supervisors and managers (a council may change any rung).
DEFAULT_LADDER: dict[str, dict[str, list[str]]] = {
    "assessment": {
        "reminder": ["caseworker"],
        "escalation-1": ["caseworker", "supervisor"],
        "escalation-2": ["supervisor", "manager"],
    },
    "review": {
        "reminder": ["caseworker"],
        "escalation-1": ["caseworker", "supervisor"],
        "escalation-2": ["supervisor", "manager"],
    },
    "advice": {
        "reminder": ["provider", "caseworker"],
        "escalation-1": ["service-manager", "supervisor"],
        "escalation-2": ["service-manager", "manager"],
    },
    "digest": {"reminder": ["supervisor"]},
}


def roles_for(
    ladder: dict[str, dict[str, list[str]]], process: str, kind: AlertKind, level: int
) -> list[str]:
    """The ladder's rung for an alert; the highest rung defined for deeper levels."""
    rungs = ladder.get(process) or ladder["assessment"]
    if kind is AlertKind.REMINDER:
        return rungs.get("reminder", ["caseworker"])
    for rung in range(level, 0, -1):
        if f"escalation-{rung}" in rungs:
            return rungs[f"escalation-{rung}"]
    return ["supervisor"]


#: Advice requests (reg 8): one reminder to the adviser a week before, escalations the day after
#: and two weeks after. A council policy, kept separate from the caseworker's lead times.
ADVICE_POLICY = AlertPolicy(reminder_days=(7,), escalation_days=(1, 14))


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True)

    step: str
    kind: AlertKind
    level: int
    """Reminders: days before the target. Escalations: 1 for the first, 2 for the next..."""
    fire_on: date
    target: date

    def key(self, workflow_id: str) -> str:
        return f"{workflow_id}:{self.step}:{self.kind.value}:{self.level}:{self.target}"


def candidates(step: StepStatus, policy: AlertPolicy) -> list[Alert]:
    """Every alert an open step could ever produce under ``policy``, in firing order."""
    if not step.state.is_open:
        return []
    out = [
        Alert(
            step=step.step,
            kind=AlertKind.REMINDER,
            level=d,
            fire_on=step.target - timedelta(days=d),
            target=step.target,
        )
        for d in sorted(policy.reminder_days, reverse=True)
    ]
    if step.statutory:
        out += [
            Alert(
                step=step.step,
                kind=AlertKind.ESCALATION,
                level=i + 1,
                fire_on=step.target + timedelta(days=d),
                target=step.target,
            )
            for i, d in enumerate(policy.escalation_days)
        ]
    return sorted(out, key=lambda a: (a.fire_on, a.kind != AlertKind.REMINDER))


def settling_end(entered: date, working_days: int = DEFAULT_SETTLING_WORKING_DAYS) -> date | None:
    """The day a case entered on ``entered`` may first escalate: ``working_days`` working days
    later (England and Wales bank holidays), or None when there is no settling period."""
    if working_days <= 0:
        return None
    day = entered
    for _ in range(working_days):
        day = next_working_day(day)
    return day


def plan(
    steps: Iterable[StepStatus],
    policy: AlertPolicy,
    today: date,
    sent: Container[str],
    workflow_id: str,
    *,
    quiet_until: date | None = None,
) -> tuple[list[Alert], date | None]:
    """Alerts to send now, and the next day on which another may fall due.

    For each open step only the latest alert whose day has come is sent (if not sent already).
    A reminder is stale once its target has passed (escalations take over), so a step found
    late is never "reminded" after the fact. Escalations are held while
    ``today`` is before ``quiet_until`` (a newly entered case's settling period); whatever is
    still open then is escalated on that day.
    """
    due_now: list[Alert] = []
    next_on: date | None = None
    quiet = quiet_until is not None and today < quiet_until
    for step in steps:
        reached: Alert | None = None
        for alert in candidates(step, policy):
            if alert.kind is AlertKind.REMINDER and today > alert.target:
                continue
            if alert.fire_on <= today:
                reached = alert
            elif next_on is None or alert.fire_on < next_on:
                next_on = alert.fire_on
                break
            else:
                break
        if reached is not None and quiet and reached.kind is AlertKind.ESCALATION:
            assert quiet_until is not None
            next_on = quiet_until if next_on is None else min(next_on, quiet_until)
            continue
        if reached is not None and reached.key(workflow_id) not in sent:
            due_now.append(reached)
    return due_now, next_on


class AlertMessage(BaseModel):
    """What a workflow hands to the alert activity: everything a message needs, no names."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    workflow_id: str
    case_ref: str
    process: str
    kind: AlertKind
    level: int
    step: str
    label: str
    regulation: str
    due: date
    target: date
    days_left: int
    """Days from the alert's day to the target; negative when overdue."""
    caseworker: str
    team: str
    scheduled_for: datetime
    """Workflow time at which the alert fell due (not when a channel delivered it)."""
    provider: str | None = None
    """Advice requests: the provider organisation, whose contacts are on the ladder."""
    max_attempts: int = 8
    """Attempts the activity makes on its channels; after the last, rows still failing stay due
    and the outbox re-drive sends them when the channel is back."""
    notes: list[str] = Field(default_factory=list)
    """Extra lines for the message, e.g. the advice still missing when a draft is due."""


class DeliveryReport(BaseModel):
    """What the alert activity did: who it was for, what reached them, what failed for good."""

    recipients: list[str]
    delivered: list[str]
    """channel:recipient pairs delivered by this attempt or an earlier one."""
    failed: list[str]
    """What did not reach its recipient: permanent failures (no address, a refused template),
    and channels still failing after the last attempt, whose rows stay due for the re-drive."""


# --- a whole history, day by day, as the live workflows see it ---------------------------


@dataclass(frozen=True, slots=True, order=True)
class SentAlert:
    """An alert as sent: on which day of the case (0: the day of the request), for what."""

    day: int
    step: str
    kind: AlertKind
    level: int
    target_day: int


def record_sent(
    sent: dict[str, SentAlert],
    alerts: Sequence[Alert],
    day: date,
    origin: date,
    workflow_id: str,
) -> None:
    """Keep ``alerts``, sent on ``day``, in ``sent`` by key, as days from ``origin``."""
    for alert in alerts:
        sent[alert.key(workflow_id)] = SentAlert(
            (day - origin).days,
            alert.step,
            alert.kind,
            alert.level,
            (alert.target - origin).days,
        )


def expected_alerts(
    request: assessment.AssessmentRequest,
    events: Sequence[assessment.AssessmentEvent],
    policy: AlertPolicy | None = None,
    advice_policy: AlertPolicy | None = None,
) -> list[SentAlert]:
    """Every reminder and escalation the live workflows send for an assessment whose events
    are recorded on their own days, in order: the same ``plan`` on the same days.

    The case's steps go by ``policy``, each advice request by ``advice_policy`` (its own clock,
    ``is_advice_request``). The live convention: the workflow starts at midday on the day the request
    was received and each event is recorded at midday on its day, after that day's alert hour.
    """
    policy = policy or AlertPolicy()
    advice_policy = advice_policy or ADVICE_POLICY
    workflow_id = f"expected-{request.case_ref}"  # keys need only be unique within the case
    received = request.received
    state = assessment.open_case(request, received)
    last = events[-1].on if events else received
    sent: dict[str, SentAlert] = {}

    def evaluate(day: date) -> None:
        steps = assessment.steps(state, day, policy.amber_days)
        advice = [s for s in steps if is_advice_request(s.step)]
        own = [s for s in steps if not is_advice_request(s.step)]
        due = plan(own, policy, day, sent, workflow_id)[0]
        due += plan(advice, advice_policy, day, sent, workflow_id)[0]
        record_sent(sent, due, day, received, workflow_id)

    pending = list(events)
    day = received
    evaluate(day)  # the workflow starts
    while day <= last:
        if day > received:
            evaluate(day)  # the alert hour
        while pending and pending[0].on == day:
            state = assessment.apply(
                state, pending.pop(0), day, datetime.combine(day, time(12), UTC)
            )
            if state.closed:
                return sorted(sent.values())
            evaluate(day)
        day += timedelta(days=1)
    return sorted(sent.values())
