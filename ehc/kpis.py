"""KPIs and the SEN2 return for a period: the ledger's rows, visibility's open cases, the rules.

The figures are computed by ``statutory.kpi``, ``statutory.sen2`` (the person-level return)
and ``statutory.sen2_timeliness`` (the monthly summary); this module only
fetches their inputs (the ledger's rows; from visibility the open cases, including the
reviews due and not yet held). The council's targets are settings (``EHC_KPI_*``,
``ehc.settings.KpiSettings``), handed in by the caller.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from temporalio.client import Client

from activities.directory import Directory
from ehc.cases import list_cases
from ehc.known import in_directory, require_known
from ehc.ledger_reader import LedgerReader
from ehc.overdue import KINDS
from statutory.kpi import KpiReport, KpiTargets, OpenCase, kpi_report
from statutory.periods import Period
from statutory.process import StepId
from statutory.sen2 import Sen2Return, census_date, sen2_return
from statutory.sen2_timeliness import Sen2Table, sen2_table

#: The steps the KPIs count (statutory.kpi, kpi_clocks, kpi_appeals): read only these.
KPI_STEPS = (
    StepId.DECIDE_TO_ASSESS,
    StepId.ADVICE,
    StepId.REVIEW_MEETING,
    StepId.DECISION,
    StepId.FINAL_AMENDED_PLAN,
    StepId.DECIDE_TO_REASSESS,
    StepId.APPEAL_WINDOW,
)
#: A review held after the period was missed in it, if it fell due in it.
HELD_LATER = (StepId.REVIEW_MEETING,)
#: An amended plan's cycle ends at its decision, months before the plan it counts on; the
#: plans maintained (appeals per 1,000 plans) look back 12 months from the period's end.
AMEND_LOOKBACK = timedelta(days=400)


async def open_cases(
    client: Client, now: datetime, team: str | None = None, caseworker: str | None = None
) -> list[OpenCase]:
    """Every running case (of every kind) as visibility shows it now."""
    found = await asyncio.gather(
        *(list_cases(client, k, team=team, caseworker=caseworker) for k in KINDS)
    )
    today = now.astimezone(UTC).date()
    return [
        OpenCase(
            kind=kind,
            caseworker=c.caseworker,
            team=c.team,
            overdue=c.next_deadline is not None and c.next_deadline < today,
            stage=c.stage,
            review_due=c.review_due,
        )
        for kind, cases in zip(KINDS, found, strict=True)
        for c in cases
    ]


def ledger_kpis(
    ledger: LedgerReader,
    period: Period,
    *,
    team: str | None = None,
    targets: KpiTargets | None = None,
    open_now: list[OpenCase] | None = None,
    as_of: datetime | None = None,
) -> KpiReport:
    since = period.year_to_date.start
    later = ledger.steps(period.end + timedelta(days=1), None, team=team, families=HELD_LATER)
    return kpi_report(
        period,
        ledger.steps(since, period.end, team=team, families=KPI_STEPS) + later,
        ledger.outcomes(since - AMEND_LOOKBACK, None, team=team),
        targets=targets,
        team=team,
        open_cases=open_now,
        as_of=as_of,
    )


async def kpis(
    client: Client | None,
    ledger: LedgerReader,
    period: Period,
    *,
    team: str | None = None,
    targets: KpiTargets | None = None,
    now: datetime | None = None,
    directory: Directory | None = None,
) -> KpiReport:
    """The KPI report; without a Temporal client, the ledger's figures alone (no caseload,
    and reviews not yet held are not counted: the report's notes say so).

    A team that neither the ledger, nor a case in Temporal, nor ``directory`` names is
    refused (``ehc.known``).
    """
    now = now or datetime.now(UTC)
    if team is not None:
        await require_team(team, ledger, directory, client)
    open_now = await open_cases(client, now, team) if client is not None else None
    return ledger_kpis(ledger, period, team=team, targets=targets, open_now=open_now, as_of=now)


async def require_team(
    team: str, ledger: LedgerReader, directory: Directory | None, client: Client | None = None
) -> None:
    """Refuse (``RuleViolation``) a team that neither the ledger, nor ``directory``, nor (with
    a client) a case in Temporal names: a typo would otherwise read as a team with no cases
    (``ehc.known``)."""
    also = ledger.teams() | in_directory(directory, "team")
    await require_known("team", team, client=client, also=also)


def sen2(ledger: LedgerReader, year: int, team: str | None = None) -> Sen2Table:
    """The monthly assessment timeliness summary for calendar year ``year``."""
    since = date(year, 1, 1)
    return sen2_table(
        year,
        ledger.requests(since, date(year, 12, 31), team=team),
        ledger.steps(since, None, team=team, families=(StepId.DECIDE_TO_ASSESS,)),
        ledger.outcomes(since, None, team=team, process="assessment"),
    )


def sen2_person_level(ledger: LedgerReader, year: int, team: str | None = None) -> Sen2Return:
    """The SEN2 person-level return covering calendar year ``year``: the whole ledger up to
    the census date, since a plan counted on it may have been issued years before."""
    census = census_date(year)
    return sen2_return(
        year,
        ledger.requests(None, census, team=team),
        ledger.steps(None, census, team=team),
        ledger.outcomes(None, census, team=team),
    )
