"""Plausible dates and case references (``statutory.bounds``, ``statutory.identifiers``).

Every date field of every request, plan and event refuses a date the rules cannot count from;
the date functions raise ``RuleViolation`` (never ``OverflowError``) whatever date they are
given; a case reference that reads like a name is refused without being repeated.
"""

from __future__ import annotations

import contextlib
import types
import typing
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from statutory import assessment as a
from statutory import bounds
from statutory import exceptions as exc
from statutory import review as r
from statutory.errors import RuleViolation
from statutory.identifiers import case_ref, looks_like_a_name

ON = date(2026, 11, 20)
EXTREMES = [date.min, date(2014, 8, 31), date(2100, 1, 1), date.max]
#: Someone 25 or over on ON, or not yet born, or no one's date of birth at all.
BIRTH_EXTREMES = [date.min, date(2001, 11, 20), ON + timedelta(days=1), date.max]

# --- one valid example of every model with a date, to bend one field at a time ----------------

ASSESSMENT_EVENTS: dict[str, dict[str, Any]] = {
    "decided-to-assess": {},
    "decided-not-to-assess": {},
    "advice-requested": {"advice_type": "medical", "provider": "Clinic", "adviser_received": ON},
    "advice-received": {"advice_id": 1},
    "advice-not-needed": {"advice_id": 1, "reason": "request-withdrawn"},
    "decided-not-to-issue": {},
    "draft-served": {},
    "setting-consulted": {"setting": "School"},
    "setting-replied": {"consultation_id": 1},
    "final-issued": {},
    "exception": {"reason": "personal-circumstances", "start": ON, "end": ON},
    "withdrawn": {},
    "caseworker-reassigned": {"caseworker": "cw202"},
}
REVIEW_EVENTS: dict[str, dict[str, Any]] = {
    "meeting-scheduled": {"meeting_date": ON},
    "invitations-sent": {},
    "advice-circulated": {},
    "meeting-held": {},
    "report-sent": {},
    "decision": {"decision": "amend"},
    "amendment-notice-sent": {},
    "final-amended-issued": {},
    "mediation-wanted": {},
    "mediation-certificate": {},
    "appeal-lodged": {},
    "appeal-concluded": {"plan_continues": True},
    "transferred-out": {"reason": "moved away"},
    "transfer-set": {
        "transfer": {"kind": "post16-post16", "year": 2027, "move_date": date(2027, 9, 1)}
    },
    "advice-requested": {"advice_type": "health", "provider": "Clinic"},
    "advice-received": {"advice_id": 1},
    "caseworker-reassigned": {"caseworker": "cw202"},
}
REF = {"case_ref": "EHC-2026-0147", "caseworker": "cw101", "team": "north"}
EXAMPLES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (a.AssessmentRequest, {**REF, "received": ON, "date_of_birth": date(2016, 3, 2)}),
    (r.PlanRecord, {**REF, "plan_date": ON, "date_of_birth": date(2016, 3, 2)}),
    (r.PhaseTransfer, {"kind": "post16-post16", "year": 2027, "move_date": date(2027, 9, 1)}),
    *((a.EVENT_TYPES[t], {"type": t, "on": ON, **f}) for t, f in ASSESSMENT_EVENTS.items()),
    *((r.EVENT_TYPES[t], {"type": t, "on": ON, **f}) for t, f in REVIEW_EVENTS.items()),
]


def _is_date(annotation: Any) -> bool:
    if annotation is date:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_date(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_date(arg) for arg in typing.get_args(annotation))
    return False


DATE_FIELDS = [
    (model, example, name)
    for model, example in EXAMPLES
    for name, info in model.model_fields.items()
    if _is_date(info.annotation)
]


def test_every_model_with_a_date_has_an_example_and_every_event_type_is_covered() -> None:
    assert set(ASSESSMENT_EVENTS) == set(a.EVENT_TYPES)
    assert set(REVIEW_EVENTS) == set(r.EVENT_TYPES)
    for model, example in EXAMPLES:
        model.model_validate(example)  # the examples themselves are valid
    assert len(DATE_FIELDS) >= 30


@pytest.mark.parametrize(
    ("model", "example", "name", "extreme"),
    [
        pytest.param(model, example, name, extreme, id=f"{model.__name__}.{name}={extreme}")
        for model, example, name in DATE_FIELDS
        for extreme in (BIRTH_EXTREMES if name == "date_of_birth" else EXTREMES)
    ],
)
def test_every_date_field_refuses_a_date_no_case_can_have(
    model: type[BaseModel], example: dict[str, Any], name: str, extreme: date
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**example, name: extreme})
    message = refused.value.errors()[0]["msg"]
    if name != "date_of_birth":
        assert "1 Sep 2014" in message or "31 Dec 2099" in message or "3 years" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(2014, 8, 31), False),
        (bounds.REGIME_START, True),
        (bounds.HORIZON, True),
        (date(2100, 1, 1), False),
    ],
)
def test_a_case_day_is_from_the_regime_start_to_the_horizon(day: date, ok: bool) -> None:
    if ok:
        assert bounds.check_day(day) == day
    else:
        with pytest.raises(RuleViolation, match=r"before 1 Sep 2014|after 31 Dec 2099"):
            bounds.check_day(day, "the request date")


def test_the_0_to_25_system_is_checked_without_repeating_the_date_of_birth() -> None:
    born = date(2001, 6, 1)
    received = date(2026, 5, 31)  # the day before the 25th birthday
    assert a.AssessmentRequest(**REF, received=received, date_of_birth=born)
    for dob, words in [
        (born - timedelta(days=1), "25 or over when the request was received"),
        (received + timedelta(days=1), "after the request was received"),
    ]:
        with pytest.raises(ValidationError) as refused:
            a.AssessmentRequest(**REF, received=received, date_of_birth=dob)
        message = refused.value.errors()[0]["msg"]
        assert words in message and str(dob.year) not in message
    with pytest.raises(ValidationError, match="25 or over when the plan was made"):
        r.PlanRecord.model_validate({**REF, "plan_date": date(2026, 6, 1), "date_of_birth": born})
    with pytest.raises(RuleViolation, match="outside the 0-25 system"):
        bounds.check_birth_day(date(1900, 1, 1))


def test_dates_set_ahead_are_within_three_years_of_the_day_they_are_recorded() -> None:
    three_years = date(2029, 11, 20)
    r.MeetingScheduled(on=ON, meeting_date=three_years)
    with pytest.raises(ValidationError, match="more than 3 years after the day it is recorded"):
        r.MeetingScheduled(on=ON, meeting_date=three_years + timedelta(days=1))
    a.ExceptionRecorded(on=ON, reason=exc.Reason.PERSONAL_CIRCUMSTANCES, start=ON, end=three_years)
    with pytest.raises(ValidationError, match=r"last day .* more than 3 years after"):
        a.ExceptionRecorded(
            on=ON,
            reason=exc.Reason.PERSONAL_CIRCUMSTANCES,
            start=ON,
            end=three_years + timedelta(days=1),
        )


def test_an_exception_starting_long_before_the_request_is_refused_by_the_rules() -> None:
    case = a.open_case(a.AssessmentRequest(**REF, received=date(2026, 1, 5)), ON)
    long_ago = a.ExceptionRecorded(
        on=ON, reason=exc.Reason.PERSONAL_CIRCUMSTANCES, start=date(2022, 1, 4), end=ON
    )
    with pytest.raises(RuleViolation, match="more than 3 years before the request"):
        a.check(case, long_ago, ON)


def test_numbers_of_requests_and_consultations_are_bounded() -> None:
    for event in ("advice-received", "advice-not-needed", "setting-replied"):
        model, fields = a.EVENT_TYPES[event], ASSESSMENT_EVENTS[event]
        key = next(k for k in fields if k.endswith("_id"))
        for bad in (0, -1, bounds.MAX_NUMBER + 1, 10**30):
            with pytest.raises(ValidationError):
                model.model_validate({"on": ON, **fields, key: bad})


# --- the date functions: RuleViolation, never OverflowError --------------------------------------

ANY_DAY = st.dates(min_value=date.min, max_value=date.max)


@settings(max_examples=300, deadline=None)
@given(received=ANY_DAY, draft=st.none() | ANY_DAY, adviser=ANY_DAY, end=ANY_DAY)
def test_assessment_dates_never_overflow(
    received: date, draft: date | None, adviser: date, end: date
) -> None:
    span = a.ExceptionSpan(exc.Reason.PERSONAL_CIRCUMSTANCES, exc.Period(received, end))
    try:
        d = a.assessment_dates(
            received, draft_served=draft, advice_received_by_adviser=[adviser], exceptions=[span]
        )
    except RuleViolation as refused:
        assert "1 Sep 2014" in str(refused) or "31 Dec 2099" in str(refused)
    else:
        assert d.final_plan.target >= d.final_plan.due


@settings(max_examples=300, deadline=None)
@given(anchor=ANY_DAY, meeting=st.none() | ANY_DAY, born=st.none() | ANY_DAY)
def test_review_dates_never_overflow(anchor: date, meeting: date | None, born: date | None) -> None:
    try:
        d = r.review_dates(anchor, meeting=meeting, decision=meeting, date_of_birth=born)
    except RuleViolation:
        return
    assert d.review_due_by > anchor


def test_the_latest_allowed_dates_still_count_through_a_whole_case() -> None:
    """What check accepts, apply and steps can handle: nothing overflows at the horizon."""
    today = bounds.HORIZON
    received = date(2099, 6, 1)
    case = a.open_case(a.AssessmentRequest(**REF, received=received), today)
    at = datetime(2099, 12, 31, tzinfo=UTC)
    for event in [
        a.DecidedToAssess(on=received),
        a.AdviceRequested(on=received, advice_type=a.AdviceType.MEDICAL, provider="Clinic"),
        a.ExceptionRecorded(
            on=today,
            reason=exc.Reason.PERSONAL_CIRCUMSTANCES,
            start=date(2096, 6, 2),
            end=bounds.HORIZON,
        ),
    ]:
        case = a.apply(case, event, today, at)
    steps = a.steps(case, today)
    assert max(s.target for s in steps) > bounds.HORIZON
    cycle = r.first_cycle(r.PlanRecord(**REF, plan_date=today))
    cycle = r.apply(cycle, r.MeetingScheduled(on=today, meeting_date=bounds.HORIZON), today, at)
    assert r.steps(cycle, today)


# --- case references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_as", "kept_as"),
    [
        ("EHC-2026-0147", "EHC-2026-0147"),
        ("ehc-2026-0147", "EHC-2026-0147"),
        ("SEN/12345", "SEN-12345"),
        ("12345", "12345"),
        ("EHCP12345", "EHCP12345"),
        ("LBH-EHC-00123", "LBH-EHC-00123"),  # a borough code and EHC: one word that counts
        ("NA-2024-001", "NA-2024-001"),
        ("CALCULATOR", "CALCULATOR"),  # one word is not a name
    ],
)
def test_council_references_are_accepted(given_as: str, kept_as: str) -> None:
    assert case_ref(given_as) == kept_as


@pytest.mark.parametrize(
    "name", ["JANE-SMITH", "jane-smith-2015", "2015-Jane-Smith", "SMITH-JANE-0147", "Jane/Smith"]
)
def test_a_reference_that_reads_like_a_name_is_refused_without_repeating_it(name: str) -> None:
    assert looks_like_a_name(name.replace("/", "-"))
    with pytest.raises(RuleViolation) as refused:
        case_ref(name)
    message = str(refused.value)
    assert "reads like a person's name" in message
    assert "JANE" not in message.upper() and "SMITH" not in message.upper()
    with pytest.raises(ValidationError):
        a.AssessmentRequest(**{**REF, "case_ref": name}, received=ON)


@pytest.mark.parametrize("bad", ["Jane Smith", "O'Brien-0001", "AB", "x" * 41, ""])
def test_other_bad_references_are_refused_without_repeating_them(bad: str) -> None:
    with pytest.raises(RuleViolation, match="not a valid case reference") as refused:
        case_ref(bad)
    assert bad.strip() == "" or bad not in str(refused.value)


# --- what check accepts, apply and the steps can handle ---------------------------------------

DAY = st.dates(min_value=bounds.REGIME_START, max_value=bounds.HORIZON)
ENDINGS = {"withdrawn", "decided-not-to-assess", "decided-not-to-issue", "transferred-out"}


def _near(draw: st.DrawFn, base: date) -> date:
    """Mostly a day soon after ``base`` (so events get past the rules), now and then any day."""
    if draw(st.integers(0, 9)) == 0:
        return draw(DAY)
    day = base + timedelta(days=draw(st.integers(-20, 500)))
    return min(max(day, bounds.REGIME_START), bounds.HORIZON)


def _events(
    draw: st.DrawFn, start: date, kinds: dict[str, dict[str, Any]], model_of: Any
) -> list[Any]:
    """Events of any types, each field bent at random within its type."""
    # Events that end a case come up less often, so that later stages are reached.
    kinds_drawn = sorted(k for k in kinds for _ in range(1 if k in ENDINGS else 4))
    out = []
    for _ in range(draw(st.integers(1, 16))):
        kind = draw(st.sampled_from(kinds_drawn))
        fields: dict[str, Any] = {"type": kind, "on": _near(draw, start)}
        for key, example in kinds[kind].items():
            if isinstance(example, date):
                fields[key] = _near(draw, fields["on"])
            elif isinstance(example, bool):
                fields[key] = draw(st.booleans())
            elif isinstance(example, int):
                fields[key] = draw(st.integers(1, 3))
            else:
                fields[key] = example
        with contextlib.suppress(ValidationError):
            out.append(model_of[kind].model_validate(fields))
    return out


@st.composite
def assessment_histories(draw: st.DrawFn) -> tuple[date, date, list[Any]]:
    received = draw(DAY)
    today = _near(draw, received + timedelta(days=300))
    return received, max(today, received), _events(draw, received, ASSESSMENT_EVENTS, a.EVENT_TYPES)


@settings(max_examples=500, deadline=None)
@given(history=assessment_histories())
def test_an_assessment_event_check_accepts_is_one_apply_and_the_steps_can_take(
    history: tuple[date, date, list[Any]],
) -> None:
    received, today, events = history
    case = a.open_case(a.AssessmentRequest(**REF, received=received), today)
    at = datetime.combine(today, datetime.min.time(), UTC)
    for event in sorted(events, key=lambda e: e.on):
        try:
            a.check(case, event, today)
        except RuleViolation:
            continue
        case = a.apply(case, event, today, at)  # what the workflow's update handler does
        a.steps(case, today)  # and then its loop and its queries
        if case.closed:
            a.outcome(case)


@st.composite
def review_histories(draw: st.DrawFn) -> tuple[date, date, list[Any]]:
    plan_date = draw(DAY)
    today = _near(draw, plan_date + timedelta(days=400))
    return plan_date, max(today, plan_date), _events(draw, plan_date, REVIEW_EVENTS, r.EVENT_TYPES)


@settings(max_examples=500, deadline=None)
@given(history=review_histories())
def test_a_review_event_check_accepts_is_one_apply_and_the_steps_can_take(
    history: tuple[date, date, list[Any]],
) -> None:
    plan_date, today, events = history
    cycle = r.first_cycle(r.PlanRecord(**REF, plan_date=plan_date))
    at = datetime.combine(today, datetime.min.time(), UTC)
    for event in sorted(events, key=lambda e: e.on):
        try:
            r.check(cycle, event, today)
        except RuleViolation:
            continue
        cycle = r.expire(r.apply(cycle, event, today, at), today)
        r.steps(cycle, today)
        r.outcome(cycle)
        if cycle.stage is r.Stage.CONCLUDED:
            cycle = r.next_cycle(cycle)
