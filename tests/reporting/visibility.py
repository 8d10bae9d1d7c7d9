"""A stand-in for Temporal visibility: case workflows with their search attributes, answering
the list and count queries ``ehc.cases`` and ``ehc.known`` send (AND of =, < and IN)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from typing import Any, cast

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows import search_attributes as sa

_CLAUSE = re.compile(r"^(\w+) (=|<|IN) (.+)$")


@dataclass
class Case:
    kind: str
    case_ref: str
    next_step: str | None = None
    next_deadline: date | None = None
    stage: str = "assessment"
    team: str = "north"
    caseworker: str = "cw101"
    running: bool = True

    def attributes(self) -> dict[str, Any]:
        return {
            sa.KIND.name: self.kind,
            sa.CASE_REF.name: self.case_ref,
            sa.STAGE.name: self.stage,
            sa.NEXT_STEP.name: self.next_step,
            sa.NEXT_DEADLINE.name: (
                datetime.combine(self.next_deadline, time(23, 59, 59), tzinfo=UTC)
                if self.next_deadline
                else None
            ),
            sa.TEAM.name: self.team,
            sa.CASEWORKER.name: self.caseworker,
            "ExecutionStatus": "Running" if self.running else "Completed",
        }

    def execution(self) -> SimpleNamespace:
        attrs = self.attributes()
        pairs = [
            SearchAttributePair(key, attrs[key.name])
            for key in (sa.KIND, sa.CASE_REF, sa.STAGE, sa.NEXT_STEP, sa.TEAM, sa.CASEWORKER)
            if attrs[key.name] is not None
        ]
        if attrs[sa.NEXT_DEADLINE.name] is not None:
            pairs.append(SearchAttributePair(sa.NEXT_DEADLINE, attrs[sa.NEXT_DEADLINE.name]))
        return SimpleNamespace(
            id=f"{self.kind}-{self.case_ref}",
            typed_search_attributes=TypedSearchAttributes(pairs),
            status=(
                WorkflowExecutionStatus.RUNNING
                if self.running
                else WorkflowExecutionStatus.COMPLETED
            ),
        )


def _holds(case: Case, clause: str) -> bool:
    found = _CLAUSE.match(clause.strip())
    assert found, f"the stand-in does not understand {clause!r}"
    name, op, raw = found.groups()
    value = case.attributes()[name]
    if op == "IN":
        return value in re.findall(r"'([^']*)'", raw)
    wanted = raw.strip("'")
    if op == "=":
        return bool(value == wanted)
    return value is not None and value < datetime.fromisoformat(wanted)


class Visibility:
    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases
        self.queries: list[str] = []

    def _matching(self, query: str) -> list[Case]:
        self.queries.append(query)
        return [c for c in self.cases if all(_holds(c, part) for part in query.split(" AND "))]

    async def _iterate(self, query: str) -> AsyncIterator[SimpleNamespace]:
        for case in self._matching(query):
            yield case.execution()

    def list_workflows(self, query: str, limit: int | None = None) -> AsyncIterator[Any]:
        return self._iterate(query)

    async def count_workflows(self, query: str) -> SimpleNamespace:
        return SimpleNamespace(count=len(self._matching(query)))

    @property
    def client(self) -> Client:
        return cast(Client, self)
