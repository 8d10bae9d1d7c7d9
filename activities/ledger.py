"""The reporting-ledger activities: completed steps and outcomes, each written once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from activities.outbox import migrated_engine
from activities.schema import ledger_outcomes, ledger_requests, ledger_steps
from statutory.ledger import OutcomeRecord, RequestRecord, StepRecord

log = structlog.get_logger(__name__)


class Ledger:
    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = migrated_engine(url_or_engine)

    def _put(self, table: Any, row: dict[str, Any]) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(table).values(recorded_at=datetime.now(UTC), **row))
        except IntegrityError:
            return False
        return True

    def put_steps(self, records: Sequence[StepRecord]) -> int:
        """Write the records not already there; returns how many were new."""
        return sum(self._put(ledger_steps, r.model_dump()) for r in records)

    def put_outcome(self, record: OutcomeRecord) -> bool:
        return self._put(
            ledger_outcomes, record.model_dump(mode="json") | {"ended_on": record.ended_on}
        )

    def put_request(self, record: RequestRecord) -> bool:
        """Write a request for assessment once; False if it is already there."""
        return self._put(ledger_requests, record.model_dump())

    def steps(self, case_ref: str | None = None) -> list[dict[str, Any]]:
        return self._read(ledger_steps, case_ref)

    def outcomes(self, case_ref: str | None = None) -> list[dict[str, Any]]:
        return self._read(ledger_outcomes, case_ref)

    def _read(self, table: Table, case_ref: str | None) -> list[dict[str, Any]]:
        """A table's rows as written (of one case, if given)."""
        query = select(table).order_by(table.c.id)
        if case_ref:
            query = query.where(table.c.case_ref == case_ref)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


class LedgerActivities:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    @activity.defn(name="record_steps")
    def record_steps(self, records: list[StepRecord]) -> int:
        written = self.ledger.put_steps(records)
        log.debug("ledger steps", written=written, offered=len(records))
        return written

    @activity.defn(name="record_request")
    def record_request(self, record: RequestRecord) -> bool:
        written = self.ledger.put_request(record)
        log.debug("ledger request", key=record.key, written=written)
        return written

    @activity.defn(name="record_outcome")
    def record_outcome(self, record: OutcomeRecord) -> bool:
        written = self.ledger.put_outcome(record)
        log.debug("ledger outcome", key=record.key, written=written)
        return written
