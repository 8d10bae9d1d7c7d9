"""The EHC needs assessment: its statutory dates, its events and their order, and its outcome.

The clock starts on the day the local authority receives the request (or becomes responsible):

| step                                   | limit                                   | source        |
|----------------------------------------|-----------------------------------------|---------------|
| decide whether to assess, and notify   | 6 weeks                                 | reg 4(1), 5(1)|
| professional advice returned           | 6 weeks from the adviser's receipt      | reg 8(1)      |
| decide not to issue a plan, and notify | 16 weeks                                | reg 10(1)     |
| draft plan: representations            | 15 days beginning with service          | reg 13(1)     |
| setting consulted on being named       | reply within 15 days (guidance)         | CFA s39(2); CoP 9.83 |
| final plan issued                      | 20 weeks                                | reg 13(2)     |

Exceptions (reg 5(4), 8(2), 10(4), 13(3), 2A) lift the duty without moving the date; see
``statutory.exceptions``. The functions here are pure: "today" is always an argument.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from statutory import bounds, events
from statutory import exceptions as exc
from statutory import processes as P
from statutory.dates import as_written, days_beginning_with, weeks_after, weeks_taken
from statutory.errors import RuleViolation
from statutory.identifiers import CaseRef, StaffId, TeamId
from statutory.process import StepDef, is_advice_request
from statutory.steps import DEFAULT_AMBER_DAYS, StepStatus, status_of
from statutory.steps import next_deadline as next_deadline  # re-exported: rules.next_deadline

DECIDE_TO_ASSESS_WEEKS = 6  # reg 4(1), 5(1)
ADVICE_WEEKS = 6  # reg 8(1)
DECIDE_NOT_TO_ISSUE_WEEKS = 16  # reg 10(1)
REPRESENTATION_DAYS = 15  # reg 13(1)
SETTING_REPLY_DAYS = 15  # CFA s39(2), CoP 9.83 (guidance)
FINAL_PLAN_WEEKS = 20  # reg 13(2)


class Stage(StrEnum):
    DECISION = "decision"  # request received, deciding whether to assess
    ASSESSMENT = "assessment"  # assessing: gathering advice
    DRAFT = "draft"  # draft plan served, representations and consultation
    CLOSED = "closed"


#: How each stage reads to a person (screens, summaries, the rules' refusals).
STAGE_WORDS: dict[Stage, str] = {
    Stage.DECISION: "deciding whether to assess",
    Stage.ASSESSMENT: "assessing",
    Stage.DRAFT: "draft plan served",
    Stage.CLOSED: "closed",
}


class Ending(StrEnum):
    PLAN_ISSUED = "plan-issued"
    NOT_ASSESSED = "not-assessed"
    NOT_ISSUED = "not-issued"
    WITHDRAWN = "withdrawn"


#: How each ending reads to a person.
ENDING_WORDS: dict[Ending, str] = {
    Ending.PLAN_ISSUED: "final plan issued",
    Ending.NOT_ASSESSED: "decided not to assess",
    Ending.NOT_ISSUED: "decided not to issue a plan",
    Ending.WITHDRAWN: "request withdrawn",
}


class AdviceType(StrEnum):
    """Advice the local authority must seek (reg 6(1))."""

    PARENT = "parent"  # reg 6(1)(a)
    EDUCATIONAL = "educational"  # reg 6(1)(b)
    MEDICAL = "medical"  # reg 6(1)(c)
    PSYCHOLOGICAL = "psychological"  # reg 6(1)(d)
    SOCIAL_CARE = "social-care"  # reg 6(1)(e)
    PREPARING_FOR_ADULTHOOD = "preparing-for-adulthood"  # reg 6(1)(f), from Year 9
    OTHER = "other"  # reg 6(1)(g)


# --- the calculation, on plain dates ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExceptionSpan:
    """An exception as the date arithmetic needs it."""

    reason: exc.Reason
    period: exc.Period
    advice_id: int | None = None  # an advice exception limited to one request

    def lifts_la_step(self) -> bool:
        # An exception recorded against one advice request (reg 8(2)) covers only that step.
        return self.reason in exc.LA_STEP_REASONS and self.advice_id is None

    def lifts_advice(self, advice_id: int) -> bool:
        return self.reason in exc.ADVICE_REASONS and self.advice_id in (None, advice_id)


@dataclass(frozen=True, slots=True)
class DatedLimit:
    due: date
    target: date
    exception_applies: bool


def limit(due: date, clock_start: date, periods: Sequence[exc.Period]) -> DatedLimit:
    target = exc.operational_target(due, clock_start, periods)
    return DatedLimit(due, target, target != due)


@dataclass(frozen=True, slots=True)
class AssessmentDates:
    """Every date of an assessment that can be computed from what is known."""

    received: date
    decide_to_assess: DatedLimit
    decide_not_to_issue: DatedLimit
    final_plan: DatedLimit
    latest_draft: date
    """Planning date: a draft served later leaves less than 15 days before week 20."""
    representations_close: date | None
    advice: tuple[DatedLimit, ...]


def assessment_dates(
    received: date,
    *,
    draft_served: date | None = None,
    advice_received_by_adviser: Sequence[date] = (),
    exceptions: Sequence[ExceptionSpan] = (),
) -> AssessmentDates:
    """The statutory dates and operational targets of an assessment.

    ``advice_received_by_adviser`` are the days each adviser received the request; advice
    ids are their 1-based positions. A date outside ``statutory.bounds`` raises
    ``RuleViolation``: nothing is counted from it.
    """
    bounds.check_days(
        (received, "the request date"),
        (draft_served, "the day the draft was served"),
        *((day, "the day an adviser received the request") for day in advice_received_by_adviser),
        *((e.period.start, "an exception's first day") for e in exceptions),
        *((e.period.end, "an exception's last day") for e in exceptions),
    )
    la_periods = [e.period for e in exceptions if e.lifts_la_step()]
    final_due = weeks_after(received, FINAL_PLAN_WEEKS)
    advice = tuple(
        limit(
            weeks_after(day, ADVICE_WEEKS),
            day,
            [e.period for e in exceptions if e.lifts_advice(i)],
        )
        for i, day in enumerate(advice_received_by_adviser, start=1)
    )
    return AssessmentDates(
        received=received,
        decide_to_assess=limit(weeks_after(received, DECIDE_TO_ASSESS_WEEKS), received, la_periods),
        decide_not_to_issue=limit(
            weeks_after(received, DECIDE_NOT_TO_ISSUE_WEEKS), received, la_periods
        ),
        final_plan=limit(final_due, received, la_periods),
        latest_draft=final_due - timedelta(days=REPRESENTATION_DAYS),
        representations_close=(
            days_beginning_with(draft_served, REPRESENTATION_DAYS) if draft_served else None
        ),
        advice=advice,
    )


# --- the case: request, events, state ------------------------------------------------------


class AssessmentRequest(BaseModel):
    """What starts an assessment: the request, as received by the local authority."""

    model_config = ConfigDict(frozen=True)

    case_ref: CaseRef
    received: bounds.CaseDay
    caseworker: StaffId
    team: TeamId
    date_of_birth: date | None = None

    @model_validator(mode="after")
    def _under_25_at_the_request(self) -> AssessmentRequest:
        # CFA s83(2): the 0-25 system; born on or before the request.
        if self.date_of_birth is not None:
            bounds.check_age(self.date_of_birth, self.received, "the request was received")
        return self


class DecidedToAssess(events.Event):
    """The decision to assess (reg 4(1), 5(1))."""

    title = "Decided to assess"
    type: Literal["decided-to-assess"] = "decided-to-assess"

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.DECISION)

    def apply_to(self, case: AssessmentCase) -> None:
        case.decided_to_assess_on, case.stage = self.on, Stage.ASSESSMENT


class DecidedNotToAssess(events.Event):
    """The decision not to assess (reg 5(1)): the case closes."""

    title = "Decided not to assess"
    type: Literal["decided-not-to-assess"] = "decided-not-to-assess"

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.DECISION)

    def apply_to(self, case: AssessmentCase) -> None:
        case.decided_not_to_assess_on = self.on
        case.stage, case.ending = Stage.CLOSED, Ending.NOT_ASSESSED


class AdviceAsked(events.Event):
    """What a request for advice records, in every process that asks for it: the adviser has
    6 weeks from receiving it (reg 8(1); reg 26 for a re-assessment)."""

    title = "Advice requested"
    type: Literal["advice-requested"] = "advice-requested"
    advice_type: AdviceType
    """The advice sought (reg 6(1))."""
    provider: str = Field(min_length=1, max_length=80)
    """Who is asked for it: the service or organisation, not a person's name."""
    adviser_received: bounds.CaseDay | None = None
    """The day the adviser received the request (reg 8(1)); the day it was sent if not
    given."""

    def check_asked(self, asked: Sequence[AdviceRequest], today: date) -> None:
        """The adviser's day is a real one, and the case has room for another request."""
        adviser_day = self.adviser_received or self.on
        _not_before(adviser_day, self.on, "the request for advice was sent")
        _require(
            adviser_day <= today,
            f"the adviser cannot receive it in the future ({as_written(adviser_day)})",
        )
        _require(
            len(asked) < bounds.MAX_NUMBER,
            f"a case has at most {bounds.MAX_NUMBER} requests for advice",
        )

    def add_to(self, asked: list[AdviceRequest]) -> None:
        asked.append(
            AdviceRequest(
                id=len(asked) + 1,
                advice_type=self.advice_type,
                provider=self.provider,
                requested_on=self.on,
                adviser_received=self.adviser_received or self.on,
            )
        )


class AdviceRequested(AdviceAsked):
    """A request for advice (reg 6(1)); the adviser has 6 weeks from receiving it (reg 8(1))."""

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.ASSESSMENT)
        _not_before(self.on, case.decided_to_assess_on, "the decision to assess")
        self.check_asked(case.advice, today)

    def apply_to(self, case: AssessmentCase) -> None:
        self.add_to(case.advice)


class AdviceAnswered(events.AdviceReceived):
    """Advice came back (reg 8(1)), in every process that asks for it."""

    def answered(self, asked: Sequence[AdviceRequest]) -> AdviceRequest:
        """The request this answers, once it can be: still awaited, and received by then."""
        request = find_advice(asked, self.advice_id)
        _not_done(request.received_on, f"advice {self.advice_id} was already recorded as received")
        _not_done(request.not_needed_on, f"advice {self.advice_id} was recorded as not needed")
        _not_before(
            self.on,
            request.adviser_received,
            f"the adviser received request {self.advice_id}",
        )
        return request

    def record_in(self, asked: Sequence[AdviceRequest]) -> None:
        find_advice(asked, self.advice_id).received_on = self.on


class AdviceReceived(AdviceAnswered):
    """Advice came back (reg 8(1))."""

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.ASSESSMENT, Stage.DRAFT)
        self.answered(case.advice)

    def apply_to(self, case: AssessmentCase) -> None:
        self.record_in(case.advice)


class AdviceNotNeededReason(StrEnum):
    """Why a request for advice will not be answered, and the plan may be issued without it."""

    EARLIER_ADVICE_SUFFICIENT = "earlier-advice-sufficient"
    """reg 6(4): advice already provided, and the LA, the adviser and the parent or young
    person agree that it is sufficient."""
    REQUEST_WITHDRAWN = "request-withdrawn"
    """The LA withdrew the request (asked in error, or of the wrong adviser)."""


class AdviceNotNeeded(events.Event):
    """A request for advice that will not be answered: reg 6(4), or the request withdrawn."""

    title = "Advice no longer needed"
    type: Literal["advice-not-needed"] = "advice-not-needed"
    advice_id: int = Field(ge=1, le=bounds.MAX_NUMBER)
    """The number of the request for advice (1 for the first)."""
    reason: AdviceNotNeededReason
    """Why it will not be answered (reg 6(4), or the request withdrawn)."""

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.ASSESSMENT, Stage.DRAFT)
        request = _advice(case, self.advice_id)
        _not_done(request.received_on, f"advice {self.advice_id} was already received")
        _require(
            request.not_needed is None,
            f"advice {self.advice_id} was already recorded as not needed",
        )
        _not_before(self.on, request.requested_on, f"advice {self.advice_id} was requested")

    def apply_to(self, case: AssessmentCase) -> None:
        request = _advice(case, self.advice_id)
        request.not_needed, request.not_needed_on = self.reason, self.on


class DecidedNotToIssue(events.Event):
    """The decision not to issue a plan (reg 10(1)): the case closes."""

    title = "Decided not to issue a plan"
    type: Literal["decided-not-to-issue"] = "decided-not-to-issue"

    def check(self, case: AssessmentCase, today: date) -> None:
        _check_assessed(case, self)

    def apply_to(self, case: AssessmentCase) -> None:
        case.decided_not_to_issue_on = self.on
        case.stage, case.ending = Stage.CLOSED, Ending.NOT_ISSUED


class DraftServed(events.Event):
    """The draft plan was served: 15 days for representations begin (reg 13(1))."""

    title = "Draft plan served"
    type: Literal["draft-served"] = "draft-served"

    def check(self, case: AssessmentCase, today: date) -> None:
        _check_assessed(case, self)

    def apply_to(self, case: AssessmentCase) -> None:
        case.draft_served_on, case.stage = self.on, Stage.DRAFT


class SettingConsulted(events.Event):
    """A setting was consulted on being named in the plan (CFA s39(2))."""

    title = "Setting consulted on being named"
    type: Literal["setting-consulted"] = "setting-consulted"
    setting: str = Field(min_length=1, max_length=80)
    """The school, college or other setting consulted."""

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.DRAFT)
        _not_before(self.on, case.draft_served_on, "the draft plan was served")
        _require(
            len(case.consultations) < bounds.MAX_NUMBER,
            f"a case has at most {bounds.MAX_NUMBER} setting consultations",
        )

    def apply_to(self, case: AssessmentCase) -> None:
        case.consultations.append(
            Consultation(id=len(case.consultations) + 1, setting=self.setting, consulted_on=self.on)
        )


class SettingReplied(events.Event):
    """A consulted setting replied (CoP 9.83)."""

    title = "Setting replied"
    type: Literal["setting-replied"] = "setting-replied"
    consultation_id: int = Field(ge=1, le=bounds.MAX_NUMBER)
    """The number of the consultation (1 for the first)."""

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.DRAFT)
        consultation = _consultation(case, self.consultation_id)
        _require(
            consultation.replied_on is None,
            f"consultation {self.consultation_id} already has a reply",
        )
        _not_before(self.on, consultation.consulted_on, "the setting was consulted")

    def apply_to(self, case: AssessmentCase) -> None:
        _consultation(case, self.consultation_id).replied_on = self.on


class FinalPlanIssued(events.Event):
    """The final plan was issued (reg 13(2)): the case closes."""

    title = "Final plan issued"
    type: Literal["final-issued"] = "final-issued"
    representations_received: bool = False
    """The parent or young person made their representations before the 15 days ran out
    (reg 13(1))."""

    def check(self, case: AssessmentCase, today: date) -> None:
        _stage(case, self, Stage.DRAFT)
        _not_before(self.on, case.draft_served_on, "the draft plan was served")
        closes = case.dates().representations_close
        assert closes is not None
        _require(
            self.on > closes or self.representations_received,
            f"the 15 days for representations on the draft run to {as_written(closes)} (reg 13(1)); "
            "issue the final plan after that, or record that representations were received",
        )
        missing = [a.describe() for a in case.advice if a.outstanding]
        _require(
            not missing,
            f"{'; '.join(missing)} {'is' if len(missing) == 1 else 'are'} still outstanding "
            "(reg 6(1)): record it received, or record advice-not-needed with the reason "
            "(earlier advice agreed sufficient, reg 6(4), or the request withdrawn)",
        )

    def apply_to(self, case: AssessmentCase) -> None:
        case.final_issued_on = self.on
        case.stage, case.ending = Stage.CLOSED, Ending.PLAN_ISSUED


class ExceptionRecorded(events.ExceptionRecorded):
    """An exception; ``on`` is the day it was recorded, ``start``..``end`` its period."""

    on: bounds.CaseDay
    """The day the exception is recorded."""
    reason: exc.Reason
    """The exception that applies (reg 5(4), 8(2), 10(4), 13(3), 2A)."""
    advice_id: int | None = Field(default=None, ge=1, le=bounds.MAX_NUMBER)
    """The one request for advice it applies to (reg 8(2)); none for the whole case."""

    def check(self, case: AssessmentCase, today: date) -> None:
        period = exc.Period(self.start, self.end)
        exc.check_period(self.reason, period)
        bounds.check_behind(
            self.start, case.request.received, "the exception's first day", "the request"
        )
        _require(
            self.end >= case.request.received,
            f"the exception ends ({as_written(self.end)}) before the request was received "
            f"({as_written(case.request.received)})",
        )
        if self.advice_id is not None:
            _require(
                self.reason in exc.ADVICE_REASONS,
                f"{self.reason.value} is not an exception to the advice limit (reg 8(2))",
            )
            _advice(case, self.advice_id)
        if self.reason is exc.Reason.MISSED_APPOINTMENT:
            _require(
                self.advice_id is not None,
                "missed-appointment applies to one advice request (reg 8(2)(c)): give its "
                "advice id",
            )
        if self.reason in (exc.Reason.SCHOOL_CLOSURE, exc.Reason.EARLY_YEARS_CLOSURE):
            exc.check_closure_covers_request(
                self.reason,
                period,
                [a.requested_on for a in case.advice if a.advice_type is AdviceType.EDUCATIONAL],
            )

    def apply_to(self, case: AssessmentCase) -> None:
        case.exceptions.append(
            RecordedException(
                id=len(case.exceptions) + 1,
                reason=self.reason,
                start=self.start,
                end=self.end,
                note=self.note,
                advice_id=self.advice_id,
                recorded_on=self.on,
            )
        )


class Withdrawn(events.Event):
    """The request was withdrawn: the case closes."""

    title = "Request withdrawn"
    type: Literal["withdrawn"] = "withdrawn"
    reason: str = Field(default="", max_length=200)
    """Why it was withdrawn."""

    def check(self, case: AssessmentCase, today: date) -> None:
        """Any open case can be withdrawn, at any stage."""

    def apply_to(self, case: AssessmentCase) -> None:
        case.withdrawn_on = self.on
        case.stage, case.ending = Stage.CLOSED, Ending.WITHDRAWN


class CaseworkerReassigned(events.CaseworkerReassigned):
    def check(self, case: AssessmentCase, today: date) -> None:
        self.check_moves(case, "the case")


AssessmentEvent = Annotated[
    DecidedToAssess
    | DecidedNotToAssess
    | AdviceRequested
    | AdviceReceived
    | AdviceNotNeeded
    | DecidedNotToIssue
    | DraftServed
    | SettingConsulted
    | SettingReplied
    | FinalPlanIssued
    | ExceptionRecorded
    | Withdrawn
    | CaseworkerReassigned,
    Field(discriminator="type"),
]

EVENT_TYPES = events.by_type(AssessmentEvent)


class AdviceRequest(BaseModel):
    id: int
    advice_type: AdviceType
    provider: str
    requested_on: date
    adviser_received: date
    received_on: date | None = None
    not_needed: AdviceNotNeededReason | None = None
    not_needed_on: date | None = None

    @property
    def outstanding(self) -> bool:
        return self.received_on is None and self.not_needed is None

    def describe(self) -> str:
        return f"advice {self.id} ({self.advice_type.value} from {self.provider})"


class Consultation(BaseModel):
    id: int
    setting: str
    consulted_on: date
    replied_on: date | None = None


class RecordedException(BaseModel):
    id: int
    reason: exc.Reason
    start: date
    end: date
    note: str = ""
    advice_id: int | None = None
    recorded_on: date

    def span(self) -> ExceptionSpan:
        return ExceptionSpan(self.reason, exc.Period(self.start, self.end), self.advice_id)


class TimelineEntry(BaseModel):
    recorded_at: datetime
    event: AssessmentEvent


class AssessmentCase(BaseModel):
    """The state of one assessment, rebuilt from its request and events."""

    request: AssessmentRequest
    caseworker: str
    team: str
    stage: Stage = Stage.DECISION
    ending: Ending | None = None
    decided_to_assess_on: date | None = None
    decided_not_to_assess_on: date | None = None
    decided_not_to_issue_on: date | None = None
    draft_served_on: date | None = None
    final_issued_on: date | None = None
    withdrawn_on: date | None = None
    advice: list[AdviceRequest] = Field(default_factory=list)
    consultations: list[Consultation] = Field(default_factory=list)
    exceptions: list[RecordedException] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)

    @property
    def case_ref(self) -> str:
        return self.request.case_ref

    @property
    def closed(self) -> bool:
        return self.stage is Stage.CLOSED

    @property
    def closed_on(self) -> date | None:
        return (
            self.final_issued_on
            or self.decided_not_to_assess_on
            or self.decided_not_to_issue_on
            or self.withdrawn_on
        )

    def dates(self) -> AssessmentDates:
        return assessment_dates(
            self.request.received,
            draft_served=self.draft_served_on,
            advice_received_by_adviser=[a.adviser_received for a in self.advice],
            exceptions=[e.span() for e in self.exceptions],
        )


def open_case(request: AssessmentRequest, today: date) -> AssessmentCase:
    """A new case for a request; a request cannot be received in the future."""
    if request.received > today:
        raise RuleViolation(
            f"the request cannot be received in the future ({as_written(request.received)} "
            f"is after {as_written(today)})"
        )
    return AssessmentCase(request=request, caseworker=request.caseworker, team=request.team)


# --- validation and application of events -------------------------------------------------
#
# Each event's own rule and its effect are its ``check`` and ``apply_to``, above.


_require = events.require


def _not_done(done_on: date | None, what: str) -> None:
    """Refuse an event overtaken by what was done on ``done_on`` (None: not done)."""
    if done_on is not None:
        raise RuleViolation(f"{what} on {as_written(done_on)}")


_not_before = events.not_before


def _stage(case: AssessmentCase, event: events.Event, *stages: Stage) -> None:
    events.at_stage(case.stage, stages, event, "case", STAGE_WORDS)


def _check_assessed(case: AssessmentCase, event: DecidedNotToIssue | DraftServed) -> None:
    """The decision on the plan comes after the decision to assess and the requests for
    advice (reg 10(1), 13(1))."""
    _stage(case, event, Stage.ASSESSMENT)
    _not_before(event.on, case.decided_to_assess_on, "the decision to assess")
    _not_before(event.on, _last_advice_request(case), "the last request for advice")


def find_advice(asked: Sequence[AdviceRequest], advice_id: int) -> AdviceRequest:
    """The request for advice numbered ``advice_id`` on a case."""
    for request in asked:
        if request.id == advice_id:
            return request
    known = ", ".join(str(a.id) for a in asked) or "none yet"
    raise RuleViolation(f"there is no advice request {advice_id} on this case (known: {known})")


def _advice(case: AssessmentCase, advice_id: int) -> AdviceRequest:
    return find_advice(case.advice, advice_id)


def _consultation(case: AssessmentCase, consultation_id: int) -> Consultation:
    for consultation in case.consultations:
        if consultation.id == consultation_id:
            return consultation
    raise RuleViolation(f"there is no setting consultation {consultation_id} on this case")


def _last_advice_request(case: AssessmentCase) -> date | None:
    return max((a.requested_on for a in case.advice), default=None)


def check(case: AssessmentCase, event: AssessmentEvent, today: date) -> None:
    """Raise ``RuleViolation`` if ``event`` cannot happen to ``case`` as it stands ``today``.

    Never changes ``case``: this is the update validator.
    """
    _not_before(event.on, case.request.received, "the request was received")
    events.not_in_future(event.on, today)
    ended = ENDING_WORDS[case.ending] if case.ending else ""
    events.still_open(case.closed, f"the case is closed ({ended})")
    event.check(case, today)


def apply(
    case: AssessmentCase, event: AssessmentEvent, today: date, recorded_at: datetime
) -> AssessmentCase:
    """The case after ``event``; raises ``RuleViolation`` (and changes nothing) if not allowed."""
    check(case, event, today)
    return events.recorded(case, event, TimelineEntry(recorded_at=recorded_at, event=event))


# --- steps, next deadline, outcome ----------------------------------------------------------


def steps(
    case: AssessmentCase, today: date, amber_days: int = DEFAULT_AMBER_DAYS
) -> list[StepStatus]:
    """Every step of the case as it stands ``today``, in statutory order (``ASSESSMENT``)."""
    d = case.dates()
    not_assessed = case.ending is Ending.NOT_ASSESSED
    ended_early = case.ending in (Ending.NOT_ASSESSED, Ending.NOT_ISSUED, Ending.WITHDRAWN)
    withdrawn = case.ending is Ending.WITHDRAWN

    def at(defn: StepDef, lim: DatedLimit, **kw: Any) -> StepStatus:
        return status_of(
            defn,
            due=lim.due,
            target=lim.target,
            exception_applies=lim.exception_applies,
            today=today,
            amber_days=amber_days,
            **kw,
        )

    out = [
        at(
            P.DECIDE_TO_ASSESS,
            d.decide_to_assess,
            completed_on=case.decided_to_assess_on or case.decided_not_to_assess_on,
            applicable=not (withdrawn and case.decided_to_assess_on is None),
        )
    ]
    for request, lim in zip(case.advice, d.advice, strict=True):
        out.append(
            at(
                P.ASSESSMENT_ADVICE,
                lim,
                number=request.id,
                label=f"{request.advice_type.value.capitalize()} advice from {request.provider}",
                completed_on=request.received_on,
                # Not required once set aside (reg 6(4), or withdrawn), or once the case ended.
                applicable=request.not_needed is None
                and not (case.closed and request.received_on is None),
            )
        )
    out.append(
        at(
            P.DECIDE_NOT_TO_ISSUE,
            d.decide_not_to_issue,
            completed_on=case.decided_not_to_issue_on,
            # Binds only a refusal: once a draft is served (the decision to issue) or the case
            # ends another way, it does not apply.
            applicable=case.decided_not_to_issue_on is not None
            or not (not_assessed or withdrawn or case.draft_served_on is not None),
        )
    )
    out.append(
        at(
            P.DRAFT,
            DatedLimit(
                d.latest_draft,
                d.latest_draft + (d.final_plan.target - d.final_plan.due),
                d.final_plan.exception_applies,
            ),
            completed_on=case.draft_served_on,
            applicable=not (ended_early and case.draft_served_on is None),
        )
    )
    for consultation in case.consultations:
        out.append(
            status_of(
                P.SETTING_REPLY,
                number=consultation.id,
                label=f"Reply from {consultation.setting} on being named",
                due=days_beginning_with(consultation.consulted_on, SETTING_REPLY_DAYS),
                completed_on=consultation.replied_on,
                applicable=not (case.closed and consultation.replied_on is None),
                today=today,
                amber_days=amber_days,
            )
        )
    out.append(
        at(
            P.FINAL_PLAN,
            d.final_plan,
            completed_on=case.final_issued_on,
            applicable=not ended_early,
        )
    )
    return out


def alert_notes(case: AssessmentCase) -> dict[str, list[str]]:
    """Extra lines for a step's reminders: the draft's names the advice still missing, which the
    plan will need (reg 6(1)) unless set aside (reg 6(4))."""
    missing = [
        f"{a.advice_type.value} from {a.provider} (requested {as_written(a.requested_on)})"
        for a in case.advice
        if a.outstanding
    ]
    if not missing:
        return {}
    return {P.DRAFT.name(): [f"Advice still missing: {'; '.join(missing)}"]}


def own_next_deadline(open_steps: Iterable[StepStatus]) -> StepStatus | None:
    """``next_deadline`` over the steps the case keeps itself: each request for advice
    (reg 8(1)) keeps its own clock as an advice workflow, so a late advice is listed once."""
    return next_deadline(s for s in open_steps if not is_advice_request(s.step))


class AssessmentOutcome(BaseModel):
    """How an assessment ended, in the terms of the national return (SEN2)."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    ending: Ending
    ended_on: date
    weeks_taken: float
    final_plan_due: date
    exceptions_apply: bool
    """An exception applied to the 20-week limit: excluded from the headline figure."""
    within_20_weeks: bool | None
    """Plan issued by week 20, counting every case (None when no plan was issued)."""
    within_20_weeks_excluding_exceptions: bool | None
    """As above, but None for exception cases, which the headline figure leaves out."""
    within_operational_target: bool | None
    decided_to_assess_within_6_weeks: bool | None
    refusal_within_16_weeks: bool | None
    advice_not_needed: dict[str, int] = Field(default_factory=dict)
    """Advice requests set aside before the plan was issued, by reason (reg 6(4) or
    withdrawn): the plan was issued without them."""


def outcome(case: AssessmentCase) -> AssessmentOutcome:
    """The outcome of a closed case."""
    if not case.closed or case.ending is None or case.closed_on is None:
        raise RuleViolation("the case is still open")
    d = case.dates()
    issued = case.final_issued_on
    within = issued <= d.final_plan.due if issued else None
    decision_day = case.decided_to_assess_on or case.decided_not_to_assess_on
    return AssessmentOutcome(
        case_ref=case.case_ref,
        ending=case.ending,
        ended_on=case.closed_on,
        weeks_taken=weeks_taken(case.request.received, case.closed_on),
        final_plan_due=d.final_plan.due,
        exceptions_apply=d.final_plan.exception_applies,
        within_20_weeks=within,
        within_20_weeks_excluding_exceptions=(
            None if within is None or d.final_plan.exception_applies else within
        ),
        within_operational_target=issued <= d.final_plan.target if issued else None,
        decided_to_assess_within_6_weeks=(
            decision_day <= d.decide_to_assess.due if decision_day else None
        ),
        refusal_within_16_weeks=(
            case.decided_not_to_issue_on <= d.decide_not_to_issue.due
            if case.decided_not_to_issue_on
            else None
        ),
        advice_not_needed=dict(
            sorted(Counter(a.not_needed.value for a in case.advice if a.not_needed).items())
        ),
    )
