"""Custom search attributes: what makes "overdue" a visibility query, not a flag.

All of them are keywords or dates, never names. Register them on any new namespace:
the embedded server does it at start; for a cluster see README ("Search attributes").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from temporalio.common import SearchAttributeKey

CASE_REF = SearchAttributeKey.for_keyword("EhcCaseRef")
KIND = SearchAttributeKey.for_keyword("EhcKind")
STAGE = SearchAttributeKey.for_keyword("EhcStage")
NEXT_STEP = SearchAttributeKey.for_keyword("EhcNextStep")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("EhcNextDeadline")
CASEWORKER = SearchAttributeKey.for_keyword("EhcCaseworker")
TEAM = SearchAttributeKey.for_keyword("EhcTeam")
FINAL_PLAN_DUE = SearchAttributeKey.for_datetime("EhcFinalPlanDue")
REVIEW_DUE = SearchAttributeKey.for_datetime("EhcReviewDue")

ALL: tuple[SearchAttributeKey[str] | SearchAttributeKey[datetime], ...] = (
    CASE_REF,
    KIND,
    STAGE,
    NEXT_STEP,
    NEXT_DEADLINE,
    CASEWORKER,
    TEAM,
    FINAL_PLAN_DUE,
    REVIEW_DUE,
)


def end_of(day: date) -> datetime:
    """A deadline day as the instant it passes, so ``EhcNextDeadline < now`` means overdue."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def server_flags() -> list[str]:
    """``--search-attribute`` flags for ``temporal server start-dev``."""
    return [f"--search-attribute={key.name}={key.indexed_value_type.name.title()}" for key in ALL]
