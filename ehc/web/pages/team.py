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
from typing import Annotated, Any
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
    late_advice = _late_advice(web, query, today)
    transfers = _transfers(web, query, today)
    by_caseworker = caseload.tally_by(lines, lambda x: x.caseworker)
    by_stage = caseload.tally_by(lines, lambda x: f"{x.kind}\t{x.stage}")
    context.update(
        _filter_items(query, caseworkers, amber_days),
        lines=lines,
        line_rag=lambda x: caseload.line_rag(x, amber_days),
        rating_words=caseload.rag_words,
        when_words=lambda x: caseload.when_words(-x.days_overdue),
        totals=totals(lines),
        by_caseworker=[(t.name, t) for t in by_caseworker],
        by_caseworker_total=caseload.tally_total(by_caseworker),
        by_stage=[(t.name.split("\t"), t) for t in by_stage],
        by_stage_total=caseload.tally_total(by_stage),
        caseloads=_caseloads(web, query.team, caseworkers),
        caseload_target=web.targets.caseload_per_caseworker,
        caseload_margin=web.targets.caseload_amber_margin,
        late_advice=late_advice,
        providers=caseload.by_provider(late_advice),
        reviews=_reviews(web, query, today),
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


def _late_advice(web: WebContext, query: TeamQuery, today: date) -> list[caseload.StepLine]:
    rows = _reader(web).advice_overdue(query.team, today)
    return caseload.advice_overdue(rows, today=today, amber_days=web.settings.amber_days)


def _reviews(web: WebContext, query: TeamQuery, today: date) -> list[caseload.DatedCase]:
    horizon = months_after(today, caseload.REVIEW_HORIZON_MONTHS)
    rows = _reader(web).reviews_due(query.team, horizon)
    return caseload.reviews_due(rows, today=today, amber_days=web.settings.amber_days)


def _transfers(web: WebContext, query: TeamQuery, today: date) -> list[caseload.DatedCase]:
    rows = _reader(web).phase_transfers(query.team)
    return caseload.phase_transfers(rows, today=today, amber_days=web.settings.amber_days)


# --- CSV files -------------------------------------------------------------------------------
# Each list's columns: (header, the attribute it shows); dates stay dates, so the file has
# them ISO. A header that is its attribute's name is given alone.

Columns = list[tuple[str, Callable[[Any], object]]]


def _columns(*named: str | tuple[str, str]) -> Columns:
    pairs = [(n, n) if isinstance(n, str) else n for n in named]
    return [(header, attrgetter(attribute)) for header, attribute in pairs]


_PLAN_COLUMNS = ("days_left", "rag", "stage", "caseworker", "team")
#: ``ehc overdue --csv``'s columns.
OVERDUE_COLUMNS = _columns(*OverdueLine.model_fields)
CASELOAD_COLUMNS = _columns("caseworker", "assessments", "reviews", ("open_cases", "total"), "rag")
ADVICE_COLUMNS = _columns(
    "case_ref",
    "workflow_id",
    "provider",
    "label",
    "regulation",
    ("deadline", "target"),
    "days_overdue",
    "caseworker",
    "team",
)
REVIEW_COLUMNS = _columns("case_ref", ("review_due", "due"), *_PLAN_COLUMNS)
TRANSFER_COLUMNS = _columns(
    "case_ref", ("plan_finalised_by", "due"), ("latest_meeting", "meeting_by"), *_PLAN_COLUMNS
)

#: What a list is for a query on a day.
Items = Callable[[WebContext, TeamQuery, date], Sequence[object]]


def _csv_route(path: str, name: str, columns: Columns, items: Items) -> None:
    """``path`` downloads the list ``items`` makes for the page's query, as a file named for
    the list, team and day; a refused query is a 400 naming what was wrong."""

    def download(_: Supervisor, web: Web, today: Today, asked: Query) -> Response:
        query, errors = asked
        if errors:
            return PlainTextResponse("; ".join(m for _, m in errors), status_code=400)
        rows = [[value(x) for _, value in columns] for x in items(web, query, today)]
        filename = f"{name}-{query.team or 'all-teams'}-{today.isoformat()}.csv"
        return csv_response(filename, [h for h, _ in columns], rows)

    router.add_api_route(path, download, methods=["GET"])


def _team_caseloads(web: WebContext, query: TeamQuery, _: date) -> list[caseload.CaseloadLine]:
    """The caseload of each caseworker the team's cases name (the page's table)."""
    return _caseloads(web, query.team, web.read_model.caseworkers(team=query.team))


_csv_route("/team/overdue.csv", "overdue", OVERDUE_COLUMNS, _overdue)
_csv_route("/team/caseload.csv", "caseload", CASELOAD_COLUMNS, _team_caseloads)
_csv_route("/team/advice.csv", "advice-overdue", ADVICE_COLUMNS, _late_advice)
_csv_route("/team/reviews.csv", "reviews-due", REVIEW_COLUMNS, _reviews)
_csv_route("/team/transfers.csv", "phase-transfers", TRANSFER_COLUMNS, _transfers)
