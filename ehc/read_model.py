"""Reading the read model: every case workflow and its steps, as the workflows last wrote them.

Screens and reports (``ehc overdue``, the API's ``/overdue``, the weekly digest, the web pages)
read here rather than Temporal visibility: one indexed query, milliseconds at tens of
thousands of cases, and current as soon as the case's activity has written it. The workflows
write it (``activities.read_model``); ``ehc db reconcile`` rebuilds it from Temporal.

Nothing is written as days pass: whether an open step is overdue is judged from its dates
when it is read (its operational target before today), so a row written months ago still
reads right.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, Select, or_, select, true

from activities.outbox import engine_of, migrated_engine
from activities.schema import case_view, step_view
from ehc.overdue import KINDS, OverdueLine, in_order, line_of, listed_once, listed_twice
from ehc.settings import Settings
from statutory.process import StepKind
from statutory.read_model import StepView
from statutory.steps import StepState, step_state


class CaseViewRow(BaseModel):
    """One case workflow: a row of ``case_view`` (``statutory.read_model.CaseView``)."""

    workflow_id: str
    case_ref: str
    kind: str
    """assessment, review or advice."""
    cycle: int
    """The review cycle; 0 for assessments and advice."""
    stage: str
    caseworker: str
    team: str
    is_open: bool
    next_step: str | None
    """The next statutory step as visibility names it (an advice workflow's: ``advice:<type>``)."""
    next_label: str | None
    next_regulation: str | None
    next_statutory: bool
    next_due: date | None
    """The next step's operational target."""
    provider: str | None
    phase_transfer_due: date | None
    review_due: date | None
    final_plan_due: date | None
    version: int
    updated_at: datetime

    @property
    def next_deadline(self) -> date | None:
        """``next_due``, under the name overdue lines and the digest read (``ehc.overdue``)."""
        return self.next_due

    def days_overdue(self, today: date) -> int | None:
        """Days past the next step's target (negative: due in that many); None: nothing due."""
        return None if self.next_due is None else (today - self.next_due).days


class StepViewRow(StepView):
    """One step of a case workflow: a row of ``step_view``, the step as its workflow wrote it
    (its ``status`` the status truth table's word, ``statutory.steps``) and whose case it is."""

    workflow_id: str
    case_ref: str
    kind: str
    caseworker: str
    team: str


#: Open cases, written ``is_open = true`` so that SQLite uses the indexes that lead with it
#: (a bare ``WHERE is_open`` scans the table).
OPEN = case_view.c.is_open == true()
_CASE_COLUMNS = [c for c in case_view.c if c.name != "id"]
_STEP_COLUMNS = [c for c in step_view.c if c.name != "id"]


#: What an overdue line needs of a case, in ``ehc.overdue.line_of``'s order.
_LISTED_COLUMNS = [
    case_view.c.kind,
    case_view.c.case_ref,
    case_view.c.stage,
    case_view.c.next_step,
    case_view.c.next_due,
    case_view.c.caseworker,
    case_view.c.team,
    case_view.c.next_label,
    case_view.c.next_regulation,
    case_view.c.next_statutory,
]


class ReadModel:
    def __init__(self, url_or_engine: str | Engine, *, migrate: bool = True) -> None:
        """``migrate``: bring the database to the current schema first (False: the caller
        already has, e.g. the worker or the API sharing the ledger's engine)."""
        self.engine = migrated_engine(url_or_engine) if migrate else engine_of(url_or_engine)

    # --- cases --------------------------------------------------------------------------------

    def cases(
        self,
        *,
        team: str | None = None,
        caseworker: str | None = None,
        kinds: Sequence[str] = KINDS,
        open_only: bool = True,
        stage: str | None = None,
    ) -> list[CaseViewRow]:
        """Case workflows by next target (none last), then case reference."""
        query = _filtered(select(*_CASE_COLUMNS), kinds, team, caseworker, stage, open_only)
        query = query.order_by(
            case_view.c.next_due.is_(None), case_view.c.next_due, case_view.c.case_ref
        )
        with self.engine.connect() as conn:
            return [
                CaseViewRow.model_construct(**row._mapping) for row in conn.execute(query).all()
            ]

    def case(self, workflow_id: str) -> CaseViewRow | None:
        """One case workflow's row, if the read model has it."""
        query = select(*_CASE_COLUMNS).where(case_view.c.workflow_id == workflow_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else CaseViewRow.model_construct(**row._mapping)

    def overdue(
        self,
        *,
        today: date,
        within_days: int = 0,
        kinds: Sequence[str] = KINDS,
        team: str | None = None,
        caseworker: str | None = None,
        stage: str | None = None,
    ) -> list[OverdueLine]:
        """Open cases whose next statutory step's target is before today (or before today +
        ``within_days``), one line per step, most overdue first: the lines
        ``ehc.overdue.overdue_report`` makes from visibility."""
        query = _filtered(select(*_LISTED_COLUMNS), kinds, team, caseworker, stage, True)
        query = query.where(
            case_view.c.next_due < today + timedelta(days=within_days),
            case_view.c.next_step.is_not(None),
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        # The rows' own columns, unpacked: a council's list is thousands of lines, and an
        # object per row (or reading a row's attributes) costs as much as the line itself.
        advised = {row[1] for row in rows if row[0] == "advice"}
        return in_order(
            [
                # The case's own words for its step: a review's request for advice is a
                # planning date (reg 20(4)), not the assessment's 6 weeks (reg 8(1)), though
                # both are published as ``advice:<type>``.
                line_of(kind, ref, stage_, step, due, worker, team_, today, _own(label, reg, sv))
                for kind, ref, stage_, step, due, worker, team_, label, reg, sv in rows
                if not listed_twice(kind, ref, step, advised)
            ]
        )

    def due(self, before: date) -> list[tuple[str, CaseViewRow]]:
        """Open cases of every kind whose next statutory target is before ``before``, as
        ``(kind, case)``, a late advice once (the weekly digest's list)."""
        query = _filtered(select(*_CASE_COLUMNS), KINDS, None, None, None, True)
        query = query.where(case_view.c.next_due < before, case_view.c.next_step.is_not(None))
        with self.engine.connect() as conn:
            rows = [
                CaseViewRow.model_construct(**row._mapping) for row in conn.execute(query).all()
            ]
        return listed_once((row.kind, row) for row in rows)

    # --- steps --------------------------------------------------------------------------------

    def steps(
        self, workflow_id_or_case_ref: str, *, today: date | None = None
    ) -> list[StepViewRow]:
        """The steps of one case workflow (by its id), or of every workflow of a case (by its
        reference: the assessment, its requests for advice, the plan's review), by target.

        ``today``: an open step's status is judged again on that day (open or overdue); without
        it, statuses are as the workflow last wrote them.
        """
        key = workflow_id_or_case_ref
        query = (
            select(*_STEP_COLUMNS)
            .where(or_(step_view.c.workflow_id == key, step_view.c.case_ref == key))
            .order_by(step_view.c.operational_due, step_view.c.workflow_id, step_view.c.step)
        )
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        return [StepViewRow.model_construct(**_judged(row, today)) for row in rows]

    # --- what the filters may name ------------------------------------------------------------

    def teams(self, *, open_only: bool = False) -> list[str]:
        """Teams named on a case (open or closed; ``open_only``: on an open case)."""
        return self._distinct(case_view.c.team, open_only)

    def caseworkers(self, team: str | None = None, *, open_only: bool = False) -> list[str]:
        """Caseworkers named on a case (of ``team``, if given)."""
        return self._distinct(case_view.c.caseworker, open_only, team)

    def stages(self, *, open_only: bool = False) -> list[str]:
        """Stages cases are at (``open_only``: open cases)."""
        return self._distinct(case_view.c.stage, open_only)

    def _distinct(self, column: Any, open_only: bool, team: str | None = None) -> list[str]:
        query = select(column).distinct().order_by(column)
        if open_only:
            query = query.where(OPEN)
        if team is not None:
            query = query.where(case_view.c.team == team)
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def holds_any(self) -> bool:
        """Whether any case, open or closed, is in the read model (empty: never filled)."""
        with self.engine.connect() as conn:
            return conn.execute(select(case_view.c.id).limit(1)).first() is not None

    def close(self) -> None:
        self.engine.dispose()


def _own(
    label: str | None, regulation: str | None, statutory: bool
) -> tuple[str, str, bool] | None:
    """A step as its case described it (None: an older row without its words)."""
    return None if label is None else (label, regulation or "", statutory)


def _filtered(
    query: Select[Any],
    kinds: Sequence[str],
    team: str | None,
    caseworker: str | None,
    stage: str | None,
    open_only: bool,
) -> Select[Any]:
    if open_only:
        query = query.where(OPEN)
    if tuple(kinds) != KINDS:
        query = query.where(case_view.c.kind.in_(list(kinds)))
    if team is not None:
        query = query.where(case_view.c.team == team)
    if caseworker is not None:
        query = query.where(case_view.c.caseworker == caseworker)
    if stage is not None:
        query = query.where(case_view.c.stage == stage)
    return query


def _judged(row: dict[str, Any], today: date | None) -> dict[str, Any]:
    """An open step's status on ``today`` from its dates (the truth table, ``step_state``)."""
    status = StepState(row["status"])
    if today is not None and status.is_open:
        status = step_state(
            due=row["due"],
            target=row["operational_due"],
            exception_applies=row["operational_due"] != row["due"],
            completed_on=None,
            applicable=True,
            today=today,
        )
    return {**row, "status": status, "step_kind": StepKind(row["step_kind"])}


def open_read_model(settings: Settings) -> ReadModel:
    """The configured read model (the database migrated to the current schema first)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return ReadModel(settings.resolved_database_url)
