"""What the API answers before it reads a body: no token, 401; too large, 413; an unknown
field or a name where a reference should be, 422 without repeating it. No Temporal needed:
none of these requests reaches a case."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI

from ehc.api.app import create_app
from ehc.api.settings import ApiSettings
from ehc.settings import Settings
from tests.api.conftest import TOKEN_LINES, bearer

LIMIT = 64 * 1024
EVENTS = "/assessments/EHC-2026-0147/events"


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'ehc.db'}",
        api=ApiSettings(tokens=TOKEN_LINES),
    )
    # No Temporal: a request that got as far as a case would fail, and none may.
    return create_app(settings, client=object())  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


class Counted:
    """A request body sent in 1 MiB chunks, counting what the server actually read."""

    def __init__(self, mib: int) -> None:
        self.mib = mib
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.mib):
            self.read += 1
            yield b"{" * (1024 * 1024)


async def test_without_a_token_the_body_is_never_read(http: httpx.AsyncClient) -> None:
    body = Counted(200)
    refused = await http.post(EVENTS, content=body, headers={"content-type": "application/json"})
    assert refused.status_code == 401
    assert refused.json() == {"detail": "a bearer token is needed (Authorization: Bearer TOKEN)"}
    assert body.read == 0
    unknown = await http.post(EVENTS, content=b"{}", headers={"Authorization": "Bearer nobody"})
    assert (unknown.status_code, unknown.json()) == (401, {"detail": "unknown bearer token"})
    assert (await http.get("/openapi.json")).status_code == 200, "the docs need no token"


async def test_a_body_over_the_limit_is_refused_having_read_no_more_than_the_limit(
    http: httpx.AsyncClient,
) -> None:
    declared = await http.post(
        EVENTS, content=b"x" * (LIMIT + 1), headers={**bearer("cw101"), "content-type": "a/b"}
    )
    assert declared.status_code == 413
    assert declared.json() == {
        "detail": "the request body is larger than 64 KiB (EHC_API_MAX_BODY_BYTES)"
    }
    streamed = Counted(200)  # chunked: no Content-Length to go by
    refused = await http.post(EVENTS, content=streamed, headers=bearer("cw101"))
    assert refused.status_code == 413
    assert streamed.read == 1, "reading stopped at the first chunk past the limit"


@pytest.mark.parametrize(
    ("path", "body", "detail"),
    [
        (
            EVENTS,
            {"type": "decided-to-assess", "on": "2026-11-20", "name": "Jane Smith"},
            "body.decided-to-assess.name: unknown field (not one this route takes)",
        ),
        (
            "/assessments",
            {
                "case_ref": "EHC-2026-0147",
                "received": "2026-11-20",
                "caseworker": "cw101",
                "team": "north",
                "child": "Jane Smith",
            },
            "body.child: unknown field (not one this route takes)",
        ),
        (
            "/reviews/EHC-2026-0147/events",
            {"type": "transfer-set", "on": "2026-11-20", "transfer": {"kind": "x", "who": "Jane"}},
            "body.transfer-set.transfer.who: unknown field (not one this route takes)",
        ),
        (
            EVENTS,
            {"type": "Jane Smith", "on": "2026-11-20"},
            "body.type: not a known type (known: 'decided-to-assess',",
        ),
        (
            "/assessments",
            {
                "case_ref": "jane-smith-2015",
                "received": "2026-11-20",
                "caseworker": "cw101",
                "team": "north",
            },
            "body.case_ref: not a valid case reference: it reads like a person's name",
        ),
        (
            "/assessments/JANE-SMITH/events",
            {"type": "decided-to-assess", "on": "2026-11-20"},
            "path.case_ref: not a valid case reference: it reads like a person's name",
        ),
        (
            EVENTS,
            {
                "type": "exception",
                "reason": "personal-circumstances",
                "start": "2026-11-01",
                "end": "9999-12-31",
                "on": "2026-11-20",
            },
            "body.exception.end: the date (9999-12-31) is after 31 Dec 2099",
        ),
    ],
)
async def test_what_a_route_does_not_take_is_named_never_repeated(
    http: httpx.AsyncClient, path: str, body: dict[str, Any], detail: str
) -> None:
    refused = await http.post(path, json=body, headers=bearer("cw101"))
    assert refused.status_code == 422
    said = refused.json()["detail"]
    assert said.startswith(detail)
    assert "JANE" not in said.upper() and "\n" not in said


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ApiSettings().max_body_bytes == LIMIT
    monkeypatch.setenv("EHC_API_MAX_BODY_BYTES", "1048576")
    assert ApiSettings().max_body_bytes == 1024 * 1024


# --- the same through a real HTTP server ---------------------------------------------------------


@pytest_asyncio.fixture
async def served(app: FastAPI) -> AsyncIterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _answer_to_headers_alone(port: int, headers: str) -> bytes:
    """Send a request's head announcing a 200 MB body, send none of it, read the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {EVENTS} HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
        f"Content-Length: 200000000\r\n{headers}\r\n".encode()
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(4096), timeout=10)
    writer.close()
    return answer


async def test_a_real_server_answers_before_a_200_mb_body_arrives(served: int) -> None:
    no_token = await _answer_to_headers_alone(served, "")
    assert no_token.startswith(b"HTTP/1.1 401 "), no_token
    too_large = await _answer_to_headers_alone(
        served, f"Authorization: Bearer {bearer('cw101')['Authorization'].split()[1]}\r\n"
    )
    assert too_large.startswith(b"HTTP/1.1 413 "), too_large
