"""Which teams and caseworkers a report may be filtered by, so a mistyped ``--team nrth`` is
refused (naming the known ones) rather than answered with "0 overdue".

A team or caseworker is known when a case workflow Temporal still holds names it (open or
closed, any kind), when the reporting ledger has a row for it (KPIs), or when the directory
file names it (``EHC_DIRECTORY_FILE``: its teams; its people for caseworkers). The error lists
those on open cases, in the ledger and in the directory.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Literal

from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from activities.directory import Directory
from statutory.errors import RuleViolation
from statutory.identifiers import STAFF_ID_PATTERN, TEAM_PATTERN
from workflows import search_attributes as sa

What = Literal["team", "caseworker"]
KEYS: dict[What, SearchAttributeKey[str]] = {"team": sa.TEAM, "caseworker": sa.CASEWORKER}
PATTERNS: dict[What, re.Pattern[str]] = {
    "team": re.compile(TEAM_PATTERN),
    "caseworker": re.compile(STAFF_ID_PATTERN),
}
CASE_KINDS = ("assessment", "review", "advice")
SHOWN = 30
"""At most this many known values in the error; a caseload may have hundreds of staff."""


def in_directory(directory: Directory | None, what: What) -> set[str]:
    if directory is None:
        return set()
    return set(directory.teams) if what == "team" else set(directory.people)


async def _on_any_case(client: Client, what: What, value: str) -> bool:
    found = await client.count_workflows(f"{KEYS[what].name} = '{value}'")
    return found.count > 0


async def _on_open_cases(client: Client, what: What) -> set[str]:
    kinds = ", ".join(f"'{k}'" for k in CASE_KINDS)
    query = f"ExecutionStatus = 'Running' AND {sa.KIND.name} IN ({kinds})"
    out: set[str] = set()
    async for wf in client.list_workflows(query):
        value = wf.typed_search_attributes.get(KEYS[what])
        if value:
            out.add(value)
    return out


def _listing(values: Collection[str]) -> str:
    names = sorted(values)
    if not names:
        return "none yet"
    more = len(names) - SHOWN
    return ", ".join(names[:SHOWN]) + (f" and {more} more" if more > 0 else "")


async def require_known(
    what: What, value: str, *, client: Client | None, also: Collection[str] = ()
) -> None:
    """Raise ``RuleViolation`` unless ``value`` is a known team or caseworker.

    ``also``: values known from elsewhere (the directory, the ledger). Temporal is asked
    only when they do not settle it.
    """
    if value in also:
        return
    valid = PATTERNS[what].fullmatch(value) is not None
    if valid and client is not None and await _on_any_case(client, what, value):
        return
    known = set(also) | (await _on_open_cases(client, what) if client is not None else set())
    # A value that is not an id is not repeated: it is often a person's name.
    problem = f"no case has {what} '{value}'" if valid else f"that is not a {what} id"
    raise RuleViolation(f"--{what}: {problem} (known: {_listing(known)})")


async def require_filters_known(
    client: Client | None,
    *,
    team: str | None = None,
    caseworker: str | None = None,
    directory: Directory | None = None,
) -> None:
    """``require_known`` for each filter given."""
    if team is not None:
        await require_known("team", team, client=client, also=in_directory(directory, "team"))
    if caseworker is not None:
        await require_known(
            "caseworker", caseworker, client=client, also=in_directory(directory, "caseworker")
        )


async def require_listed_filters_known(
    client: Client, directory_file: Path | None, *, team: str | None, caseworker: str | None
) -> None:
    """For a case list that came back empty: refuse a team or caseworker no one has (the
    directory file is read only then)."""
    if team is None and caseworker is None:
        return
    directory = Directory.load(directory_file)
    await require_filters_known(client, team=team, caseworker=caseworker, directory=directory)
