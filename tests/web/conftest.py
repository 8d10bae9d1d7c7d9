"""Fixtures for the web service's tests (``ehc.web``): the app in process, and an HTTP client
signed in as each role through the local sign-in.

Fixtures:
- ``web_settings``: ``Settings`` with the data directory and SQLite database in ``tmp_path``.
- ``web_temporal_client``: no Temporal at all (any use fails, naming this fixture); a module
  whose pages need cases overrides it, e.g. with ``dev_server_env.client`` and a worker
  (``tests.workflow.helpers.running_worker``) on ``web_settings.task_queue``.
- ``web_app``: ``create_web_app(web_settings, web_temporal_client)``, its lifespan running.
- ``anonymous``: an ``httpx.AsyncClient`` on ``web_app``, from and to 127.0.0.1, not
  signed in.
- ``caseworker`` (cw101, north), ``supervisor`` (sup-north), ``analyst`` (send-analyst),
  ``admin`` (send-admin): such clients, signed in.
- ``sign_in_as``: ``await sign_in_as("cw201")`` -> a client signed in as that demo member.

Helpers (``tests.web.signed_in``): ``browser(app, host=, client_host=)``, ``csrf_of(html)``,
``post_form(http, path, data)`` (fetches the form's token first), ``sign_in(http, staff_id)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, cast

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from temporalio.client import Client

from ehc.settings import Settings
from ehc.web.app import create_web_app
from tests.web.signed_in import browser, sign_in


class _NoTemporal:
    """Stands in for a Temporal client in tests whose pages need none."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(
            f"this test has no Temporal (client.{name}): override the web_temporal_client fixture"
        )


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'ehc.db'}")


@pytest.fixture
def web_temporal_client() -> Client:
    return cast(Client, _NoTemporal())


@pytest_asyncio.fixture
async def web_app(web_settings: Settings, web_temporal_client: Client) -> AsyncIterator[FastAPI]:
    app = create_web_app(web_settings, web_temporal_client)
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture
async def anonymous(web_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(web_app) as http:
        yield http


SignInAs = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest_asyncio.fixture
async def sign_in_as(web_app: FastAPI) -> AsyncIterator[SignInAs]:
    opened: list[httpx.AsyncClient] = []

    async def signed_in(staff_id: str) -> httpx.AsyncClient:
        http = browser(web_app)
        opened.append(http)
        await sign_in(http, staff_id)
        return http

    yield signed_in
    for http in opened:
        await http.aclose()


@pytest_asyncio.fixture
async def caseworker(sign_in_as: SignInAs) -> httpx.AsyncClient:
    return await sign_in_as("cw101")


@pytest_asyncio.fixture
async def supervisor(sign_in_as: SignInAs) -> httpx.AsyncClient:
    return await sign_in_as("sup-north")


@pytest_asyncio.fixture
async def analyst(sign_in_as: SignInAs) -> httpx.AsyncClient:
    return await sign_in_as("send-analyst")


@pytest_asyncio.fixture
async def admin(sign_in_as: SignInAs) -> httpx.AsyncClient:
    return await sign_in_as("send-admin")


__all__: list[Any] = []
