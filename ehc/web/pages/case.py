"""The case pages: a case's whole chronology, starting an assessment, and recording events.

| route | who |
|---|---|
| GET, POST ``/case`` (find a case by reference) | a caseworker, a supervisor, an admin |
| GET ``/case/{ref}`` | a caseworker of the case's team, a supervisor, an admin |
| GET, POST ``/case/new`` | a caseworker (for their own team), an admin |
| GET ``/case/{ref}/record`` | a caseworker of the case's team, an admin |
| GET, POST ``/case/{ref}/record/{event}`` | the same |

Starting and recording go through the services the CLI and the API use (``ehc.cases``,
``ehc.reviews``), and the forms are made from the events' models as the CLI's options are
(``ehc.web.case_events``), so the rules refuse exactly what they refuse there: a refused
event is shown with the rule's sentence, the form filled in again, status 400, and nothing
written. What is typed (a note, a reason) goes in the form's body only: never in a URL, a
redirect or a log.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ehc import wording
from ehc.cases import Assessments, CaseError, CaseNotFound, checked_ref
from ehc.cli.record import Kind
from ehc.reviews import Reviews
from ehc.text import day
from ehc.web import case_file, duty_file, duty_forms
from ehc.web.auth import Forbidden, Role, User, require, signed_in
from ehc.web.case_events import ASSESSMENT, REVIEW, EventForm, Process
from ehc.web.case_file import CaseUnavailable, Holder, within
from ehc.web.context import WebContext, web_context
from ehc.web.csrf import verify_csrf
from ehc.web.error_page import PageInstead, error_page
from ehc.web.forms import (
    Field,
    FormRefused,
    date_parts,
    missing,
    read_all,
    sentence,
    typed,
)
from ehc.web.render import render
from statutory import assessment as assessment_rules
from statutory import review as review_rules
from statutory.errors import RuleViolation
from statutory.steps import StepStatus
from workflows.models import AssessmentView, ReviewView

router = APIRouter()
T = TypeVar("T")

Reader = Annotated[User, Depends(require(Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN))]
Writer = Annotated[User, Depends(require(Role.CASEWORKER, Role.ADMIN))]
Web = Annotated[WebContext, Depends(web_context)]
BANNER = "case_banner"
"""The session's one-time success banner, shown by the case page after a redirect."""


def today() -> date:
    return datetime.now(UTC).date()


# --- find a case ------------------------------------------------------------------------------

FIND_FIELD = Field(
    "ref",
    Kind.TEXT,
    "Case reference",
    "For example, EHC-2026-0147.",
    required=True,
    max_length=40,
)


@router.get("/case", response_class=HTMLResponse)
async def find_case_form(request: Request, user: Reader) -> HTMLResponse:
    return _find_page(request, user, [])


@router.post("/case", dependencies=[Depends(verify_csrf)], response_model=None)
async def find_case(request: Request, user: Reader) -> Response:
    """Go to a case by its reference. Posted, not a query: what is typed may be a name by
    mistake, and an address is kept in logs and histories."""
    typed_ref = (await _posted(request)).get(FIND_FIELD.name, "")
    if not typed_ref.strip():
        return _find_page(request, user, [(FIND_FIELD.name, missing(FIND_FIELD))])
    try:
        return RedirectResponse(f"/case/{checked_ref(typed_ref)}", status_code=303)
    except CaseError as error:
        return _find_page(request, user, [(FIND_FIELD.name, sentence(str(error)))])


def _find_page(request: Request, user: User, errors: list[tuple[str, str]]) -> HTMLResponse:
    return _form_page(
        request,
        "case/find.html",
        (FIND_FIELD,),
        {},  # a refused reference is not shown again: it may be a name
        errors,
        400 if errors else 200,
        may_start=user.role in (Role.CASEWORKER, Role.ADMIN),
    )


# --- start an assessment ---------------------------------------------------------------------

START_FIELDS = (
    Field(
        "case_ref",
        Kind.TEXT,
        "Case reference",
        "The council's case reference, for example EHC-2026-0147. Never the child's name.",
        required=True,
        max_length=40,
    ),
    Field(
        "received",
        Kind.DATE,
        "The day the request was received",
        "The day the council received the request for an EHC needs assessment (or became "
        "responsible for the child or young person). For example, 27 3 2026.",
        required=True,
    ),
    Field(
        "caseworker",
        Kind.TEXT,
        "Caseworker's staff id",
        "The staff id of the caseworker who holds the case, for example cw101: not a name.",
        required=True,
        max_length=40,
    ),
    Field(
        "team",
        Kind.TEXT,
        "Team",
        "The team id, for example north.",
        required=True,
        max_length=40,
    ),
    Field(
        "date_of_birth",
        Kind.DATE,
        "Date of birth of the child or young person (optional)",
        "It checks that the request is within the 0 to 25 system (CFA s83(2)), and times the "
        "reviews of a child under 5. For example, 14 6 2019.",
        birth=True,
    ),
)


def _start_fields(user: User) -> tuple[Field, ...]:
    """A caseworker starts assessments for their own team: the team is not asked."""
    if user.role is Role.CASEWORKER:
        return tuple(f for f in START_FIELDS if f.name != "team")
    return START_FIELDS


def _may_start(user: User) -> None:
    if user.role is Role.CASEWORKER and not user.team:
        raise Forbidden(user, "You are in no team, so you cannot start an assessment.")


@router.get("/case/new", response_class=HTMLResponse)
async def new_case(request: Request, user: Writer) -> HTMLResponse:
    _may_start(user)
    values = {"caseworker": user.staff_id} if user.role is Role.CASEWORKER else {}
    return _start_page(request, user, values, [])


@router.post("/case/new", dependencies=[Depends(verify_csrf)], response_model=None)
async def start_case(request: Request, user: Writer, web: Web) -> Response:
    _may_start(user)
    fields = _start_fields(user)
    values = typed(fields, await _posted(request))
    try:
        given = read_all(fields, values)
        if user.role is Role.CASEWORKER:
            given["team"] = user.team
        request_for = assessment_rules.AssessmentRequest(**given)
    except FormRefused as refused:
        return _start_page(request, user, values, refused.errors, status_code=400)
    except ValidationError as error:
        errors = [_model_error(e, fields) for e in error.errors()]
        return _start_page(request, user, values, errors, status_code=400)
    service = Assessments(web.client, web.settings)
    try:
        started = await within(web.settings.api.temporal_timeout, service.start(request_for))
    except CaseError as error:
        return _start_page(
            request, user, values, [("received", _rule(error, request_for.case_ref))], 400
        )
    except CaseUnavailable as error:
        return _unavailable(request, str(error))
    ref = request_for.case_ref
    if not started:
        message = f"An assessment with case reference {ref} already exists"
        return _start_page(request, user, values, [("case_ref", message)], 400, existing=ref)
    due = assessment_rules.assessment_dates(request_for.received).final_plan.due
    _banner(request, ref, "Assessment started", f"The final plan is due by {day(due)} (reg 13(2)).")
    return RedirectResponse(f"/case/{ref}", status_code=303)


def _start_page(
    request: Request,
    user: User,
    values: dict[str, str],
    errors: list[tuple[str | None, str]] | list[tuple[str, str]],
    status_code: int = 200,
    existing: str | None = None,
) -> HTMLResponse:
    return _form_page(
        request,
        "case/new.html",
        _start_fields(user),
        values,
        errors,
        status_code,
        team=user.team if user.role is Role.CASEWORKER else None,
        existing=existing,
    )


# --- a case's page -----------------------------------------------------------------------------


@router.get("/case/{case_ref}", response_class=HTMLResponse)
async def case_page(request: Request, case_ref: str, user: Reader, web: Web) -> HTMLResponse:
    ref = _case_ref(request, case_ref)
    started = duty_file.started_here(request, ref)
    case, clocks = await _or_page(request, ref, _case_file(web, ref, started))
    team = case.team or (clocks[-1].team if clocks else None)
    _may_read(user, team, ref)
    may_record = team is not None and user.may_record(team)
    return render(
        request,
        "case/show.html",
        case_ref=ref,
        banner=_take_banner(request, ref),
        next=case_file.next_up(case.holder, case.chronology),
        process=case.holder.process,
        facts=case_file.facts(case.holder),
        sections=case_file.sections(
            duty_file.without_clocks(case.chronology), web.settings.amber_days
        ),
        chronology=case.chronology,
        may_record=may_record,
        advice=_advice_rows(case.holder),
        clocks=clocks,
        # A plan's duty clocks are started from its page (a transfer in from /case/new).
        may_start_clocks=may_record and case.holder.review is not None,
        start_clocks=[(p, duty_forms.START_TITLES[p][0]) for p in duty_forms.ON_A_CASE],
    )


async def _case_file(
    web: WebContext, case_ref: str, started: list[str]
) -> tuple[case_file.CaseFile, list[duty_file.Clock]]:
    """The case and its duty clocks; a case with only duty clocks (a plan just transferred
    in, before its review starts) has an empty file beside them."""
    clocks = await duty_file.case_clocks(web.client, web.settings, case_ref, today(), started)
    try:
        found = await case_file.load_case(web.client, web.settings, web.ledger, case_ref, today())
    except CaseNotFound:
        if not clocks:
            raise
        found = case_file.empty_file(case_ref, today())
    return found, clocks


def _may_read(user: User, team: str | None, case_ref: str) -> None:
    """A caseworker reads their own team's cases; a supervisor or an admin reads every case."""
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return
    if team is None or not user.may_record(team):
        raise Forbidden(user, f"{case_ref} is not a case of your team.")


def _may_record(user: User, team: str | None, case_ref: str) -> None:
    if team is None or not user.may_record(team):
        raise Forbidden(
            user, f"You cannot record events on {case_ref}: it is not your team's case."
        )


@dataclass(frozen=True, slots=True)
class AdviceRow:
    number: int
    advice: str
    requested: str
    status: str


def _advice_rows(held: Holder) -> list[AdviceRow]:
    """The assessment's requests for advice by number (the number a form asks for), each
    with its own clock's status (reg 8(1))."""
    if held.assessment is None:
        return []
    steps = {s.step: s for s in held.assessment.steps}
    rows = []
    for a in held.assessment.case.advice:
        step = steps.get(f"advice-{a.id}")
        if a.not_needed is not None:
            status = f"not needed: {wording.ADVICE_NOT_NEEDED[a.not_needed]}"
        elif step is not None:
            status = wording.step_status(step)
            status += f" (due {day(step.target)})" if step.is_open else ""
        else:
            status = ""
        rows.append(
            AdviceRow(
                a.id,
                f"{wording.ADVICE_TYPE[a.advice_type].capitalize()} advice from {a.provider}",
                day(a.requested_on),
                status,
            )
        )
    return rows


# --- recording events --------------------------------------------------------------------------


@router.get("/case/{case_ref}/record", response_class=HTMLResponse)
async def record_list(request: Request, case_ref: str, user: Writer, web: Web) -> HTMLResponse:
    ref, held = await _recordable(request, case_ref, user, web)
    process = _process(held)
    return render(
        request,
        "case/record_list.html",
        case_ref=ref,
        open=held.process is not None,
        stage=held.stage,
        process=process,
        forms=list(process.forms.values()),
    )


@router.get("/case/{case_ref}/record/{event}", response_class=HTMLResponse)
async def record_form(
    request: Request, case_ref: str, event: str, user: Writer, web: Web
) -> HTMLResponse:
    ref, held, form = await _event_form(request, case_ref, event, user, web)
    values = {f"on-{k}": v for k, v in date_parts(today()).items()}
    return _record_page(request, ref, held, form, values, [])


@router.post(
    "/case/{case_ref}/record/{event}", dependencies=[Depends(verify_csrf)], response_model=None
)
async def record_event(
    request: Request, case_ref: str, event: str, user: Writer, web: Web
) -> Response:
    ref, held, form = await _event_form(request, case_ref, event, user, web)
    values = typed(form.fields, await _posted(request))
    try:
        parsed = form.event_from(values)
    except FormRefused as refused:
        return _record_page(request, ref, held, form, values, refused.errors, 400)
    try:
        stage, next_step = await _or_page(
            request, ref, _record(web, held, _process(held), ref, parsed)
        )
    except RuleViolation as error:
        return _record_page(request, ref, held, form, values, [(None, sentence(str(error)))], 400)
    except CaseError as error:
        return _record_page(request, ref, held, form, values, [(None, _rule(error, ref))], 400)
    text = f"The case is now at: {stage}."
    if next_step is not None:
        text += f" {wording.next_step(next_step)}."
    _banner(request, ref, f"Recorded: {form.title}", text)
    return RedirectResponse(f"/case/{ref}", status_code=303)


async def _record(
    web: WebContext, held: Holder, process: Process[Any], case_ref: str, event: Any
) -> tuple[str, StepStatus | None]:
    """Record through the workflow's ``record`` update, as ``ehc ... record`` does: its
    validator runs the rules first, so a refused event writes nothing (``CaseError``).

    A closed case's workflow has finished and takes no update; its rules, run here on its
    last state, say why (``RuleViolation``)."""
    if held.process is None:
        if held.review is not None:
            review_rules.check(held.review.cycle, event, today())
        elif held.assessment is not None:
            assessment_rules.check(held.assessment.case, event, today())
    seconds = web.settings.api.temporal_timeout
    if process is ASSESSMENT:
        view: AssessmentView = await within(
            seconds, Assessments(web.client, web.settings).record(case_ref, event)
        )
        return wording.ASSESSMENT_STAGE[view.case.stage], view.next_step
    review: ReviewView = await within(
        seconds, Reviews(web.client, web.settings).record(case_ref, event)
    )
    return wording.REVIEW_STAGE[review.stage], review.next_step


async def _recordable(
    request: Request, case_ref: str, user: User, web: WebContext
) -> tuple[str, Holder]:
    """The case to record on (its reference as the rules write it); ``PageInstead`` when it
    cannot be had (no such case, Temporal not answering), ``Forbidden`` when it is not a case
    of ``user``'s team."""
    ref = _case_ref(request, case_ref)
    held = await _or_page(request, ref, _holder(web, ref))
    _may_record(user, held.team, ref)
    return ref, held


async def _event_form(
    request: Request, case_ref: str, event: str, user: User, web: WebContext
) -> tuple[str, Holder, EventForm[Any]]:
    """``_recordable``'s case and the form of its ``event``; ``PageInstead`` (404) for an
    event its process does not have."""
    ref, held = await _recordable(request, case_ref, user, web)
    form = _process(held).forms.get(event)
    if form is None:
        raise PageInstead(_no_such_event(request, ref, held))
    return ref, held, form


async def _holder(web: WebContext, case_ref: str) -> Holder:
    held = await case_file.holder(web.client, web.settings, case_ref, today())
    if held.assessment is None and held.review is None:
        raise CaseNotFound(f"no case with case reference {case_ref}")
    return held


def _process(held: Holder) -> Process[Any]:
    """The process that takes the case's events: the open one; for a closed case the last
    one it had, whose rules then refuse the event with their reason."""
    if held.process == "review" or (held.process is None and held.review is not None):
        return REVIEW
    return ASSESSMENT


def _record_page(
    request: Request,
    case_ref: str,
    held: Holder,
    form: EventForm[Any],
    values: dict[str, str],
    errors: list[tuple[str | None, str]],
    status_code: int = 200,
) -> HTMLResponse:
    return _form_page(
        request,
        "case/record.html",
        form.fields,
        values,
        errors,
        status_code,
        case_ref=case_ref,
        form=form,
        references=case_file.references(held),
    )


# --- shared -------------------------------------------------------------------------------------


async def _posted(request: Request) -> dict[str, str]:
    """The posted form's text fields (a file, if any is sent, is ignored)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _case_ref(request: Request, case_ref: str) -> str:
    """The case reference as the rules write it; ``PageInstead`` (404) for one that cannot be
    (not repeated: it may be a name)."""
    try:
        return checked_ref(case_ref)
    except CaseError:
        raise PageInstead(_not_found(request)) from None


def _form_page(
    request: Request,
    template: str,
    fields: tuple[Field, ...],
    values: dict[str, str],
    errors: list[tuple[str | None, str]] | list[tuple[str, str]],
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page with a form: its ``fields`` filled in with ``values``, and for ``errors`` the
    error summary's links (to each field's first box; an error of the whole form to the
    first field) and each field's own message."""
    anchors = {f.name: f.anchor for f in fields}
    first = fields[0].anchor
    summary = [(anchors.get(name or "", first), message) for name, message in errors]
    inline: dict[str, str] = {}
    for name, message in errors:
        if name is not None and name in anchors:
            inline.setdefault(name, message)
    return render(
        request,
        template,
        status_code=status_code,
        fields=fields,
        values=values,
        errors=summary,
        field_errors=inline,
        **context,
    )


def _model_error(error: Any, fields: tuple[Field, ...]) -> tuple[str, str]:
    """A start request's model error against its field (never repeating the value)."""
    where = [str(p) for p in error["loc"] if not isinstance(p, int)]
    names = {f.name: f for f in fields}
    field = names.get(where[0]) if where else None
    if error["type"] == "missing" and field is not None:
        return field.name, missing(field)
    message = sentence(str(error["msg"]).removeprefix("Value error, "))
    return (field.name if field else fields[0].name), message


def _rule(error: CaseError, case_ref: str) -> str:
    """The rule's sentence from a refusal (``ehc.cases`` puts the case reference first)."""
    message = str(error).removeprefix(f"{case_ref}: ").removeprefix("rejected: ")
    return sentence(message)


def _banner(request: Request, case_ref: str, heading: str, text: str) -> None:
    request.session[BANNER] = {"case_ref": case_ref, "heading": heading, "text": text}


def _take_banner(request: Request, case_ref: str) -> dict[str, str] | None:
    banner = request.session.get(BANNER)
    if not isinstance(banner, dict) or banner.get("case_ref") != case_ref:
        return None
    del request.session[BANNER]
    return banner


def _not_found(request: Request, case_ref: str | None = None) -> HTMLResponse:
    """The 404 page: no case has that reference (or it cannot be one: then it is not
    repeated, as it may be a name)."""
    user = signed_in(request)
    return render(
        request,
        "case/not_found.html",
        status_code=404,
        case_ref=case_ref,
        may_start=user is not None and user.role in (Role.CASEWORKER, Role.ADMIN),
    )


async def _or_page(request: Request, case_ref: str, work: Awaitable[T]) -> T:
    """What ``work`` gives; else ``PageInstead`` with the page that says why it could not: no
    such case (404), or Temporal not answering (503). A refused event is the caller's to show."""
    try:
        return await work
    except CaseNotFound:
        raise PageInstead(_not_found(request, case_ref)) from None
    except CaseUnavailable as error:
        raise PageInstead(_unavailable(request, str(error))) from None


def _no_such_event(request: Request, case_ref: str, held: Holder) -> HTMLResponse:
    known = ", ".join(f.title.lower() for f in _process(held).forms.values())
    message = f"That is not an event {case_ref} can have. It can have: {known}."
    return error_page(request, 404, "Page not found", message)


def _unavailable(request: Request, message: str) -> HTMLResponse:
    return error_page(request, 503, "Sorry, the case cannot be reached now", message)
