"""The weekly digest's terms: what the digest workflow asks of its activity, and its answer.

Declared here, beside the alert's message (``statutory.alerts``), because the workflow
(``workflows.digest``) and the activity (``activities.digest``) both speak them and neither
imports the other. A digest belongs to a team and an ISO week (``week_of``): its key, so a
retried or repeated run never sends a week twice.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

#: "Due soon" in a digest: within this many days.
DUE_SOON_DAYS = 14


class DigestRequest(BaseModel):
    as_of: datetime | None = None
    """The digest's moment (the schedule's run time); None: now."""
    within_days: int = Field(default=DUE_SOON_DAYS, ge=0, le=90)


class DigestResult(BaseModel):
    teams: int
    recipients: int
    cases: int
    failed: list[str] = Field(default_factory=list)


def week_of(moment: datetime) -> str:
    """The ISO week a digest belongs to, e.g. ``2026-W48``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"
