"""The demo staff the local sign-in lists: the demo caseload's caseworkers (``ehc.demo``),
a supervisor for each of its teams, an analyst and an admin; and anyone the directory
gives a role."""

from __future__ import annotations

from functools import cache

from activities.directory import Directory
from ehc.demo import TEAMS
from ehc.web.auth import Role, User

ANALYST = User("send-analyst", "SEND analyst", Role.ANALYST)
ADMIN = User("send-admin", "SEND systems administrator", Role.ADMIN)


def supervisor_id(team: str) -> str:
    """``north`` -> ``sup-north``, as in ``samples/directory.toml``."""
    return f"sup-{team}"


def demo_staff() -> list[User]:
    """Caseworkers and supervisors team by team, then the analyst and the admin."""
    staff: list[User] = []
    for team, caseworkers in TEAMS.items():
        staff += [User(cw, f"Caseworker {cw}", Role.CASEWORKER, team) for cw in caseworkers]
        staff.append(User(supervisor_id(team), f"Supervisor, {team} team", Role.SUPERVISOR, team))
    return [*staff, ANALYST, ADMIN]


def local_staff(directory: Directory) -> list[User]:
    """Who the local sign-in offers: the demo staff, and the directory's people with a role
    (the directory's entry wins for an id in both)."""
    listed = {user.staff_id: user for user in demo_staff()}
    for pid, access in directory.staff.items():
        role = Role.parse(access.role)
        if role is not None:
            listed[pid] = User(pid, access.name or pid, role, access.team)
    return list(listed.values())


@cache
def _demo_names() -> dict[str, str]:
    return {user.staff_id: user.name for user in demo_staff()}


def account_words(user: User) -> str:
    """Who is signed in, as the header names them, their role and team once each:
    "Jo Bloggs · Supervisor, north team". A demo member's name only says their role again
    ("Caseworker cw101"), so they go by their staff id: "cw101 · Caseworker, north team"."""
    who = user.staff_id if _demo_names().get(user.staff_id) == user.name else user.name
    team = f", {user.team} team" if user.team else ""
    return f"{who} · {user.role.label}{team}"
