"""Reading the reporting ledger for reports: KPIs, the SEN2 table, a case's chronology.

Rows come back as the ledger's own models (``statutory.ledger``), built without
re-validation: they were validated when the workflows wrote them, and a KPI over 100,000
rows should not spend its time checking them again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Engine, Table, func, or_, select, union

from activities.outbox import migrated_engine
from activities.schema import ledger_outcomes, ledger_requests, ledger_steps
from ehc.settings import Settings
from statutory.ledger import OutcomeRecord, RequestRecord, StepRecord

R = TypeVar("R", bound=BaseModel)


class LedgerReader:
    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = migrated_engine(url_or_engine)

    def _records(
        self,
        model: type[R],
        table: Table,
        day_column: str,
        since: date | None,
        until: date | None,
        case_ref: str | None,
        team: str | None,
        where: ColumnElement[bool] | None = None,
    ) -> list[R]:
        """The rows of ``table`` in the order they were written, as ``model`` records."""
        columns = [c for c in table.c if c.name not in ("id", "recorded_at")]
        names = [c.name for c in columns]
        query = select(*columns)
        day = table.c[day_column]
        if since is not None:
            query = query.where(day >= since)
        if until is not None:
            query = query.where(day <= until)
        if case_ref is not None:
            query = query.where(table.c.case_ref == case_ref)
        if team is not None:
            query = query.where(table.c.team == team)
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as conn:
            return [
                model.model_construct(**dict(zip(names, row, strict=True)))
                for row in conn.execute(query.order_by(table.c.id))
            ]

    def steps(
        self,
        since: date | None = None,
        until: date | None = None,
        *,
        case_ref: str | None = None,
        team: str | None = None,
        families: Collection[str] | None = None,
    ) -> list[StepRecord]:
        """Completed steps, by the day they were completed.

        ``families`` keeps only those steps (``advice`` keeps ``advice`` and ``advice-N``, and
        may let a similar name through: reports still check each row's family).
        """
        where = None
        if families is not None:
            step = ledger_steps.c.step
            where = or_(step.in_(list(families)), *(step.like(f"{f}-%") for f in families))
        return self._records(
            StepRecord, ledger_steps, "completed_on", since, until, case_ref, team, where
        )

    def outcomes(
        self,
        since: date | None = None,
        until: date | None = None,
        *,
        case_ref: str | None = None,
        team: str | None = None,
        process: str | None = None,
    ) -> list[OutcomeRecord]:
        """Outcomes of assessments and review cycles, by the day they ended."""
        where = ledger_outcomes.c.process == process if process is not None else None
        return self._records(
            OutcomeRecord, ledger_outcomes, "ended_on", since, until, case_ref, team, where
        )

    def requests(
        self,
        since: date | None = None,
        until: date | None = None,
        *,
        case_ref: str | None = None,
        team: str | None = None,
    ) -> list[RequestRecord]:
        """Requests for assessment, by the day they were received."""
        return self._records(
            RequestRecord, ledger_requests, "received", since, until, case_ref, team
        )

    def teams(self) -> set[str]:
        """Every team the ledger has a row for (to recognise a team filter)."""
        query = union(
            *(select(t.c.team).distinct() for t in (ledger_steps, ledger_outcomes, ledger_requests))
        )
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}

    def first_written(self) -> date | None:
        """The day the ledger's first row was written (None: empty): before it, the ledger
        holds only what was entered since."""
        with self.engine.connect() as conn:
            firsts = [
                conn.scalar(select(func.min(t.c.recorded_at)))
                for t in (ledger_requests, ledger_steps, ledger_outcomes)
            ]
        found = [f for f in firsts if f is not None]
        return min(found).date() if found else None

    def close(self) -> None:
        self.engine.dispose()


def open_ledger(settings: Settings) -> LedgerReader:
    """The configured ledger (migrated to the current schema first)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return LedgerReader(settings.resolved_database_url)
