"""The web service's shell: headers, assets, sessions, CSRF, roles and navigation."""

from __future__ import annotations

import re
import socket
import stat
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import PlainTextResponse
from pydantic import SecretStr

from ehc.api.settings import ApiSettings
from ehc.settings import Settings
from ehc.web import WebCannotStart
from ehc.web.app import create_web_app
from ehc.web.assets import AssetsMissing
from ehc.web.auth import Role, User, require
from ehc.web.security import SESSION_COOKIE, session_secret
from ehc.web.serve import check_can_serve
from ehc.web.settings import SECRET_KEY_FILE, WebSettings
from tests.web.conftest import SignInAs
from tests.web.signed_in import browser, csrf_of, post_form


async def test_every_answer_carries_the_security_headers(anonymous: httpx.AsyncClient) -> None:
    for path in ("/", "/sign-in", "/no-such-page", "/govuk-frontend/govuk-frontend.min.css"):
        headers = (await anonymous.get(path)).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "camera=()" in headers["permissions-policy"]
    assert (await anonymous.get("/sign-in")).headers["cache-control"] == "no-store"


async def test_the_only_inline_script_carries_the_requests_nonce(
    anonymous: httpx.AsyncClient,
) -> None:
    first, second = await anonymous.get("/"), await anonymous.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["content-security-policy"])
    assert nonce is not None
    scripts = re.findall(r"<script([^>]*)>", first.text)
    inline = [s for s in scripts if "src=" not in s]
    assert inline == [f' nonce="{nonce.group(1)}"'], "GOV.UK Frontend's js-enabled switch only"
    assert nonce.group(1) not in second.headers["content-security-policy"], "fresh per request"


async def test_govuk_frontend_is_served_where_its_stylesheet_looks(
    anonymous: httpx.AsyncClient,
) -> None:
    css = await anonymous.get("/govuk-frontend/govuk-frontend.min.css")
    assert css.status_code == 200
    for url in set(re.findall(r"url\((/assets/[^)]+)\)", css.text)):
        assert (await anonymous.get(url)).status_code == 200, url
    assert (await anonymous.get("/static/init.mjs")).status_code == 200
    assert (await anonymous.get("/govuk-frontend/govuk-frontend.min.js")).status_code == 200


def test_without_node_modules_the_app_says_how_to_install(
    web_settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(AssetsMissing, match="run `make install`"):
        create_web_app(web_settings, node_modules=tmp_path / "node_modules")


def test_a_taken_port_is_one_line_before_anything_starts(web_settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = web_settings.model_copy(update={"web": WebSettings(port=port)})
        with pytest.raises(WebCannotStart, match=f"127.0.0.1:{port} .*set EHC_WEB_PORT"):
            check_can_serve(settings)
    check_can_serve(settings)  # free again


def test_the_session_key_is_made_once_for_its_owner_alone(web_settings: Settings) -> None:
    key = session_secret(web_settings)
    path = web_settings.data_dir / SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session_secret(web_settings) == key, "sessions survive a restart"
    configured = web_settings.model_copy(
        update={"web": WebSettings(secret_key=SecretStr("configured-key-0001"))}
    )
    assert session_secret(configured) == "configured-key-0001"


async def test_a_page_needs_sign_in_and_comes_back_after_it(web_app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/only-signed-in")
    async def page(user: Annotated[User, Depends(require(*Role))]) -> PlainTextResponse:
        return PlainTextResponse(user.staff_id)

    web_app.include_router(router)
    async with browser(web_app) as http:
        response = await http.get("/only-signed-in?x=1")
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/only-signed-in%3Fx%3D1"
        sign_in = await http.get(response.headers["location"])
        assert 'name="next" value="/only-signed-in?x=1"' in sign_in.text
        back = await http.post(
            "/sign-in/local",
            data={
                "staff_id": "cw201",
                "next": "/only-signed-in?x=1",
                "csrf_token": csrf_of(sign_in.text),
            },
        )
        assert back.headers["location"] == "/only-signed-in?x=1"
        assert (await http.get("/only-signed-in")).text == "cw201"


@pytest.mark.parametrize("target", ["//elsewhere.example/", "https://elsewhere.example/", "x"])
async def test_sign_in_never_sends_the_user_to_another_site(
    anonymous: httpx.AsyncClient, target: str
) -> None:
    response = await post_form(
        anonymous, "/sign-in/local", {"staff_id": "cw101", "next": target}, form_page="/sign-in"
    )
    assert response.headers["location"] == "/"


async def test_roles_are_checked_on_every_route_that_names_them(
    web_app: FastAPI, sign_in_as: SignInAs
) -> None:
    router = APIRouter()

    @router.get("/supervisors-only")
    async def page(
        user: User = require(Role.SUPERVISOR, Role.ADMIN),  # the default form works too
    ) -> PlainTextResponse:
        return PlainTextResponse(user.role.value)

    web_app.include_router(router)
    caseworker = await sign_in_as("cw101")
    refused = await caseworker.get("/supervisors-only")
    assert refused.status_code == 403
    assert "This page is for a supervisor or admin" in refused.text
    assert "<h1" in refused.text and "You cannot use this page" in refused.text
    supervisor = await sign_in_as("sup-north")
    assert (await supervisor.get("/supervisors-only")).text == "supervisor"


async def test_a_caseworker_cannot_open_the_team_page(caseworker: httpx.AsyncClient) -> None:
    assert (await caseworker.get("/team")).status_code == 403


@pytest.mark.parametrize(
    ("staff_id", "offered"),
    [
        ("cw101", ["/my-cases", "/case", "/case/new"]),
        ("sup-north", ["/my-cases", "/team", "/case", "/performance"]),
        ("send-analyst", ["/performance", "/scenarios"]),
        ("send-admin", ["/my-cases", "/team", "/case", "/case/new", "/performance", "/scenarios"]),
    ],
)
async def test_the_navigation_shows_only_the_roles_pages(
    sign_in_as: SignInAs, staff_id: str, offered: list[str]
) -> None:
    http = await sign_in_as(staff_id)
    home = (await http.get("/")).text
    nav = home[home.index('<nav aria-label="Pages"') : home.index("</nav>")]
    assert re.findall(r'class="govuk-service-navigation__link" href="(/[a-z/-]+)"', nav) == offered
    assert "Sign out" in nav


async def test_a_post_without_the_sessions_token_is_refused(
    caseworker: httpx.AsyncClient,
) -> None:
    missing = await caseworker.post("/sign-out")
    wrong = await caseworker.post("/sign-out", data={"csrf_token": "x" * 43})
    for refused in (missing, wrong):
        assert refused.status_code == 400
        assert "The form had expired" in refused.text
    assert "Sign out" in (await caseworker.get("/")).text, "still signed in"
    signed_out = await post_form(caseworker, "/sign-out", {}, form_page="/")
    assert signed_out.status_code == 303
    assert "Sign out" not in (await caseworker.get("/")).text


async def test_a_token_from_before_sign_in_is_no_use_after_it(anonymous: httpx.AsyncClient) -> None:
    before = csrf_of((await anonymous.get("/sign-in")).text)
    await anonymous.post(
        "/sign-in/local", data={"staff_id": "cw101", "next": "/", "csrf_token": before}
    )
    refused = await anonymous.post("/sign-out", data={"csrf_token": before})
    assert refused.status_code == 400


async def test_the_session_cookie_is_signed_httponly_and_lax(anonymous: httpx.AsyncClient) -> None:
    page = await anonymous.get("/sign-in")
    response = await anonymous.post(
        "/sign-in/local", data={"staff_id": "cw101", "next": "/", "csrf_token": csrf_of(page.text)}
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower(), "plain HTTP on loopback: the browser must send it back"
    value = anonymous.cookies[SESSION_COOKIE]
    anonymous.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert "Sign out" not in (await anonymous.get("/")).text, "a tampered cookie is no session"


async def test_the_session_cookie_is_secure_over_https(web_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=web_app, client=("127.0.0.1", 50123))
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1") as http:
        response = await http.get("/sign-in")
    assert "secure" in response.headers["set-cookie"].lower()


async def test_the_local_sign_in_lists_the_demo_staff_by_role(
    anonymous: httpx.AsyncClient,
) -> None:
    page = (await anonymous.get("/sign-in")).text
    offered = re.findall(r'name="staff_id" type="radio" value="([^"]+)"', page)
    assert offered[:4] == ["cw101", "cw102", "cw103", "sup-north"]
    assert {"sup-south", "sup-east", "send-analyst", "send-admin"} <= set(offered)


async def test_choosing_no_one_is_an_error_summary(anonymous: httpx.AsyncClient) -> None:
    response = await post_form(anonymous, "/sign-in/local", {"next": "/"}, form_page="/sign-in")
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#staff_id"' in response.text
    assert "<title>Error: Sign in" in response.text


@pytest.mark.parametrize(
    ("host", "client_host"),
    [
        ("127.0.0.1", "192.0.2.10"),  # from another machine
        ("ehc.example.gov.uk", "127.0.0.1"),  # through a proxy on this machine
    ],
)
async def test_the_local_sign_in_is_refused_away_from_loopback(
    web_app: FastAPI, host: str, client_host: str
) -> None:
    async with browser(web_app, host=host, client_host=client_host) as http:
        page = await http.get("/sign-in")
        assert 'name="staff_id"' not in page.text, "not even offered"
        response = await http.post("/sign-in/local", data={"staff_id": "send-admin"})
        assert response.status_code == 403
        assert "only for this machine" in response.text
        assert "Sign out" not in (await http.get("/")).text


async def test_listening_beyond_loopback_switches_the_local_sign_in_off(
    web_settings: Settings, web_temporal_client: object
) -> None:
    settings = web_settings.model_copy(update={"web": WebSettings(host="0.0.0.0")})
    app = create_web_app(settings, web_temporal_client)  # type: ignore[arg-type]
    async with app.router.lifespan_context(app), browser(app) as http:
        page = await http.get("/sign-in")
        assert 'name="staff_id"' not in page.text
        assert "No way of signing in is set up yet" in page.text


async def test_the_home_page_links_the_api_docs_when_the_api_is_served(
    web_settings: Settings, web_temporal_client: object
) -> None:
    settings = web_settings.model_copy(
        update={"api": ApiSettings(tokens="analyst-token-000001 analyst")}
    )
    app = create_web_app(settings, web_temporal_client)  # type: ignore[arg-type]
    async with app.router.lifespan_context(app), browser(app) as http:
        assert 'href="http://127.0.0.1:8000/docs"' in (await http.get("/")).text
