"""The read model's writer: each case workflow's latest view, and the ``publish_view`` activity.

A view replaces the stored one of its workflow only when it is newer: a later review cycle, or
the same cycle with a larger version (the workflow's history length when the view was built).
So a write that arrives late, or is retried after a newer one landed, changes nothing. The
case's row and its steps are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from temporalio import activity

from activities.outbox import migrated_engine
from activities.schema import case_view, step_view
from statutory.read_model import CaseView

log = structlog.get_logger(__name__)

#: Rows changed per statement when closing many at once (SQLite binds at most 32,766 values).
CHUNK = 500


def case_row(view: CaseView) -> dict[str, Any]:
    """The ``case_view`` row of a view."""
    return view.model_dump(exclude={"steps"})


def step_rows(view: CaseView) -> list[dict[str, Any]]:
    """The ``step_view`` rows of a view: its steps, each with whose case it is."""
    whose = {
        "workflow_id": view.workflow_id,
        "case_ref": view.case_ref,
        "kind": view.kind,
        "caseworker": view.caseworker,
        "team": view.team,
    }
    return [
        {
            **whose,
            **step.model_dump(),
            "step_kind": step.step_kind.value,
            "status": step.status.value,
        }
        for step in view.steps
    ]


class ReadModelWriter:
    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = migrated_engine(url_or_engine)

    def put(self, view: CaseView) -> bool:
        """Store ``view`` unless the stored one is as new or newer; True if written."""
        with self.engine.begin() as conn:
            return self.put_on(conn, view)

    def put_on(self, conn: Connection, view: CaseView) -> bool:
        """``put`` within the caller's transaction."""
        row = case_row(view)
        upsert = _insert(conn).values(**row)
        newer = or_(
            case_view.c.cycle < upsert.excluded.cycle,
            and_(
                case_view.c.cycle == upsert.excluded.cycle,
                case_view.c.version < upsert.excluded.version,
            ),
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[case_view.c.workflow_id],
            set_={name: upsert.excluded[name] for name in row if name != "workflow_id"},
            where=newer,
        ).returning(case_view.c.id)
        # A row comes back only when it was inserted or the update's condition held; on
        # PostgreSQL a concurrent write of the same workflow waits for this one's row lock.
        if conn.execute(upsert).first() is None:
            return False
        conn.execute(delete(step_view).where(step_view.c.workflow_id == view.workflow_id))
        if view.steps:
            conn.execute(insert(step_view), step_rows(view))
        return True

    def put_many(self, views: Iterable[CaseView]) -> int:
        """Store each view (as ``put``) in one transaction; how many were written."""
        with self.engine.begin() as conn:
            return sum(self.put_on(conn, view) for view in views)

    def open_workflows(self) -> set[str]:
        """The workflow ids of every case the read model holds as open."""
        with self.engine.connect() as conn:
            query = select(case_view.c.workflow_id).where(case_view.c.is_open == true())
            return set(conn.scalars(query))

    def close(self, workflow_ids: Collection[str]) -> int:
        """Mark these cases closed (their workflows are no longer running); how many were
        open. Their rows keep their last view otherwise."""
        ids = sorted(workflow_ids)
        closed = 0
        with self.engine.begin() as conn:
            for start in range(0, len(ids), CHUNK):
                done = conn.execute(
                    update(case_view)
                    .where(case_view.c.workflow_id.in_(ids[start : start + CHUNK]))
                    .where(case_view.c.is_open == true())
                    .values(is_open=False)
                )
                closed += done.rowcount
        return closed


def _insert(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (SQLite and PostgreSQL alike)."""
    match conn.dialect.name:
        case "sqlite":
            return sqlite.insert(case_view)
        case "postgresql":
            return postgresql.insert(case_view)
    raise NotImplementedError(f"the read model needs SQLite or PostgreSQL, not {conn.dialect.name}")


class ReadModelActivities:
    def __init__(self, writer: ReadModelWriter) -> None:
        self.writer = writer

    @activity.defn(name="publish_view")
    def publish_view(self, view: CaseView) -> bool:
        written = self.writer.put(view)
        log.debug("read model", workflow_id=view.workflow_id, version=view.version, written=written)
        return written
