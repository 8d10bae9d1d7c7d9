"""Bearer tokens with roles: who may do what through the API. No anonymous access.

Tokens are configured, one per line, as ``TOKEN ROLE [STAFF-ID]`` in the file named by
``EHC_API_TOKEN_FILE`` and/or in ``EHC_API_TOKENS`` (lines separated by newlines or commas).
``TOKEN`` may be written ``sha256:<hex digest>`` so the file need not hold the token itself.
Lines starting with ``#`` are comments.

| role | may |
|---|---|
| ``caseworker`` | start assessments and record events on its own cases, read its own cases and overdue list; needs a STAFF-ID (``*`` = every case, for a system that pushes events) |
| ``supervisor`` | read everything: timelines, chronologies, overdue lists, KPIs, SEN2 |
| ``analyst`` | KPIs and SEN2 only |
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from statutory.identifiers import STAFF_ID_PATTERN

MIN_TOKEN_LENGTH = 16
ANY_CASE = "*"


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"


class TokenConfigError(ValueError):
    """The token configuration cannot be used; the message says which line and why."""


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    staff_id: str | None = None

    def owns(self, caseworker: str) -> bool:
        """A caseworker token acts on the cases of its own staff id (``*``: on every case)."""
        return self.role is Role.CASEWORKER and self.staff_id in (ANY_CASE, caseworker)

    def may_read(self, caseworker: str) -> bool:
        return self.role is Role.SUPERVISOR or self.owns(caseworker)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, entries: dict[str, Principal]) -> None:
        self._by_digest = entries

    def __len__(self) -> int:
        return len(self._by_digest)

    def lookup(self, token: str) -> Principal | None:
        """The principal of ``token``, compared in constant time; None if unknown."""
        presented = _digest(token)
        found = None
        for digest, principal in self._by_digest.items():
            if hmac.compare_digest(digest, presented):
                found = principal
        return found


class NotAuthenticated(ValueError):
    """No known bearer token: the message says which (answered 401)."""


NO_TOKEN = "a bearer token is needed (Authorization: Bearer TOKEN)"
UNKNOWN_TOKEN = "unknown bearer token"


def authenticate(authorization: str | None, tokens: Tokens) -> Principal:
    """The principal of an ``Authorization: Bearer TOKEN`` header, or ``NotAuthenticated``."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(NO_TOKEN)
    found = tokens.lookup(token.strip())
    if found is None:
        raise NotAuthenticated(UNKNOWN_TOKEN)
    return found


def parse_tokens(text: str, source: str = "EHC_API_TOKENS") -> Tokens:
    entries: dict[str, Principal] = {}
    lines = [line.strip() for chunk in text.splitlines() for line in chunk.split(",")]
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        where = f"{source}: entry {number}"
        if len(parts) not in (2, 3):
            raise TokenConfigError(f"{where}: expected 'TOKEN ROLE [STAFF-ID]'")
        token, role_name, *staff = parts
        try:
            role = Role(role_name)
        except ValueError:
            raise TokenConfigError(
                f"{where}: unknown role '{role_name}' (known: {', '.join(Role)})"
            ) from None
        staff_id = staff[0].lower() if staff else None
        if role is Role.CASEWORKER and staff_id is None:
            raise TokenConfigError(f"{where}: a caseworker token needs a staff id (or *)")
        if role is not Role.CASEWORKER and staff_id is not None:
            raise TokenConfigError(f"{where}: only caseworker tokens take a staff id")
        if staff_id not in (None, ANY_CASE) and not re.fullmatch(STAFF_ID_PATTERN, staff_id):
            raise TokenConfigError(f"{where}: not a valid staff id")
        if token.startswith("sha256:"):
            digest = token.removeprefix("sha256:").lower()
            if not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise TokenConfigError(f"{where}: a sha256: token needs 64 hex digits")
        elif len(token) < MIN_TOKEN_LENGTH:
            raise TokenConfigError(f"{where}: tokens must be at least {MIN_TOKEN_LENGTH} long")
        else:
            digest = _digest(token)
        entries[digest] = Principal(role, staff_id)
    return Tokens(entries)
