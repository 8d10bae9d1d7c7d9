"""My cases (GET ``/my-cases``): a caseworker's open cases, overdue first, then those due in
the next 14 days (``EHC_AMBER_DAYS``), then the rest, each with its next statutory step, date,
regulation and RAG rating; requests for advice under their case. Filters by kind and stage.

A caseworker sees their own cases; a supervisor or an admin may look at anyone's
(``?caseworker=``). Read from the read model (``ehc.read_model``), not Temporal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ehc.web import caseload
from ehc.web.auth import Forbidden, Role, User, require
from ehc.web.context import WebContext, web_context
from ehc.web.render import render
from statutory.identifiers import STAFF_ID_PATTERN

router = APIRouter()

Viewer = Annotated[User, Depends(require(Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN))]
Web = Annotated[WebContext, Depends(web_context)]
Today = Annotated[date, Depends(caseload.today_utc)]

SHOWN = 500
"""At most this many cases in a section (the filters narrow a longer list)."""


@router.get("/my-cases", response_class=HTMLResponse)
def my_cases_page(
    request: Request,
    user: Viewer,
    web: Web,
    today: Today,
    caseworker: str = "",
    kind: str = "",
    stage: str = "",
) -> HTMLResponse:
    asked = caseload.blank_none(caseworker)
    if asked is not None:
        asked = asked.lower()
    if user.role is Role.CASEWORKER and asked not in (None, user.staff_id):
        raise Forbidden(user, "A caseworker sees their own cases only.")
    whose = asked or user.staff_id
    chosen_kind, chosen_stage = caseload.blank_none(kind), caseload.blank_none(stage)
    errors = caseload.filter_errors(kind=chosen_kind, stage=chosen_stage)
    read_model = web.read_model
    may_choose = user.role in (Role.SUPERVISOR, Role.ADMIN)
    known: list[str] = sorted(read_model.caseworkers()) if may_choose else []
    if asked is not None and asked != user.staff_id:
        # Someone the directory lists with no case yet is known; anyone else is refused.
        known_ids = set(known) | set(web.directory.people)
        refused = caseload.unknown("caseworker", asked, known_ids, STAFF_ID_PATTERN)
        if refused:
            errors.append(("caseworker", refused))
    if errors:
        mine = caseload.MyCases([], [], [])
    else:
        mine = caseload.my_cases(
            read_model.cases(caseworker=whose, open_only=True),
            today=today,
            amber_days=web.settings.amber_days,
            kind=chosen_kind,
            stage=chosen_stage,
        )
    context: dict[str, Any] = {
        "title": _title(user, whose, errors),
        # A refused caseworker is not repeated on the page (it may be a person's name).
        "whose": None if any(f == "caseworker" for f, _ in errors) else whose,
        "today": today,
        "amber_days": web.settings.amber_days,
        "mine": mine,
        "errors": errors,
        "filtered": bool(chosen_kind or chosen_stage),
        "caseworker_items": (
            caseload.options(((c, c) for c in known), whose, "Choose a caseworker")
            if may_choose
            else []
        ),
        "kind_items": caseload.kind_options(chosen_kind),
        "stage_items": caseload.stage_options(chosen_stage),
        "kind_words": caseload.kind_words,
        "stage_words": caseload.stage_words,
        "asked": asked,
        "shown": SHOWN,
    }
    return render(request, "my_cases/index.html", status_code=400 if errors else 200, **context)


def _title(user: User, whose: str, errors: list[tuple[str, str]]) -> str:
    if whose == user.staff_id:
        return "My cases"
    # A refused caseworker is not repeated in the heading.
    return (
        "Cases of a caseworker"
        if any(f == "caseworker" for f, _ in errors)
        else f"Cases of {whose}"
    )
