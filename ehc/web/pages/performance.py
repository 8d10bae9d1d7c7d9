"""The performance page: the statutory KPIs of ``ehc kpi`` for a month, quarter or year, by team.

Each KPI with its rate, numerator and denominator, the council's target, a RAG tag in words,
and England's published figure (``statutory.england``); four KPIs also month by month over the
last twelve months, as an SVG chart with a table of the same figures beside it. The ledger is
the source (``ehc.kpis``); the open cases (reviews due and not yet held, the caseload) come
from the read model, which holds what ``ehc kpi`` reads from Temporal visibility.
Appeals to the Tribunal follow, by outcome and type, per 1,000 plans maintained (counts, with
no target). ``/performance.csv`` is the KPI table as CSV, with a row for each appeal count.

A supervisor's page opens on their own team; an analyst's or an admin's on every team. Either
may choose another team, or all teams, on the form.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ehc.kpis import ledger_kpis
from ehc.web.auth import Role, User, require
from ehc.web.context import WebContext, web_context
from ehc.web.csvfile import csv_response
from ehc.web.kpi_months import CHARTED, monthly_measures, months_ending
from ehc.web.kpi_view import (
    CSV_HEADER,
    AppealRow,
    Chart,
    KpiRow,
    appeal_csv_rows,
    appeal_rows,
    appeal_type_rows,
    appeals_words,
    caseload_words,
    csv_row,
    kpi_chart,
    kpi_row,
    open_now_words,
)
from ehc.web.nav import roles_for
from ehc.web.period_form import PeriodForm, period_words, read_period_form
from ehc.web.render import render
from statutory.kpi import KpiReport, OpenCase
from statutory.periods import Period

router = APIRouter()

Viewer = Annotated[User, Depends(require(*roles_for("/performance")))]
Context = Annotated[WebContext, Depends(web_context)]


def now_utc() -> datetime:
    """The moment the figures are read at (a dependency: tests fix it)."""
    return datetime.now(UTC)


def open_cases_now(ctx: WebContext, today: date, team: str | None) -> list[OpenCase]:
    """Every open case workflow as ``ehc.kpis.open_cases`` gives it, from the read model: a
    case is overdue when its next statutory step's target is before today."""
    return [
        OpenCase(
            kind=c.kind,
            caseworker=c.caseworker,
            team=c.team,
            overdue=c.next_due is not None and c.next_due < today,
            stage=c.stage,
            review_due=c.review_due,
        )
        for c in ctx.read_model.cases(team=team)
    ]


def known_teams(ctx: WebContext) -> set[str]:
    """Teams a KPI may be asked for: the ledger's, the cases' and the directory's."""
    return ctx.ledger.teams() | set(ctx.read_model.teams()) | set(ctx.directory.teams)


@dataclass(slots=True)
class Figures:
    report: KpiReport
    rows: list[KpiRow]
    charts: list[Chart]
    open_now: str = ""
    """The open cases by kind, in words ("2 assessments (1 overdue)")."""
    caseload: str = ""
    """The caseload per caseworker against its target, in words (no RAG: a tag shows it)."""
    appeals: list[AppealRow] = field(default_factory=list)
    appeal_types: list[list[str]] = field(default_factory=list)
    appeals_per: str = ""
    """What the rate per 1,000 divides by, in words."""


def _report(
    ctx: WebContext,
    period: Period,
    team: str | None,
    now: datetime,
    open_now: list[OpenCase] | None = None,
) -> KpiReport:
    """The KPI report ``ehc kpi`` gives (blocking: the databases are read here)."""
    if open_now is None:
        open_now = open_cases_now(ctx, now.date(), team)
    return ledger_kpis(
        ctx.ledger, period, team=team, targets=ctx.targets, open_now=open_now, as_of=now
    )


def _figures(ctx: WebContext, period: Period, team: str | None, now: datetime) -> Figures:
    """The KPI report and the monthly charts (blocking: the databases are read here)."""
    open_now = open_cases_now(ctx, now.date(), team)
    report = _report(ctx, period, team, now, open_now)
    last = min(period.end, now.date())
    series = monthly_measures(
        ctx.ledger,
        months_ending(last),
        team=team,
        targets=ctx.targets,
        open_now=open_now,
        as_of=now,
    )
    charts = [kpi_chart(key, series[key]) for key in CHARTED if key in series]
    c, a = report.caseload, report.appeals
    return Figures(
        report,
        [kpi_row(m) for m in report.measures],
        charts,
        open_now=open_now_words(c) if c else "",
        caseload=caseload_words(c) if c else "",
        appeals=appeal_rows(a) if a else [],
        appeal_types=appeal_type_rows(a) if a else [],
        appeals_per=appeals_words(a, report.end) if a else "",
    )


Now = Annotated[datetime, Depends(now_utc)]


async def _read(
    request: Request, ctx: WebContext, now: datetime, own_team: str | None = None
) -> PeriodForm:
    """The form as asked; with no team asked at all (not even "all teams"), ``own_team``."""
    teams = await asyncio.to_thread(known_teams, ctx)
    query = dict(request.query_params)
    if "team" not in query and own_team in teams:
        query["team"] = own_team
    return read_period_form(query, now.date(), teams)


@router.get("/performance")
async def performance(request: Request, user: Viewer, ctx: Context, now: Now) -> Response:
    """The KPIs for the period and team asked for (default: this quarter; a supervisor's own
    team, else all teams)."""
    own_team = user.team if user.role is Role.SUPERVISOR else None
    form = await _read(request, ctx, now, own_team)
    if form.errors or form.period is None:
        return render(
            request, "performance/index.html", status_code=400, form=form, errors=form.errors
        )
    figures = await asyncio.to_thread(_figures, ctx, form.period, form.team, now)
    return render(
        request,
        "performance/index.html",
        form=form,
        errors=[],
        figures=figures,
        heading=_heading(form.period, form.team, now.date()),
    )


def _heading(period: Period, team: str | None, today: date) -> str:
    words = period_words(period)
    if period.start <= today <= period.end:
        words += " (to date)"
    return f"{words}, {'team ' + team if team else 'all teams'}"


@router.get("/performance.csv")
async def performance_csv(request: Request, user: Viewer, ctx: Context, now: Now) -> Response:
    """The KPI table of ``/performance`` with the same query, one row a KPI (dates ISO)."""
    form = await _read(request, ctx, now)
    if form.errors or form.period is None:
        return render(
            request, "performance/index.html", status_code=400, form=form, errors=form.errors
        )
    report = await asyncio.to_thread(_report, ctx, form.period, form.team, now)
    name = f"kpi-{report.period}-{form.team or 'all-teams'}.csv"
    rows = [csv_row(report, m) for m in report.measures] + appeal_csv_rows(report)
    return csv_response(name, CSV_HEADER, rows)
