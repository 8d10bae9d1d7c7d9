"""The service navigation: each page, and the roles that may use it.

A page module enforces the same roles with ``require(*roles_for("/team"))`` (or naming them),
so the navigation never offers a page that would answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from ehc.web.auth import Role, User

_EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Page:
    href: str
    text: str
    roles: frozenset[Role]
    description: str
    """One sentence for the home page."""


PAGES: tuple[Page, ...] = (
    Page(
        "/my-cases",
        "My cases",
        frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN}),
        "A caseworker's cases: what is overdue, what is due in the next 14 days, and the rest.",
    ),
    Page(
        "/team",
        "Team",
        frozenset({Role.SUPERVISOR, Role.ADMIN}),
        "Your team's overdue and at-risk work by caseworker and stage, caseloads, advice "
        "overdue by provider, reviews and phase transfers due; each list as a CSV file.",
    ),
    Page(
        "/case",
        "Find a case",
        frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN}),
        "Open a case by its reference: its chronology, what is next, and forms to record "
        "what happened.",
    ),
    Page(
        "/case/new",
        "Start an assessment",
        frozenset({Role.CASEWORKER, Role.ADMIN}),
        "Record a new request for an EHC needs assessment and start its statutory clock.",
    ),
    Page(
        "/performance",
        "Performance",
        frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}),
        "The key performance indicators for a month, quarter or year, by team, against "
        "target and beside England's figures.",
    ),
    Page(
        "/scenarios",
        "Scenarios",
        frozenset({Role.ANALYST, Role.ADMIN}),
        "Simulate a caseload under different staffing or demand, and compare the results.",
    ),
)


def roles_for(href: str) -> frozenset[Role]:
    """The roles that may use the page at ``href`` (everyone, for a page not listed)."""
    return next((p.roles for p in PAGES if p.href == href), _EVERYONE)


def pages_for(user: User | None) -> list[Page]:
    if user is None:
        return []
    return [p for p in PAGES if user.role in p.roles]


def navigation(user: User | None, path: str) -> list[dict[str, object]]:
    """Items for ``govukServiceNavigation``, the current page marked (``aria-current``)."""
    return [
        {
            "href": p.href,
            "text": p.text,
            "active": path == p.href or (path.startswith(p.href + "/") and p.href != "/case"),
            "current": path == p.href,
        }
        for p in pages_for(user)
    ]
