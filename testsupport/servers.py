"""Real local peers for the delivery tests and benchmarks: an SMTP server (aiosmtpd) that can
be slow to answer DATA, or down and back on the same port, and counts what it received by
Message-ID; and an HTTP server that speaks GOV.UK Notify's v2 email API, errors included."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    data_delay: float = 0.0
    """Seconds the server takes to answer the end of DATA. It has the message by then (and
    keeps it), as a real server would whether or not the client waits for the reply."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        if self.data_delay:
            await asyncio.sleep(self.data_delay)  # the server being slow, not a test waiting
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for rcpts, m in self.messages if address in rcpts]

    def by_message_id(self) -> Counter[str]:
        """Copies received of each Message-ID: a repeat shows as a count above 1."""
        return Counter(str(m["Message-ID"]) for _, m in self.messages)

    def by_key(self) -> Counter[str]:
        """Copies received of each outbox row (the X-EHC-Key header)."""
        return Counter(str(m["X-EHC-Key"]).strip() for _, m in self.messages)  # may be folded


@contextmanager
def smtp_server(
    port: int | None = None, mailbox: Mailbox | None = None
) -> Iterator[tuple[int, Mailbox]]:
    """An SMTP server on ``port`` (default: a free one); pass the port of a server that was
    down to bring it back there, and a mailbox to keep counting in the same one."""
    mailbox = mailbox if mailbox is not None else Mailbox()
    port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


def wait_for(condition: Callable[[], bool], within: float = 20.0, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not true after {within}s: {what or condition}")
        time.sleep(0.02)


SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"ehc_test-{SERVICE_ID}-{SECRET}"


@dataclass
class FakeNotify:
    """Replies like Notify: 201 with the notification, or Notify's error bodies."""

    templates: set[str]
    fail_next: list[int] = field(default_factory=list)  # status codes to return, in turn
    received: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0

    def reply(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        self.calls += 1
        auth = handler.headers.get("Authorization", "")
        try:
            claims = jwt.decode(auth.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
        except jwt.PyJWTError:
            return 403, _error(403, "AuthError", "Invalid token: signature")
        if claims.get("iss") != SERVICE_ID:
            return 403, _error(403, "AuthError", "Invalid token: service not found")
        if handler.path != "/v2/notifications/email":
            return 404, _error(404, "NotFoundError", "Not found")
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        if self.fail_next:
            status = self.fail_next.pop(0)
            kind = {429: "RateLimitError", 500: "Exception"}.get(status, "BadRequestError")
            return status, _error(status, kind, "Internal server error" if status == 500 else kind)
        if body.get("template_id") not in self.templates:
            return 400, _error(400, "BadRequestError", "Template not found")
        if "@" not in body.get("email_address", ""):
            return 400, _error(400, "ValidationError", "email_address Not a valid email address")
        self.received.append(body)
        return 201, {
            "id": str(uuid.uuid4()),
            "reference": body.get("reference"),
            "content": {"subject": "s", "body": "b", "from_email": "x@notify"},
            "uri": "https://api.example/v2/notifications/x",
            "template": {"id": body["template_id"], "version": 1, "uri": "t"},
        }


def _error(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": kind, "message": message}]}


@contextmanager
def notify_server(fake: FakeNotify) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status, payload = fake.reply(self)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
