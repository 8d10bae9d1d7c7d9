"""The duty-clock pages: starting a re-assessment, a Tribunal order's clock, a transfer or an
appeal window, and recording on one (its declared actions, an exception, withdrawal).

| route | who |
|---|---|
| GET, POST ``/case/{ref}/start/{process}`` (tribunal-order, reassessment, transfer-out, appeal) | a caseworker of the case's team, an admin |
| GET, POST ``/case/new/transfer-in`` | a caseworker (for their own team), an admin |
| GET, POST ``/case/{ref}/clock/{workflow id}/{form}`` | a caseworker of the clock's team, an admin |

The forms are made from the declarations (``ehc.web.duty_forms``) and go through the service
the CLI and the API use (``ehc.duties.Duties``): a refused start or event is shown with the
rule's sentence, the form filled in again, status 400, and nothing written. The case's page
lists its clocks (``ehc.web.duty_file``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ehc import wording
from ehc.cases import CaseError
from ehc.cli.record import Kind
from ehc.duties import Duties
from ehc.text import day
from ehc.web import duty_file
from ehc.web.auth import Forbidden, Role, User, require
from ehc.web.case_file import CaseUnavailable, advice_references, within
from ehc.web.context import WebContext, web_context
from ehc.web.csrf import verify_csrf
from ehc.web.duty_forms import ON_A_CASE, DutyForm, StartForm, forms_for, start_form
from ehc.web.error_page import PageInstead, error_page
from ehc.web.forms import Field, FormRefused, date_parts, read_all, sentence, typed
from ehc.web.pages import case as pages
from statutory import clocks
from statutory.errors import RuleViolation
from workflows.models import DutyView

router = APIRouter()
Writer = Annotated[User, Depends(require(Role.CASEWORKER, Role.ADMIN))]
Web = Annotated[WebContext, Depends(web_context)]

FROM_COUNCIL = Field(
    "from_council",
    Kind.TEXT,
    "The council the plan came from (optional)",
    "Its local authority code, for example 202: not a person's name.",
    max_length=80,
)


def _started_banner(request: Request, view: DutyView) -> None:
    nxt = view.next_step
    text = f"{duty_file.title_of(view.case.process, view.case.variant)}, from {day(view.case.opened_on)}."
    if nxt is not None:
        text += f" {wording.next_step(nxt)}."
    pages._banner(request, view.case.case_ref, "Clock started", text)


# --- starting a clock on a case ----------------------------------------------------------------


@router.get("/case/{case_ref}/start/{process}", response_class=HTMLResponse)
async def start_on_case_form(
    request: Request, case_ref: str, process: str, user: Writer, web: Web
) -> HTMLResponse:
    ref, caseworker, team = await _whose(request, case_ref, process, user, web)
    return _start_page(request, start_form(process), ref, caseworker, team, {}, [])


@router.post(
    "/case/{case_ref}/start/{process}", dependencies=[Depends(verify_csrf)], response_model=None
)
async def start_on_case(
    request: Request, case_ref: str, process: str, user: Writer, web: Web
) -> Response:
    ref, caseworker, team = await _whose(request, case_ref, process, user, web)
    form = start_form(process)
    values = typed(form.fields, await pages._posted(request))
    try:
        variant, dates = form.read(values)
        start = clocks.ClockStart(
            process=process,
            variant=variant,
            case_ref=ref,
            caseworker=caseworker,
            team=team,
            dates=dates,
        )
    except FormRefused as refused:
        return _start_page(request, form, ref, caseworker, team, values, refused.errors, 400)
    except ValidationError as error:
        errors = [pages._model_error(e, form.fields) for e in error.errors()]
        return _start_page(request, form, ref, caseworker, team, values, errors, 400)
    return await _start(
        request,
        web,
        start,
        lambda errors: _start_page(request, form, ref, caseworker, team, values, errors, 400),
    )


async def _whose(
    request: Request, case_ref: str, process: str, user: User, web: WebContext
) -> tuple[str, str, str]:
    """The case a clock is started on, and whose it is (the plan's caseworker and team, else
    the assessment's); ``PageInstead`` with the page that says why not (no such case or
    process)."""
    ref = pages._case_ref(request, case_ref)
    if process not in ON_A_CASE:
        raise PageInstead(_no_such_page(request))
    held = await pages._or_page(request, ref, pages._holder(web, ref))
    pages._may_record(user, held.team, ref)
    if held.review is not None:
        return ref, held.review.cycle.caseworker, held.review.cycle.team
    if held.assessment is not None:
        return ref, held.assessment.case.caseworker, held.assessment.case.team
    raise PageInstead(pages._not_found(request, ref))


def _start_page(
    request: Request,
    form: StartForm,
    case_ref: str | None,
    caseworker: str | None,
    team: str | None,
    values: dict[str, str],
    errors: list[tuple[str | None, str]] | list[tuple[str, str]],
    status_code: int = 200,
    fields: tuple[Field, ...] | None = None,
) -> HTMLResponse:
    return pages._form_page(
        request,
        "duty/start.html",
        fields or form.fields,
        values,
        errors,
        status_code,
        form=form,
        case_ref=case_ref,
        caseworker=caseworker,
        team=team,
    )


async def _start(
    request: Request,
    web: WebContext,
    start: clocks.ClockStart,
    refused: Callable[[list[tuple[str | None, str]]], HTMLResponse],
) -> Response:
    """Start the clock, remember it for the case page, and go there; or the form again with
    the rule's sentence (``refused(errors)``)."""
    duties = Duties(web.client, web.settings)
    try:
        view = await within(web.settings.api.temporal_timeout, duties.start(start))
    except CaseError as error:
        return refused([(None, pages._rule(error, start.case_ref))])
    except CaseUnavailable as error:
        return pages._unavailable(request, str(error))
    duty_file.remember(request, start.case_ref, view.workflow_id)
    _started_banner(request, view)
    return RedirectResponse(f"/case/{start.case_ref}", status_code=303)


def _no_such_page(request: Request) -> HTMLResponse:
    return error_page(
        request,
        404,
        "Page not found",
        "A case's page offers what can be started on it: a Tribunal order, a re-assessment, "
        "a move to another council, or a decision with appeal rights.",
    )


# --- a plan transferred in from another council --------------------------------------------------

TRANSFER_IN = "transfer-in"


def _transfer_in_fields(user: User) -> tuple[Field, ...]:
    asked = (
        ("case_ref", "caseworker")
        if user.role is Role.CASEWORKER
        else ("case_ref", "caseworker", "team")
    )
    who = tuple(f for f in pages.START_FIELDS if f.name in asked)
    return who + start_form(TRANSFER_IN).fields + (FROM_COUNCIL,)


@router.get("/case/new/transfer-in", response_class=HTMLResponse)
async def transfer_in_form(request: Request, user: Writer) -> HTMLResponse:
    pages._may_start(user)
    values = {"caseworker": user.staff_id} if user.role is Role.CASEWORKER else {}
    return _transfer_in_page(request, user, values, [])


@router.post("/case/new/transfer-in", dependencies=[Depends(verify_csrf)], response_model=None)
async def transfer_in(request: Request, user: Writer, web: Web) -> Response:
    pages._may_start(user)
    form = start_form(TRANSFER_IN)
    fields = _transfer_in_fields(user)
    values = typed(fields, await pages._posted(request))
    try:
        given = read_all(fields, values)
    except FormRefused as refused:
        return _transfer_in_page(request, user, values, refused.errors, 400)
    date_names = {f.name for f in form.dates}
    dates = {k: v for k, v in given.items() if k in date_names and v is not None}
    who = {k: v for k, v in given.items() if k not in date_names and v is not None}
    council = who.pop(FROM_COUNCIL.name, None)
    if user.role is Role.CASEWORKER:
        who["team"] = user.team
    try:
        start = clocks.ClockStart(
            process=TRANSFER_IN,
            dates=dates,
            detail={"from_council": council} if council else {},
            **who,
        )
    except ValidationError as error:
        errors = [pages._model_error(e, fields) for e in error.errors()]
        return _transfer_in_page(request, user, values, errors, 400)
    return await _start(
        request,
        web,
        start,
        lambda errors: _transfer_in_page(request, user, values, errors, 400),
    )


def _transfer_in_page(
    request: Request,
    user: User,
    values: dict[str, str],
    errors: list[tuple[str | None, str]] | list[tuple[str, str]],
    status_code: int = 200,
) -> HTMLResponse:
    team = user.team if user.role is Role.CASEWORKER else None
    return _start_page(
        request,
        start_form(TRANSFER_IN),
        None,
        None,
        team,
        values,
        errors,
        status_code,
        fields=_transfer_in_fields(user),
    )


# --- recording on a clock ----------------------------------------------------------------------


@router.get("/case/{case_ref}/clock/{workflow_id}/{name}", response_class=HTMLResponse)
async def clock_form(
    request: Request, case_ref: str, workflow_id: str, name: str, user: Writer, web: Web
) -> HTMLResponse:
    view, form = await _clock_form(request, case_ref, workflow_id, name, user, web)
    values = {f"on-{k}": v for k, v in date_parts(pages.today()).items()}
    return _record_page(request, view, form, values, [])


@router.post(
    "/case/{case_ref}/clock/{workflow_id}/{name}",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
async def record_on_clock(
    request: Request, case_ref: str, workflow_id: str, name: str, user: Writer, web: Web
) -> Response:
    view, form = await _clock_form(request, case_ref, workflow_id, name, user, web)
    values = typed(form.fields, await pages._posted(request))
    try:
        event = form.event_from(values)
    except FormRefused as refused:
        return _record_page(request, view, form, values, refused.errors, 400)
    ref = view.case.case_ref
    try:
        if view.case.closed:
            # An ended clock's workflow takes no update: its rules say why.
            clocks.check(view.case, event, pages.today())
        done = await within(
            web.settings.api.temporal_timeout,
            Duties(web.client, web.settings).record(view.workflow_id, event),
        )
    except RuleViolation as error:
        return _record_page(request, view, form, values, [(None, sentence(str(error)))], 400)
    except CaseError as error:
        return _record_page(request, view, form, values, [(None, pages._rule(error, ref))], 400)
    except CaseUnavailable as error:
        return pages._unavailable(request, str(error))
    _recorded_banner(request, done, form)
    return RedirectResponse(f"/case/{ref}", status_code=303)


def _recorded_banner(request: Request, view: DutyView, form: DutyForm) -> None:
    case = view.case
    where = duty_file.title_of(case.process, case.variant)
    if case.closed and case.ending is not None:
        text = f"{where}: ended, {clocks.ending_words(case.process, case.ending)}."
    else:
        text = f"{where}: open."
    nxt = view.next_step
    if nxt is not None:
        text += f" {wording.next_step(nxt)}, {wording.step_status(nxt)}."
    pages._banner(request, case.case_ref, f"Recorded: {form.title}", text)


async def _clock_form(
    request: Request, case_ref: str, workflow_id: str, name: str, user: User, web: WebContext
) -> tuple[DutyView, DutyForm]:
    """The clock to record on and its form ``name``; ``PageInstead`` when either cannot be
    had, ``Forbidden`` when it is not a clock of ``user``'s team."""
    ref = pages._case_ref(request, case_ref)
    view = await pages._or_page(
        request, ref, duty_file.one_clock(web.client, web.settings, ref, workflow_id, pages.today())
    )
    if not user.may_record(view.case.team):
        raise Forbidden(user, f"You cannot record events on {ref}: it is not your team's case.")
    forms = forms_for(view.case.process, view.case.variant)
    form = forms.get(name)
    if form is None:
        known = ", ".join(f.title.lower() for f in forms.values())
        raise PageInstead(
            error_page(
                request,
                404,
                "Page not found",
                f"That is not something this clock takes. It takes: {known}.",
            )
        )
    return view, form


def _record_page(
    request: Request,
    view: DutyView,
    form: DutyForm,
    values: dict[str, str],
    errors: list[tuple[str | None, str]],
    status_code: int = 200,
) -> HTMLResponse:
    return pages._form_page(
        request,
        "duty/record.html",
        form.fields,
        values,
        errors,
        status_code,
        case_ref=view.case.case_ref,
        workflow_id=view.workflow_id,
        clock=duty_file.title_of(view.case.process, view.case.variant),
        form=form,
        references=advice_references(view.case.advice, "On this clock"),
    )
