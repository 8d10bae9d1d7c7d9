"""Report routes: overdue lists, KPIs and the SEN2 return (the same figures as the CLI)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from ehc.api.auth import Principal, Role
from ehc.api.context import Context, allow
from ehc.kpis import kpis, sen2, sen2_person_level
from ehc.overdue import KINDS, OverdueReport, read_model_report
from ehc.read_model import ReadModel
from statutory.identifiers import STAFF_ID_PATTERN, TEAM_PATTERN
from statutory.kpi import KpiReport
from statutory.periods import parse_period
from statutory.sen2 import Module, module_csv, validate
from statutory.sen2_timeliness import to_csv

router = APIRouter()


class Sen2Response(BaseModel):
    year: int
    requests_complete: bool
    """False: requests awaiting a decision are not counted yet (see docs/REPORTING.md)."""
    rows: list[dict[str, str | int]]


class Sen2ModuleResponse(BaseModel):
    year: int
    """The calendar year the return covers."""
    census: date
    module: Module
    requests_complete: bool
    rows: list[dict[str, str]]
    """One row per request, assessment or plan, keyed by ``CaseRef``."""


Kind = Literal["assessment", "review", "advice"]
Team = Annotated[str | None, Query(pattern=TEAM_PATTERN, description="Only this team.")]
Overseer = Annotated[Principal, allow(Role.SUPERVISOR, Role.CASEWORKER, what="read overdue lists")]
Analyst = Annotated[Principal, allow(Role.SUPERVISOR, Role.ANALYST, what="read KPIs")]


@router.get("/overdue", tags=["reports"], response_model=OverdueReport)
async def overdue(
    ctx: Context,
    who: Overseer,
    within_days: Annotated[int, Query(ge=0, le=366, description="Also due within N days.")] = 0,
    kind: Annotated[Kind | None, Query(description="Only this kind of case.")] = None,
    team: Team = None,
    caseworker: Annotated[
        str | None, Query(pattern=STAFF_ID_PATTERN, description="Only this caseworker.")
    ] = None,
    stage: Annotated[str | None, Query(max_length=40, description="Only this stage.")] = None,
) -> Response:
    """Open cases past (or near) their next statutory target, most overdue first, from the
    read model (as ``ehc overdue``).

    A caseworker token sees its own cases only.
    """
    own = who.role is Role.CASEWORKER and who.staff_id != "*"
    if own:
        caseworker = who.staff_id
    report = await read_model_report(
        # The ledger's database, already migrated when the app started.
        ReadModel(ctx.ledger.engine, migrate=False),
        within_days=within_days,
        kinds=(kind,) if kind else KINDS,
        team=team,
        caseworker=caseworker,
        stage=stage,
        own_caseworker=own,  # a new caseworker with no case yet gets an empty list
    )
    # A council's list runs to thousands of lines: written as JSON in one pass by the model
    # itself, a quarter of the time FastAPI's re-encoding takes (benchmarks/read_model.py).
    return Response(report.model_dump_json(), media_type="application/json")


@router.get("/kpi", tags=["reports"])
async def kpi(
    ctx: Context,
    who: Analyst,
    period: Annotated[
        str,
        Query(
            pattern=r"^\d{4}(-(0[1-9]|1[0-2]|[Qq][1-4]))?$",
            description="2026-10 (month), 2026-Q3 (quarter) or 2026 (year).",
        ),
    ],
    team: Team = None,
) -> KpiReport:
    """Every KPI for the period and year to date, against target, beside England."""
    chosen = parse_period(period)
    return await ctx.within(kpis(ctx.client, ctx.ledger, chosen, team=team, targets=ctx.targets))


@router.get(
    "/sen2/{year}",
    tags=["reports"],
    response_model=Sen2Response | Sen2ModuleResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The table (JSON or CSV)."}},
)
async def sen2_table(
    ctx: Context,
    who: Analyst,
    year: Annotated[int, Path(ge=2000, le=2100, description="Calendar year, e.g. 2026.")],
    team: Team = None,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv.")] = "json",
    module: Annotated[
        Module | None,
        Query(description="A module of the SEN2 person-level return; without it, the summary."),
    ] = None,
) -> Sen2Response | Sen2ModuleResponse | PlainTextResponse:
    """A module of the SEN2 person-level return for the calendar year (as ``ehc export
    sen2 --module``), or without ``module`` the monthly assessment timeliness summary."""
    if module is not None:
        found = sen2_person_level(ctx.ledger, year, team)
        rows = found.modules[module]
        if format == "csv":
            return PlainTextResponse(module_csv(module, rows), media_type="text/csv")
        validate(module, rows)
        return Sen2ModuleResponse(
            year=year,
            census=found.census,
            module=module,
            requests_complete=found.requests_complete,
            rows=rows,
        )
    table = sen2(ctx.ledger, year, team)
    if format == "csv":
        return PlainTextResponse(to_csv(table), media_type="text/csv")
    return Sen2Response(year=table.year, requests_complete=table.requests_complete, rows=table.rows)
