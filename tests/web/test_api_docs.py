"""The JSON API's own pages work offline: ``/`` says what it is, ``/docs`` is Swagger UI from
the installed ``swagger-ui-dist``, and none of them needs a token or the internet."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from ehc.api.app import create_app
from ehc.api.settings import ApiSettings
from ehc.settings import Settings
from ehc.web.settings import WebSettings


@pytest_asyncio.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=tmp_path,
        api=ApiSettings(tokens="analyst-token-000001 analyst"),
        web=WebSettings(port=8181),
    )
    app = create_app(settings, client=None)  # no route here reaches Temporal
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


async def test_swagger_ui_is_served_with_no_outside_address(api: httpx.AsyncClient) -> None:
    page = await api.get("/docs")
    assert page.status_code == 200
    assert re.findall(r"https?://", page.text) == [], "every asset from this server"
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert "/docs-assets/swagger-ui-bundle.js" in assets
    for asset in assets:
        assert (await api.get(asset)).status_code == 200, asset
    assert "validatorUrl" in page.text and '"validatorUrl": null' in page.text
    assert (await api.get("/openapi.json")).status_code == 200


async def test_the_root_says_what_the_service_is(api: httpx.AsyncClient) -> None:
    page = await api.get("/")
    assert page.status_code == 200
    assert 'href="/docs"' in page.text
    assert 'href="http://127.0.0.1:8181/"' in page.text, "the web pages' address"


async def test_data_routes_still_need_a_token(api: httpx.AsyncClient) -> None:
    assert (await api.get("/overdue")).status_code == 401
