"""Who an identity provider's claims say someone is, and their role and team.

The staff id is the configured claim (``EHC_WEB_OIDC_STAFF_ID_CLAIM``; ``sub`` if absent),
taken as a directory id or, failing that, a directory mailbox (Entra ID's
``preferred_username`` is the user's sign-in address). The role comes from the role claim
(Entra ID's app roles arrive in ``roles``), else from the directory; the team likewise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from activities.directory import Directory
from ehc.web.auth import Role, User
from ehc.web.settings import WebSettings


class NoAccess(Exception):
    """Signed in at the provider, but not given a way to use this service: one sentence."""


def _first_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list | tuple):
        return next((v.strip() for v in value if isinstance(v, str) and v.strip()), None)
    return None


def user_from_claims(claims: Mapping[str, Any], web: WebSettings, directory: Directory) -> User:
    """The ``User`` the claims describe; ``NoAccess`` if they have no role or no team."""
    given = _first_text(claims.get(web.oidc_staff_id_claim)) or _first_text(claims.get("sub"))
    if given is None:
        raise NoAccess("Your identity provider did not say who you are.")
    staff_id = given if given in directory.people else directory.person_by_email(given) or given
    listed = directory.staff.get(staff_id)
    role = Role.parse(claims.get(web.oidc_role_claim))
    if role is None and listed is not None:
        role = Role.parse(listed.role)
    if role is None:
        raise NoAccess(
            "Your account has no role in this service. Ask the service's administrator to "
            "give you one (caseworker, supervisor, analyst or admin)."
        )
    team = _first_text(claims.get(web.oidc_team_claim)) or (listed.team if listed else None)
    if role in (Role.CASEWORKER, Role.SUPERVISOR) and team is None:
        raise NoAccess(
            f"Your account is a {role.value}'s but has no team. Ask the service's "
            "administrator to give you one."
        )
    name = _first_text(claims.get("name")) or (listed.name if listed else None) or staff_id
    return User(staff_id, name, role, team)
