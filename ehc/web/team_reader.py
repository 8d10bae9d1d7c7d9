"""The Team page's own questions of the read model, each one indexed query that returns only
the rows its list shows: a council's 20,000 open cases are never all brought into Python.

The overdue list is not here: it is ``ReadModel.overdue``, so the page shows the lines
``ehc overdue --team`` prints. Each list is rated and sorted by ``ehc.web.caseload``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, Select, func, select

from activities.schema import case_view
from ehc.read_model import CaseViewRow
from statutory.kpi import CASELOAD_KINDS
from statutory.review import Stage as ReviewStage

_COLUMNS = [c for c in case_view.c if c.name != "id"]
_FINISHED = (ReviewStage.CONCLUDED.value, ReviewStage.ENDED.value)


class TeamReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_cases_by_caseworker(self, team: str | None) -> list[tuple[str, str, int]]:
        """``(caseworker, kind, open cases)`` for assessments and plans under review."""
        query = (
            _open(select(case_view.c.caseworker, case_view.c.kind, func.count()), team)
            .where(case_view.c.kind.in_(CASELOAD_KINDS))
            .group_by(case_view.c.caseworker, case_view.c.kind)
        )
        with self.engine.connect() as conn:
            return [(worker, kind, int(n)) for worker, kind, n in conn.execute(query)]

    def advice_overdue(self, team: str | None, today: date) -> list[CaseViewRow]:
        """Open requests for advice whose target is before ``today``."""
        return self._rows(
            _open(select(*_COLUMNS), team).where(
                case_view.c.kind == "advice",
                case_view.c.next_step.is_not(None),
                case_view.c.next_due < today,
            )
        )

    def reviews_due(self, team: str | None, by: date) -> list[CaseViewRow]:
        """Plans whose review meeting is still to hold and is due on or before ``by``."""
        return self._rows(
            _open(select(*_COLUMNS), team).where(
                case_view.c.kind == "review",
                case_view.c.stage == ReviewStage.AWAITING_MEETING.value,
                case_view.c.review_due <= by,
            )
        )

    def phase_transfers(self, team: str | None) -> list[CaseViewRow]:
        """Plans under review with a phase transfer in the current cycle (reg 18)."""
        return self._rows(
            _open(select(*_COLUMNS), team).where(
                case_view.c.kind == "review",
                case_view.c.phase_transfer_due.is_not(None),
                case_view.c.stage.not_in(_FINISHED),
            )
        )

    def _rows(self, query: Select[Any]) -> list[CaseViewRow]:
        with self.engine.connect() as conn:
            return [CaseViewRow.model_construct(**row._mapping) for row in conn.execute(query)]


def _open(query: Select[Any], team: str | None) -> Select[Any]:
    query = query.where(case_view.c.is_open)
    return query if team is None else query.where(case_view.c.team == team)
