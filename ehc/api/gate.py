"""What every request passes before the application reads it: a known token, a bounded body.

FastAPI reads and parses a request's body before it runs the route's dependencies, so a token
checked there is checked too late: a client with no token could make the API hold and parse
whatever it sent. This ASGI layer answers first, with the API's ``{"detail": ...}`` errors:

- 401 to a request without a known bearer token, before a byte of its body is read (the
  API's own documentation, and CORS preflight requests, need none);
- 413 to a body larger than its limit (``EHC_API_MAX_BODY_BYTES``): at once when the
  Content-Length says so, otherwise as soon as more than the limit has arrived.

A body within the limit is read here and handed on whole, so the application never holds
more than the limit of any request.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ehc.api.auth import NotAuthenticated, Tokens, authenticate

#: Served without a token: the API's description of itself (``ehc.api.docs``).
PUBLIC_PATHS = frozenset({"/", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
#: ... and Swagger UI's files.
PUBLIC_PREFIXES = ("/docs-assets/",)


def size_words(limit: int) -> str:
    """``65536`` -> "64 KiB"; other sizes in bytes."""
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


class Gate:
    """ASGI middleware: authenticate, then bound and read the body (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: Tokens,
        max_body_bytes: int,
        larger_bodies: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.max_body_bytes = max_body_bytes
        self.larger_bodies = dict(larger_bodies or {})
        """Path prefix -> its own limit (the codec routes carry whole payloads)."""

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.larger_bodies.items():
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = str(scope.get("path", ""))
        public = path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
        if not public and scope.get("method") != "OPTIONS":
            try:
                authenticate(headers.get("authorization"), self.tokens)
            except NotAuthenticated as error:
                await _answer(scope, receive, send, 401, str(error), {"WWW-Authenticate": "Bearer"})
                return
        limit = self.limit_for(path)
        too_large = f"the request body is larger than {size_words(limit)} (EHC_API_MAX_BODY_BYTES)"
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _answer(scope, receive, send, 400, "the Content-Length is not a number")
                return
            if int(declared) > limit:
                await _answer(scope, receive, send, 413, too_large)
                return
        try:
            body = await _read(receive, limit)
        except _TooLarge:
            await _answer(scope, receive, send, 413, too_large)
            return
        except _Gone:
            return  # the client went away mid-body: nothing to do, no one to answer
        await self.app(scope, _replay(body, receive), send)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


async def _read(receive: Receive, limit: int) -> bytes:
    """The whole body; ``_TooLarge`` as soon as it passes ``limit`` (the rest is never read)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _Gone
        body += message.get("body", b"")
        if len(body) > limit:
            raise _TooLarge
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits as the server's does."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _answer(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    # The body may be left unread: the connection is closed after the answer, not reused.
    response = JSONResponse(
        {"detail": message}, status_code=status, headers={**(headers or {}), "Connection": "close"}
    )
    await response(scope, receive, send)
