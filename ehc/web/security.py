"""What every response carries, and the session cookie.

- Security headers on every answer: a Content Security Policy allowing only this service's
  own files (its one inline script, GOV.UK Frontend's ``js-enabled`` switch, carries the
  request's nonce), no framing, no MIME sniffing, no referrer to other sites, and no
  camera, microphone or location.
- The session: a signed cookie (itsdangerous, by Starlette's ``SessionMiddleware``), HttpOnly,
  SameSite=Lax, and Secure unless the request is plain HTTP to a loopback address (a browser
  would not send a Secure cookie back over plain HTTP, and the embedded default runs there).
- Whether a request came to, and from, this machine (``is_loopback_request``): the local
  sign-in is only for such requests.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ehc.web.settings import SECRET_KEY_FILE

if TYPE_CHECKING:
    from ehc.settings import Settings

SESSION_COOKIE = "ehc_session"
SESSION_HOURS = 10  # a working day: sign in again the next morning


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


#: A report for a board paper is one self-contained page whose styles and charts are inline
#: (the same file ``ehc simulate`` writes): shown under its own policy, sandboxed with no
#: script and nothing fetched, instead of the service's.
REPORT_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)


HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: Files that hold no case data and change only with a release: cached for an hour.
CACHED_PREFIXES = ("/assets/", "/govuk-frontend/", "/static/")


class SecurityHeaders:
    """ASGI middleware: a fresh CSP nonce per request (``request.state.csp_nonce``) and the
    headers above on every response; HSTS over HTTPS; pages never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:  # a route's own, stricter policy
                    headers["Content-Security-Policy"] = content_security_policy(nonce)
                for name, value in HEADERS.items():
                    headers[name] = value
                if scope.get("scheme") == "https":
                    headers["Strict-Transport-Security"] = "max-age=31536000"
                if str(scope.get("path", "")).startswith(CACHED_PREFIXES):
                    headers["Cache-Control"] = "public, max-age=3600"
                elif "cache-control" not in headers:
                    # Pages show case data: never kept by a shared cache or the back button.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def is_loopback(host: str | None) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost``: an address only this machine reaches."""
    if not host:
        return False
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """The host of a ``Host`` header, without its port (``[::1]:8080`` -> ``::1``)."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def is_loopback_request(scope: Scope) -> bool:
    """The request came to a loopback address, named as one (a proxy on this machine passing
    on a request for a public name is not), from a loopback address."""
    server = scope.get("server")
    client = scope.get("client")
    host_header = Headers(scope=scope).get("host", "")
    return (
        server is not None
        and is_loopback(str(server[0]))
        and client is not None
        and is_loopback(str(client[0]))
        and is_loopback(_host_name(host_header))
    )


class Sessions:
    """ASGI middleware: the signed session cookie, Secure unless plain HTTP on loopback.

    Two ``SessionMiddleware`` share the key and cookie name and differ only in the Secure
    flag, chosen per request.
    """

    def __init__(self, app: ASGIApp, *, secret_key: str) -> None:
        self.secure, self.plain = (
            SessionMiddleware(
                app,
                secret_key=secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=https_only,
            )
            for https_only in (True, False)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plain = scope.get("scheme") == "http" and is_loopback_request(scope)
        await (self.plain if plain else self.secure)(scope, receive, send)


def session_secret(settings: Settings) -> str:
    """``EHC_WEB_SECRET_KEY``, else the data directory's own key (made on first start,
    readable by its owner only): sessions then survive a restart."""
    configured = settings.web.secret_key
    if configured is not None and configured.get_secret_value().strip():
        return configured.get_secret_value().strip()
    path = settings.data_dir / SECRET_KEY_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask
        out.write(key + "\n")
    return key
