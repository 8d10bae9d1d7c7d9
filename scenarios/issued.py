"""Plans issued, counted as the national return (SEN2) counts them: by month for the whole
council (``engine.Monthly``), over the run for each team (``teams.TeamRun``)."""

from __future__ import annotations

from typing import Protocol


class IssuedCounts(Protocol):
    """Plans issued; those within 20 weeks (reg 13(2)); and the same two excluding the plans an
    exception applied to (reg 13(3)), which the return leaves out of that figure."""

    issued: int
    within_20_weeks: int
    counted_excluding_exceptions: int
    within_20_weeks_excluding_exceptions: int


def count_issued(counts: IssuedCounts, within: bool, within_excluding: bool | None) -> None:
    """One plan issued, as ``casefile.issued_in_time`` judged it (``within_excluding`` None: an
    exception applied, so it is not counted excluding exceptions)."""
    counts.issued += 1
    counts.within_20_weeks += within
    if within_excluding is not None:
        counts.counted_excluding_exceptions += 1
        counts.within_20_weeks_excluding_exceptions += within_excluding
