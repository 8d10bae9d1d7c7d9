"""The demo staff the local sign-in lists: the demo caseload's caseworkers (``ehc.demo``),
a supervisor for each of its teams, an analyst and an admin; and anyone the directory
gives a role."""

from __future__ import annotations

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
