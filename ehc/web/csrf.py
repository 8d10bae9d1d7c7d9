"""Cross-site request forgery: every POST form carries the session's token.

The token is made once per session (at sign-in the session starts afresh, so a token seen
before signing in is no use after). SameSite=Lax cookies already keep other sites' forms
from carrying the session; the token is the second, independent lock.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from markupsafe import Markup, escape

SESSION_KEY = "csrf"
FIELD = "csrf_token"


class CsrfRefused(Exception):
    """A POST without the session's token: the app answers 400 with the error page."""


def csrf_token(request: Request) -> str:
    """The session's token, made on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def csrf_field(request: Request) -> Markup:
    """The hidden input every ``<form method="post">`` holds (``{{ csrf_field() }}``)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD, escape(csrf_token(request))
    )


async def verify_csrf(request: Request) -> None:
    """Dependency for every POST route: the form's ``csrf_token`` must be the session's."""
    expected = request.session.get(SESSION_KEY)
    form = await request.form()
    given = form.get(FIELD)
    if (
        not isinstance(expected, str)
        or not isinstance(given, str)
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise CsrfRefused
