"""Team (GET ``/team``): a supervisor's view of their team's statutory clock.

- steps overdue and due in the next 14 days (``EHC_AMBER_DAYS``), counted by caseworker and by
  stage, with filters, and the list of those steps: the lines ``ehc overdue --team <team>``
  prints (both read ``ReadModel.overdue``);
- caseload per caseworker against the council's target (``EHC_KPI_CASELOAD_TARGET``);
- requests for advice overdue, by provider (reg 8(1), reg 20(4));
- reviews due in the next 3 months (CFA s44(1), reg 18);
- phase transfers and their 15 February / 31 March deadlines (reg 18).

Each list downloads as CSV (ISO dates): ``/team/overdue.csv``, ``/team/caseload.csv``,
``/team/advice.csv``, ``/team/reviews.csv``, ``/team/transfers.csv``, with the page's query.
A supervisor sees their own team unless they choose another (``?team=``); an admin sees
every team unless they choose one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ehc.overdue import KINDS, OverdueLine, totals
from ehc.web import caseload
from ehc.web.auth import Role, User, require
from ehc.web.context import WebContext, web_context
from ehc.web.csvfile import csv_response
from ehc.web.render import render
from ehc.web.team_reader import TeamReader
from statutory.dates import months_after
from statutory.identifiers import STAFF_ID_PATTERN, TEAM_PATTERN

router = APIRouter()

Supervisor = Annotated[User, Depends(require(Role.SUPERVISOR, Role.ADMIN))]
Web = Annotated[WebContext, Depends(web_context)]
Today = Annotated[date, Depends(caseload.today_utc)]

SHOWN = 500
"""At most this many rows of a list on the page; its CSV file has them all."""


@dataclass(frozen=True, slots=True)
class TeamQuery:
    """What the page was asked for, checked."""

    team: str | None
    """None: every team (an admin's default)."""
    caseworker: str | None
    kind: str | None
    stage: str | None
    within: int
    """Days ahead the overdue list also shows (0: overdue only)."""

    def link(self, path: str, *, filtered: bool = False) -> str:
        """``path`` for this team (``filtered``: with the overdue list's filters too)."""
        params = {"team": self.team or ""}
        if filtered:
            params |= {
                "caseworker": self.caseworker or "",
                "kind": self.kind or "",
                "stage": self.stage or "",
                "within": str(self.within),
            }
        shown = {k: v for k, v in params.items() if v}
        return f"{path}?{urlencode(shown)}" if shown else path


def team_query(
    user: Supervisor,
    web: Web,
    team: str = "",
    caseworker: str = "",
    kind: str = "",
    stage: str = "",
    within: str = "",
) -> tuple[TeamQuery, list[tuple[str, str]]]:
    """Dependency: the query and ``(field id, message)`` for each part refused."""
    amber_days = web.settings.amber_days
    asked_team = caseload.blank_none(team)
    chosen_team = asked_team if asked_team is not None else _default_team(user)
    chosen_kind = caseload.blank_none(kind)
    chosen_stage = caseload.blank_none(stage)
    chosen_caseworker = caseload.blank_none(caseworker)
    if chosen_caseworker is not None:
        chosen_caseworker = chosen_caseworker.lower()  # staff ids are lower case
    errors = caseload.filter_errors(kind=chosen_kind, stage=chosen_stage)
    days = _within(within, amber_days)
    if days is None:
        errors.append(("within", "Choose what to show from the list"))
    read_model = web.read_model
    if asked_team is not None:
        known = set(read_model.teams()) | set(web.directory.teams)
        refused = caseload.unknown("team", asked_team, known, TEAM_PATTERN)
        if refused:
            errors.append(("team", refused))
    if chosen_caseworker is not None:
        known = set(read_model.caseworkers()) | set(web.directory.people)
        refused = caseload.unknown("caseworker", chosen_caseworker, known, STAFF_ID_PATTERN)
        if refused:
            errors.append(("caseworker", refused))
    query = TeamQuery(
        team=chosen_team,
        caseworker=chosen_caseworker,
        kind=chosen_kind,
        stage=chosen_stage,
        within=amber_days if days is None else days,
    )
    return query, errors


Query = Annotated[tuple[TeamQuery, list[tuple[str, str]]], Depends(team_query)]


def _default_team(user: User) -> str | None:
    return user.team if user.role is Role.SUPERVISOR else None


def _title(query: TeamQuery, errors: list[tuple[str, str]]) -> str:
    if any(field == "team" for field, _ in errors):
        return "Team"  # a refused team is not repeated in the heading
    return f"Team {query.team}" if query.team else "All teams"


def _within(text: str, amber_days: int) -> int | None:
    text = text.strip()
    if not text:
        return amber_days
    if not text.isdigit() or int(text) > 366:
        return None
    return int(text)


@router.get("/team", response_class=HTMLResponse)
def team_page(
    request: Request, user: Supervisor, web: Web, today: Today, asked: Query
) -> HTMLResponse:
    query, errors = asked
    read_model = web.read_model
    amber_days = web.settings.amber_days
    context: dict[str, Any] = {
        "title": _title(query, errors),
        "today": today,
        "amber_days": amber_days,
        "query": query,
        "errors": errors,
        "kind_words": caseload.kind_words,
        "stage_words": caseload.stage_words,
        "shown": SHOWN,
    }
    teams = sorted(read_model.teams())
    own = _default_team(user)
    every_team = f"Your team ({own})" if own else "All teams"
    context["team_items"] = caseload.options(
        ((t, t) for t in teams),
        query.team if query.team != own else None,
        every_team,
    )
    if errors:
        context.update(_filter_items(query, read_model.caseworkers(team=query.team), amber_days))
        return render(request, "team/index.html", status_code=400, **context)
    lines = _overdue(web, query, today)
    caseworkers = read_model.caseworkers(team=query.team)
    late_advice = _late_advice(web, query.team, today)
    transfers = _transfers(web, query.team, today)
    by_caseworker = caseload.tally_by(lines, lambda x: x.caseworker)
    by_stage = caseload.tally_by(lines, lambda x: f"{x.kind}\t{x.stage}")
    context.update(
        _filter_items(query, caseworkers, amber_days),
        lines=lines,
        line_rag=lambda x: caseload.line_rag(x, amber_days),
        rating_words=caseload.rag_words,
        when_words=lambda x: caseload.when_words(-x.days_overdue),
        totals=totals(lines),
        by_caseworker=by_caseworker,
        by_caseworker_total=caseload.tally_total(by_caseworker),
        by_stage=[(t.name.split("\t"), t) for t in by_stage],
        by_stage_total=caseload.tally_total(by_stage),
        caseloads=_caseloads(web, query.team, caseworkers),
        caseload_target=web.targets.caseload_per_caseworker,
        caseload_margin=web.targets.caseload_amber_margin,
        late_advice=late_advice,
        providers=caseload.by_provider(late_advice),
        reviews=_reviews(web, query.team, today),
        review_months=caseload.REVIEW_HORIZON_MONTHS,
        transfers=transfers,
        transfer_deadlines=caseload.transfers_by_deadline(transfers),
    )
    return render(request, "team/index.html", **context)


def _filter_items(query: TeamQuery, caseworkers: Sequence[str], amber_days: int) -> dict[str, Any]:
    return {
        "caseworker_items": caseload.options(
            ((c, c) for c in sorted(caseworkers)), query.caseworker, "All caseworkers"
        ),
        "kind_items": caseload.kind_options(query.kind),
        "stage_items": caseload.stage_options(query.stage),
        "within_items": [
            {
                "value": str(amber_days),
                "text": "Overdue and due soon",
                "selected": query.within != 0,
            },
            {"value": "0", "text": "Overdue only", "selected": query.within == 0},
        ],
    }


def _overdue(web: WebContext, query: TeamQuery, today: date) -> list[OverdueLine]:
    """The team's overdue list: ``ehc overdue --team <team> --within <n>d``'s lines."""
    lines: list[OverdueLine] = web.read_model.overdue(
        today=today,
        within_days=query.within,
        kinds=(query.kind,) if query.kind else KINDS,
        team=query.team,
        caseworker=query.caseworker,
        stage=query.stage,
    )
    return lines


def _reader(web: WebContext) -> TeamReader:
    return TeamReader(web.read_model.engine)


def _caseloads(
    web: WebContext, team: str | None, caseworkers: Sequence[str]
) -> list[caseload.CaseloadLine]:
    return caseload.caseloads(
        _reader(web).open_cases_by_caseworker(team),
        target=web.targets.caseload_per_caseworker,
        amber_margin=web.targets.caseload_amber_margin,
        caseworkers=caseworkers,
    )


def _late_advice(web: WebContext, team: str | None, today: date) -> list[caseload.StepLine]:
    rows = _reader(web).advice_overdue(team, today)
    return caseload.advice_overdue(rows, today=today, amber_days=web.settings.amber_days)


def _reviews(web: WebContext, team: str | None, today: date) -> list[caseload.DatedCase]:
    horizon = months_after(today, caseload.REVIEW_HORIZON_MONTHS)
    rows = _reader(web).reviews_due(team, horizon)
    return caseload.reviews_due(rows, today=today, amber_days=web.settings.amber_days)


def _transfers(web: WebContext, team: str | None, today: date) -> list[caseload.DatedCase]:
    rows = _reader(web).phase_transfers(team)
    return caseload.phase_transfers(rows, today=today, amber_days=web.settings.amber_days)


# --- CSV files -------------------------------------------------------------------------------
# Each list's columns: (header, value); dates stay dates, so the file has them ISO.

T = TypeVar("T")
Columns = Sequence[tuple[str, Callable[[T], object]]]

CASELOAD_COLUMNS: Columns[caseload.CaseloadLine] = (
    ("caseworker", lambda x: x.caseworker),
    ("assessments", lambda x: x.assessments),
    ("reviews", lambda x: x.reviews),
    ("open_cases", lambda x: x.total),
    ("rag", lambda x: x.rag),
)
ADVICE_COLUMNS: Columns[caseload.StepLine] = (
    ("case_ref", lambda x: x.case_ref),
    ("workflow_id", lambda x: x.workflow_id),
    ("provider", lambda x: x.provider),
    ("label", lambda x: x.label),
    ("regulation", lambda x: x.regulation),
    ("deadline", lambda x: x.target),
    ("days_overdue", lambda x: -(x.days_left or 0)),
    ("caseworker", lambda x: x.caseworker),
    ("team", lambda x: x.team),
)
REVIEW_COLUMNS: Columns[caseload.DatedCase] = (
    ("case_ref", lambda x: x.case_ref),
    ("review_due", lambda x: x.due),
    ("days_left", lambda x: x.days_left),
    ("rag", lambda x: x.rag),
    ("stage", lambda x: x.stage),
    ("caseworker", lambda x: x.caseworker),
    ("team", lambda x: x.team),
)
TRANSFER_COLUMNS: Columns[caseload.DatedCase] = (
    ("case_ref", lambda x: x.case_ref),
    ("plan_finalised_by", lambda x: x.due),
    ("latest_meeting", lambda x: x.meeting_by),
    ("days_left", lambda x: x.days_left),
    ("rag", lambda x: x.rag),
    ("stage", lambda x: x.stage),
    ("caseworker", lambda x: x.caseworker),
    ("team", lambda x: x.team),
)


def _csv(
    name: str,
    asked: tuple[TeamQuery, list[tuple[str, str]]],
    today: date,
    columns: Columns[T],
    items: Callable[[TeamQuery], Sequence[T]],
) -> Response:
    """The list ``items`` makes for the query, as a file named for the list, team and day."""
    query, errors = asked
    if errors:
        return PlainTextResponse("; ".join(m for _, m in errors), status_code=400)
    rows = [[value(x) for _, value in columns] for x in items(query)]
    team = query.team or "all-teams"
    return csv_response(f"{name}-{team}-{today.isoformat()}.csv", [h for h, _ in columns], rows)


@router.get("/team/overdue.csv")
def overdue_csv(_: Supervisor, web: Web, today: Today, asked: Query) -> Response:
    """The overdue list's lines, with the columns of ``ehc overdue --csv``."""
    columns = [(f, attrgetter(f)) for f in OverdueLine.model_fields]
    return _csv("overdue", asked, today, columns, lambda q: _overdue(web, q, today))


@router.get("/team/caseload.csv")
def caseload_csv(_: Supervisor, web: Web, today: Today, asked: Query) -> Response:
    def items(q: TeamQuery) -> list[caseload.CaseloadLine]:
        return _caseloads(web, q.team, web.read_model.caseworkers(team=q.team))

    return _csv("caseload", asked, today, CASELOAD_COLUMNS, items)


@router.get("/team/advice.csv")
def advice_csv(_: Supervisor, web: Web, today: Today, asked: Query) -> Response:
    return _csv(
        "advice-overdue", asked, today, ADVICE_COLUMNS, lambda q: _late_advice(web, q.team, today)
    )


@router.get("/team/reviews.csv")
def reviews_csv(_: Supervisor, web: Web, today: Today, asked: Query) -> Response:
    return _csv("reviews-due", asked, today, REVIEW_COLUMNS, lambda q: _reviews(web, q.team, today))


@router.get("/team/transfers.csv")
def transfers_csv(_: Supervisor, web: Web, today: Today, asked: Query) -> Response:
    return _csv(
        "phase-transfers", asked, today, TRANSFER_COLUMNS, lambda q: _transfers(web, q.team, today)
    )
