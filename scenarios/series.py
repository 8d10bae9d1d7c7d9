"""The weekly series a run records (scenarios/README.md says what each counts)."""

from __future__ import annotations

#: Weekly series every run records.
SERIES = (
    "requests",
    "open_assessments",
    "past_20_weeks",
    "overdue",
    "psychology_waiting",
    "plans_issued",
    "plans_issued_in_time",
    "plans_in_force",
    "review_backlog",
    "reviews_done",
    "reviews_in_time",
    "caseworkers",
    "caseload_per_caseworker",
    "hours_unused",
)
#: Weekly series each area team records, as the council's of the same name: all but the
#: cases past an operational target (a count the council keeps) and those waiting for
#: psychology advice (one county-wide service).
TEAM_SERIES = tuple(s for s in SERIES if s not in ("overdue", "psychology_waiting"))
