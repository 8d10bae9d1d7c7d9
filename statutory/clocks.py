"""Processes kept as a few legal dates and the duties that run from them ("duty clocks").

A re-assessment, compliance with a Tribunal order, a transfer between councils and an appeal
window each declare (``statutory.clock_processes``) their legal dates (anchors), each step's
due rule (``statutory.due_rules``) and the actions a caseworker records, with what each
action does: completes steps, sets a legal date, ends the case, or opens a follow-on process
(an upheld appeal opens the clock for complying with the order). This module is the one
engine for all of them: the case's state, its events, ``check`` and ``apply``, its steps (from
the status truth table, ``statutory.steps``), the calculator and the outcome.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from statutory import bounds, events
from statutory import exceptions as exc
from statutory import processes as P
from statutory.assessment import AdviceAnswered, AdviceAsked, AdviceRequest
from statutory.dates import as_written, weeks_after
from statutory.due_rules import Rule
from statutory.errors import RuleViolation
from statutory.identifiers import CaseRef, StaffId, TeamId
from statutory.process import Process, StepDef, StepId, StepKind, is_advice_request
from statutory.steps import DEFAULT_AMBER_DAYS, StepState, StepStatus, status_of

ADVICE_WEEKS = 6  # reg 8(1), applied by reg 26 to a re-assessment
WITHDRAWN = "withdrawn"

# --- the declaration ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Anchor:
    """A legal date of the case that limits run from."""

    name: str
    words: str
    """How a person names it ("the date of the Tribunal's order")."""
    future: bool = False
    """May lie ahead when recorded (a family's move, known in advance)."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date the law sets: a step of this process, or (``step`` None) a date another
    process keeps and the calculator gives (a transferred plan's first review, reg 15(5))."""

    output: str
    """Its name in the calculator's JSON (``final_plan_by``)."""
    rule: Rule
    step: StepDef | None = None
    lapses: str | None = None
    """The case ends this way when the date passes with the step undone (an appeal window
    closing without an appeal)."""


@dataclass(frozen=True, slots=True)
class Effect:
    """What recording an action does."""

    completes: tuple[StepId, ...] = ()
    sets: tuple[str, ...] = ()
    """Legal dates set to the action's day."""
    ends: str | None = None
    starts: str | None = None
    """A follow-on process opened on the action's day."""
    variant: str | None = None
    """The follow-on's kind (default: the choice made)."""
    route: str | None = None
    """How the follow-on arose, for its reports (``reg-45``: a concession notified)."""


@dataclass(frozen=True, slots=True)
class Action:
    """Something a caseworker records on the case."""

    name: str
    title: str
    effect: Effect = Effect()
    choices: Mapping[str, Effect] = field(default_factory=dict)
    """The outcomes to choose from (``--choice``), each with its own effect."""
    choice_words: Mapping[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    """Legal dates that must be known first (the plan needs the decision to re-assess)."""
    variants: frozenset[str] | None = None
    """Only for these kinds of case (None: every kind)."""

    def effect_of(self, choice: str | None) -> Effect:
        return self.choices[choice] if choice is not None else self.effect


@dataclass(frozen=True, slots=True)
class ClockProcess:
    """A duty-clock process, declared: its steps (``process``) and how they run."""

    process: Process
    anchors: tuple[Anchor, ...]
    opens_on: tuple[str, ...]
    """The anchor the clock starts from, the first one known (a request, else the decision)."""
    required: tuple[tuple[str, ...], ...]
    """At the start, one date of each group must be given."""
    deadlines: tuple[Deadline, ...]
    actions: tuple[Action, ...]
    endings: Mapping[str, str]
    """Each way the case can end, in words."""
    variants: Mapping[str, str] = field(default_factory=dict)
    """Kinds of case, in words (a Tribunal order's type); empty: one kind."""
    exception_days: Mapping[exc.Reason, int] = field(default_factory=dict)
    """Exceptions that may be recorded, with the fewest days each must last."""
    advice: bool = False
    """Requests for advice are kept on it, each with its own clock (reg 8(1))."""

    @property
    def name(self) -> str:
        return self.process.name

    def action(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        known = ", ".join(a.name for a in self.actions)
        raise RuleViolation(f"{self.process.title} has no action '{name}' (known: {known})")

    def anchor(self, name: str) -> Anchor:
        for anchor in self.anchors:
            if anchor.name == name:
                return anchor
        raise KeyError(name)


# --- the case ---------------------------------------------------------------------------


class ClockStart(BaseModel):
    """What opens a case: its process, kind, holder and the legal dates known at the start."""

    model_config = ConfigDict(frozen=True)

    process: str
    variant: str | None = None
    case_ref: CaseRef
    caseworker: StaffId
    team: TeamId
    dates: dict[str, bounds.CaseDay]
    detail: dict[str, Annotated[str, Field(max_length=80)]] = Field(default_factory=dict)
    """Codes and references reports need (the council a plan came from); never names."""


class ClockException(BaseModel):
    reason: exc.Reason
    start: date
    end: date
    note: str = ""
    recorded_on: date


class FollowOn(BaseModel):
    """A process this one opened (an appeal after a refusal, an order after an appeal)."""

    process: str
    variant: str | None
    on: date
    route: str | None = None


class ClockCase(BaseModel):
    """A duty-clock case as it stands."""

    start: ClockStart
    caseworker: str
    team: str
    opened_on: date
    dates: dict[str, date]
    done: dict[str, date] = Field(default_factory=dict)
    choices: dict[str, str] = Field(default_factory=dict)
    """The choice made for each recorded action (``decided``: ``refused``)."""
    recorded: dict[str, date] = Field(default_factory=dict)
    """Each action recorded, and its day."""
    exceptions: list[ClockException] = Field(default_factory=list)
    advice: list[AdviceRequest] = Field(default_factory=list)
    follow_ons: list[FollowOn] = Field(default_factory=list)
    ending: str | None = None
    ended_on: date | None = None
    ended_by: str | None = None
    """The action that ended the case (none: withdrawn, or a date passed)."""

    @property
    def case_ref(self) -> str:
        return self.start.case_ref

    @property
    def process(self) -> str:
        return self.start.process

    @property
    def variant(self) -> str | None:
        return self.start.variant

    @property
    def closed(self) -> bool:
        return self.ending is not None

    @property
    def declared(self) -> ClockProcess:
        return declaration(self.process)


def declaration(process: str) -> ClockProcess:
    # The declarations import this module; read them when first asked.
    from statutory.clock_processes import CLOCKS

    try:
        return CLOCKS[process]
    except KeyError:
        known = ", ".join(CLOCKS)
        raise RuleViolation(f"unknown process '{process}' (known: {known})") from None


def _one_of(given: str | None, options: Collection[str], needs: str, takes_none: str) -> None:
    """``given`` is one of ``options`` where there are any (a kind of case, an action's
    choice), else not given at all; ``needs`` and ``takes_none`` say which rule was broken."""
    if options and given not in options:
        raise RuleViolation(f"{needs}: one of {', '.join(options)}")
    if not options and given is not None:
        raise RuleViolation(takes_none)


def open_case(start: ClockStart, today: date) -> ClockCase:
    """A new case, once its start is lawful: a known kind, the dates each limit needs, and
    none of them in the future unless the law expects it (a move ahead)."""
    proc = declaration(start.process)
    _one_of(
        start.variant,
        proc.variants,
        f"{proc.process.title} needs its kind",
        f"{proc.process.title} has no kinds",
    )
    names = {a.name for a in proc.anchors}
    for name, day in start.dates.items():
        if name not in names:
            raise RuleViolation(f"{proc.process.title} has no date '{name}'")
        anchor = proc.anchor(name)
        if not anchor.future:
            events.require(
                day <= today,
                f"{anchor.words} ({as_written(day)}) is in the future (today is "
                f"{as_written(today)})",
            )
    for group in proc.required:
        if not any(name in start.dates for name in group):
            words = " or ".join(proc.anchor(n).words for n in group)
            raise RuleViolation(f"give {words}")
    opened = next(start.dates[n] for n in proc.opens_on if n in start.dates)
    return ClockCase(
        start=start,
        caseworker=start.caseworker,
        team=start.team,
        opened_on=opened,
        dates=dict(start.dates),
    )


# --- events --------------------------------------------------------------------------------


class ActionRecorded(events.Event):
    """One of the process's declared actions (``ehc <process> record ... ACTION``)."""

    title = "Action recorded"
    type: Literal["action"] = "action"
    action: str = Field(min_length=1, max_length=40)
    """What happened: one of the process's actions."""
    choice: str | None = Field(default=None, max_length=40)
    """The outcome, for an action that has several (a decision to re-assess or to refuse)."""

    def check(self, case: ClockCase, today: date) -> None:
        proc = case.declared
        action = proc.action(self.action)
        if action.variants is not None and case.variant not in action.variants:
            raise RuleViolation(
                f"'{action.title}' does not apply to this kind of case "
                f"({proc.variants.get(case.variant or '', '')})"
            )
        events.require(
            self.action not in case.recorded,
            f"'{action.title}' was already recorded on {as_written(case.recorded.get(self.action, self.on))}",
        )
        _one_of(
            self.choice,
            action.choices,
            f"'{action.title}' needs a choice",
            f"'{action.title}' takes no choice",
        )
        for name in action.needs:
            known = case.dates.get(name)
            words = proc.anchor(name).words
            events.require(known is not None, f"'{action.title}' needs {words} first")
            events.not_before(self.on, known, words)

    def apply_to(self, case: ClockCase) -> None:
        effect = case.declared.action(self.action).effect_of(self.choice)
        case.recorded[self.action] = self.on
        if self.choice is not None:
            case.choices[self.action] = self.choice
        for step in effect.completes:
            case.done.setdefault(step.value, self.on)
        for name in effect.sets:
            case.dates[name] = self.on
        if effect.starts is not None:
            case.follow_ons.append(
                FollowOn(
                    process=effect.starts,
                    variant=effect.variant or self.choice,
                    on=self.on,
                    route=effect.route,
                )
            )
        if effect.ends is not None:
            case.ending, case.ended_on, case.ended_by = effect.ends, self.on, self.action


class ExceptionRecorded(events.ExceptionRecorded):
    """An exception to the process's limits; ``start``..``end`` its period."""

    def check(self, case: ClockCase, today: date) -> None:
        least = case.declared.exception_days.get(self.reason)
        if least is None:
            known = ", ".join(r.value for r in case.declared.exception_days) or "none"
            raise RuleViolation(
                f"{self.reason.value} is not an exception to these limits (they allow: {known})"
            )
        events.require(
            self.end >= self.start,
            f"the exception ends ({as_written(self.end)}) before it starts "
            f"({as_written(self.start)})",
        )
        days = (self.end - self.start).days + 1
        events.require(
            days >= least,
            f"{self.reason.value}: the law needs at least {least} continuous days; "
            f"{as_written(self.start)} to {as_written(self.end)} is {days}",
        )
        events.require(
            self.end >= case.opened_on,
            f"the exception ends ({as_written(self.end)}) before the case began "
            f"({as_written(case.opened_on)})",
        )

    def apply_to(self, case: ClockCase) -> None:
        case.exceptions.append(
            ClockException(
                reason=self.reason,
                start=self.start,
                end=self.end,
                note=self.note,
                recorded_on=self.on,
            )
        )


class AdviceRequested(AdviceAsked):
    """A request for advice on a re-assessment (reg 26 applies regs 6-8)."""

    def check(self, case: ClockCase, today: date) -> None:
        events.require(case.declared.advice, "advice is not requested in this process")
        self.check_asked(case.advice, today)

    def apply_to(self, case: ClockCase) -> None:
        self.add_to(case.advice)


class AdviceReceived(AdviceAnswered):
    """Advice came back on a re-assessment (reg 8(1), applied by reg 26)."""

    def check(self, case: ClockCase, today: date) -> None:
        self.answered(case.advice)

    def apply_to(self, case: ClockCase) -> None:
        self.record_in(case.advice)


class Withdrawn(events.Event):
    """The case closes: the request, the appeal or the move was withdrawn."""

    title = "Withdrawn"
    type: Literal["withdrawn"] = "withdrawn"
    reason: str = Field(default="", max_length=200)
    """Why, in a few words."""

    def check(self, case: ClockCase, today: date) -> None:
        """Any open case can be withdrawn."""

    def apply_to(self, case: ClockCase) -> None:
        case.ending, case.ended_on = WITHDRAWN, self.on


class CaseworkerReassigned(events.CaseworkerReassigned):
    def check(self, case: ClockCase, today: date) -> None:
        self.check_moves(case, "the case")


ClockEvent = Annotated[
    ActionRecorded
    | ExceptionRecorded
    | AdviceRequested
    | AdviceReceived
    | Withdrawn
    | CaseworkerReassigned,
    Field(discriminator="type"),
]


def check(case: ClockCase, event: events.Event, today: date) -> None:
    """Raise ``RuleViolation`` if ``event`` cannot happen to ``case`` now."""
    events.still_open(
        case.closed, f"the case ended ({ending_words(case.process, case.ending or '')})"
    )
    events.not_in_future(event.on, today)
    events.not_before(event.on, case.opened_on, "the case began")
    event.check(case, today)


def apply(
    case: ClockCase, event: events.Event, today: date, now: datetime | None = None
) -> ClockCase:
    """The case after ``event`` (checked first); ``case`` itself is left as it was."""
    check(case, event, today)
    new = copy.deepcopy(case)
    event.apply_to(new)
    return new


def _lapsing(case: ClockCase) -> tuple[date, str] | None:
    """The first day the case ends by a date passing unmet (an appeal window closing unused:
    the day after it closed), and how it ends then; None if no such date is open."""
    found = [
        (due + timedelta(days=1), d.lapses)
        for d in case.declared.deadlines
        if d.lapses is not None
        and (due := d.rule.on(case.dates, case.variant)) is not None
        and (d.step is None or d.step.id.value not in case.done)
    ]
    return min(found) if found and not case.closed else None


def lapse(case: ClockCase, today: date) -> ClockCase:
    """The case, ended if a lapsing date has passed by ``today``."""
    found = _lapsing(case)
    if found is None or found[0] > today:
        return case
    new = copy.deepcopy(case)
    new.ended_on, new.ending = found
    return new


def lapses_on(case: ClockCase) -> date | None:
    """The day the case would end by lapsing (the workflow wakes then)."""
    found = _lapsing(case)
    return found[0] if found else None


# --- dates and steps -------------------------------------------------------------------------


def calculate(process: str, variant: str | None, dates: Mapping[str, date]) -> dict[str, date]:
    """The calculator: every declared date the given legal dates fix."""
    proc = declaration(process)
    out: dict[str, date] = {}
    for deadline in proc.deadlines:
        day = deadline.rule.on(dates, variant)
        if day is not None:
            out.setdefault(deadline.output, day)
    return out


def steps(case: ClockCase, today: date, amber_days: int = DEFAULT_AMBER_DAYS) -> list[StepStatus]:
    """Every step that is due on this case, as it stands ``today``, in statutory order; a
    closed case as it stood the day it ended (a duty it missed stays as late as it was)."""
    if case.ended_on is not None:
        today = min(today, case.ended_on)
    out: list[StepStatus] = []
    for deadline in case.declared.deadlines:
        defn = deadline.step
        due = deadline.rule.on(case.dates, case.variant)
        if defn is None or due is None:
            continue
        periods = [
            exc.Period(e.start, e.end) for e in case.exceptions if e.reason in defn.lifted_by
        ]
        # An exception counts only within the period the limit runs (reg 27(3): "during that
        # time period"): the 14 weeks from the decision, not the 15 days before it.
        runs_from = min(
            (case.dates[a] for a in deadline.rule.anchors() if a in case.dates),
            default=case.opened_on,
        )
        target = exc.operational_target(due, runs_from, periods)
        completed = case.done.get(defn.id.value)
        out.append(
            status_of(
                defn,
                due=due,
                target=target,
                exception_applies=target != due,
                completed_on=completed,
                applicable=completed is not None or not case.closed or _missed(defn, target, case),
                today=today,
                amber_days=amber_days,
            )
        )
    for request in case.advice:
        periods = [
            exc.Period(e.start, e.end) for e in case.exceptions if e.reason in exc.ADVICE_REASONS
        ]
        due = weeks_after(request.adviser_received, ADVICE_WEEKS)
        target = exc.operational_target(due, request.adviser_received, periods)
        out.append(
            status_of(
                P.ASSESSMENT_ADVICE,
                number=request.id,
                label=f"{request.advice_type.value.replace('-', ' ').capitalize()} advice "
                f"from {request.provider}",
                due=due,
                target=target,
                exception_applies=target != due,
                completed_on=request.received_on,
                applicable=request.received_on is not None or not case.closed,
                today=today,
                amber_days=amber_days,
            )
        )
    return out


def _missed(defn: StepDef, target: date, case: ClockCase) -> bool:
    """A duty of the council's never done whose target passed before the case ended was
    missed: the ending does not excuse it. Duties still to come when the case ended are no
    longer required, and a withdrawn case requires nothing more (as a withdrawn request for
    an assessment)."""
    return (
        defn.kind is StepKind.DUTY
        and case.ending != WITHDRAWN
        and case.ended_on is not None
        and target < case.ended_on
    )


def next_deadline(steps_now: list[StepStatus]) -> StepStatus | None:
    """The earliest open step that is the council's own (advice keeps its own clock)."""
    open_steps = [s for s in steps_now if s.is_open and not is_advice_request(s.step)]
    return min(open_steps, key=lambda s: (s.target, not s.statutory), default=None)


def stage(case: ClockCase, today: date) -> str:
    """Where the case stands: its next step's id, or ``closed``."""
    if case.closed:
        return "closed"
    nxt = next_deadline(steps(case, today))
    return nxt.step if nxt else "open"


# --- the outcome -------------------------------------------------------------------------


class ClockStepResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    due: date
    target: date
    done_on: date | None
    state: StepState


class ClockOutcome(BaseModel):
    """How a duty-clock case ended, for the ledger and the KPIs."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    process: str
    variant: str | None
    opened_on: date
    ending: str
    ended_on: date
    dates: dict[str, date]
    detail: dict[str, str]
    steps: dict[str, ClockStepResult]
    in_time: bool | None
    """The steps the ending action completed (the plan issued, the notice sent) were done by
    their statutory dates; None when the case ended otherwise (withdrawn, a window closed)."""


def outcome(case: ClockCase) -> ClockOutcome:
    if case.ending is None or case.ended_on is None:
        raise RuleViolation("the case is still open")
    final = steps(case, case.ended_on)
    results = {
        s.step: ClockStepResult(due=s.due, target=s.target, done_on=s.completed_on, state=s.state)
        for s in final
        if s.state is not StepState.NOT_APPLICABLE
    }
    ended_steps = (
        [results[s.value] for s in _ending_effect(case).completes if s.value in results]
        if case.ended_by
        else []
    )
    return ClockOutcome(
        case_ref=case.case_ref,
        process=case.process,
        variant=case.variant,
        opened_on=case.opened_on,
        ending=case.ending,
        ended_on=case.ended_on,
        dates=dict(case.dates),
        detail=dict(case.start.detail),
        steps=results,
        in_time=all(r.state is StepState.MET for r in ended_steps) if ended_steps else None,
    )


def _ending_effect(case: ClockCase) -> Effect:
    assert case.ended_by is not None
    return case.declared.action(case.ended_by).effect_of(case.choices.get(case.ended_by))


def ending_words(process: str, ending: str) -> str:
    if ending == WITHDRAWN:
        return "withdrawn"
    return declaration(process).endings.get(ending, ending.replace("-", " "))
