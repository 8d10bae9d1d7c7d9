"""Who is signed in, and what their role lets them do.

The signed-in member of staff is kept in the signed session cookie (``ehc.web.security``).
Pages ask for them with ``current_user`` (an anonymous request is sent to sign in and brought
back) or ``require(Role.SUPERVISOR, ...)`` (any other role gets the 403 page):

    @router.get("/team")
    async def team(user: Annotated[User, Depends(require(Role.SUPERVISOR, Role.ADMIN))]): ...

``require(...)`` may also stand as the parameter's default (``user: User = require(...)``).
"""

# No ``from __future__ import annotations`` here: FastAPI reads ``_Require.__call__``'s
# annotations at run time, and an instance has no module globals to resolve strings in.
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.params import Depends

SESSION_USER = "user"


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def parse(cls, value: object) -> "Role | None":
        """A role from a claim or the directory: a name (any case) or a list of names (the
        most able one known wins: an identity provider may give a person several)."""
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list | tuple):
            return None
        known = {str(n).strip().lower() for n in names if isinstance(n, str)}
        return next((role for role in _PRECEDENCE if role.value in known), None)


_PRECEDENCE = (Role.ADMIN, Role.SUPERVISOR, Role.ANALYST, Role.CASEWORKER)


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in member of staff: a staff id (as on cases), never a child."""

    staff_id: str
    name: str
    role: Role
    team: str | None = None

    def may_record(self, case_team: str) -> bool:
        """A caseworker records events on their own team's cases only; an admin on any."""
        match self.role:
            case Role.ADMIN:
                return True
            case Role.CASEWORKER:
                return self.team is not None and self.team == case_team
            case _:
                return False

    def as_session(self) -> dict[str, str | None]:
        return {k: str(v) if v is not None else None for k, v in asdict(self).items()}

    @classmethod
    def from_session(cls, data: object) -> "User | None":
        if not isinstance(data, dict):
            return None
        role = Role.parse(data.get("role"))
        staff_id, name, team = data.get("staff_id"), data.get("name"), data.get("team")
        if role is None or not isinstance(staff_id, str) or not isinstance(name, str):
            return None
        return cls(staff_id, name, role, team if isinstance(team, str) else None)


class SignInNeeded(Exception):
    """No one is signed in: the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """The signed-in user's role may not use this page: the app answers with the 403 page."""

    def __init__(self, user: User | None, message: str) -> None:
        super().__init__(message)
        self.user = user
        self.message = message


def signed_in(request: Request) -> User | None:
    """The signed-in user, or None (for pages anyone may see, such as the home page)."""
    return User.from_session(request.session.get(SESSION_USER))


def current_user(request: Request) -> User:
    """Dependency: the signed-in user; raises ``SignInNeeded`` for an anonymous request."""
    user = signed_in(request)
    if user is None:
        raise SignInNeeded(_here(request))
    return user


def _here(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def sign_in_url(next_path: str) -> str:
    return f"/sign-in?next={quote(next_path, safe='/')}"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this service only (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def put_in_session(request: Request, user: User) -> None:
    """Sign ``user`` in: a fresh session (nothing from before signing in is kept)."""
    request.session.clear()
    request.session[SESSION_USER] = user.as_session()


class _Require(Depends):
    """The dependency ``require`` returns: callable (for ``Depends(require(...))``) and
    itself a ``Depends`` (for ``user: User = require(...)``)."""

    roles: frozenset[Role]

    def __init__(self, roles: frozenset[Role]) -> None:
        super().__init__(dependency=self._check)
        object.__setattr__(self, "roles", roles)  # the parent is a frozen dataclass

    def _check(self, request: Request) -> User:
        user = current_user(request)
        if user.role not in self.roles:
            allowed = " or ".join(r.value for r in _PRECEDENCE[::-1] if r in self.roles)
            raise Forbidden(
                user,
                f"This page is for a {allowed}; you are signed in as a {user.role.value}.",
            )
        return user

    def __call__(self, request: Request) -> User:
        return self._check(request)


def require(*roles: Role) -> Any:
    """A dependency giving the signed-in user if their role is one of ``roles``, else the 403
    page (``Forbidden``); an anonymous request is sent to sign in."""
    return _Require(frozenset(roles))
