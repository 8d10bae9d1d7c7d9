"""Signing in with OpenID Connect, through a real local provider (``oidc-provider-mock``):
the authorization code flow with PKCE, nonce and state, and the role from a claim or from
the directory."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from temporalio.client import Client

from activities.directory import Directory, DirectoryError
from ehc.settings import Settings
from ehc.web.app import create_web_app
from ehc.web.settings import WebSettings
from tests.web.signed_in import browser

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the provider's own use of Authlib
    import oidc_provider_mock

# The provider (not the service) uses Authlib's older server interface.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

DIRECTORY = Directory.from_dict(
    {
        "people": {
            "ana101": {"email": "analyst@send.example.gov.uk", "role": "analyst"},
            "cw101": {"email": "cw101@send.example.gov.uk", "role": "caseworker", "team": "north"},
            "nobody1": {"email": "nobody@send.example.gov.uk"},
        }
    }
)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID provider on this machine; any client id and secret are accepted."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest_asyncio.fixture
async def oidc_app(
    web_settings: Settings, web_temporal_client: Client, provider: str
) -> AsyncIterator[FastAPI]:
    web = WebSettings(
        local_sign_in="off",
        oidc_issuer=provider,
        oidc_client_id="ehc-web-test",
        oidc_client_secret="not-a-real-secret-0001",  # type: ignore[arg-type]
    )
    settings = web_settings.model_copy(update={"web": web})
    app = create_web_app(settings, web_temporal_client, directory=DIRECTORY)
    async with app.router.lifespan_context(app):
        yield app


def set_claims(provider: str, sub: str, claims: dict[str, object]) -> None:
    response = httpx.put(f"{provider}/users/{quote(sub)}", json=claims)
    assert response.status_code == 204


async def sign_in(http: httpx.AsyncClient, sub: str, next_path: str = "/") -> httpx.Response:
    """Start at our sign-in, authorize at the provider as ``sub``, come back with the code."""
    start = await http.get(f"/sign-in/oidc?next={quote(next_path)}")
    assert start.status_code == 302
    authorize = start.headers["location"]
    at_provider = httpx.post(authorize, data={"sub": sub})
    assert at_provider.status_code == 302
    callback = at_provider.headers["location"]
    assert callback.startswith("http://127.0.0.1:8080/sign-in/callback?")
    return await http.get(callback)


async def test_the_sign_in_request_uses_pkce_a_nonce_and_state(oidc_app: FastAPI) -> None:
    async with browser(oidc_app) as http:
        page = await http.get("/sign-in")
        assert "Sign in with your council account" in page.text
        assert 'name="staff_id"' not in page.text, "the local sign-in is switched off"
        start = await http.get("/sign-in/oidc")
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["nonce"][0] and query["state"][0]
    assert query["scope"] == ["openid profile email"]


async def test_role_and_team_come_from_the_claims(oidc_app: FastAPI, provider: str) -> None:
    set_claims(
        provider,
        "sup-north@send.example.gov.uk",
        {"name": "North supervisor", "roles": ["Reader", "supervisor"], "team": "north"},
    )
    async with browser(oidc_app) as http:
        back = await sign_in(http, "sup-north@send.example.gov.uk", "/performance")
        assert back.status_code == 303
        assert back.headers["location"] == "/performance"
        home = (await http.get("/")).text
    assert "North supervisor · Supervisor, north team" in home
    assert 'href="/team"' in home


async def test_role_and_team_come_from_the_directory_without_claims(
    oidc_app: FastAPI, provider: str
) -> None:
    # Entra ID's preferred_username is the sign-in address: the directory maps it to an id.
    set_claims(provider, "cw101-oid", {"preferred_username": "CW101@send.example.gov.uk"})
    async with browser(oidc_app) as http:
        assert (await sign_in(http, "cw101-oid")).status_code == 303
        home = (await http.get("/")).text
        assert "cw101 · Caseworker, north team" in home
        assert (await http.get("/team")).status_code == 403


async def test_a_person_with_no_role_is_refused(oidc_app: FastAPI, provider: str) -> None:
    set_claims(provider, "nobody1", {"name": "No role"})
    async with browser(oidc_app) as http:
        refused = await sign_in(http, "nobody1")
        assert refused.status_code == 403
        assert "no role in this service" in refused.text
        assert "Sign out" not in (await http.get("/")).text


async def test_a_caseworker_without_a_team_is_refused(oidc_app: FastAPI, provider: str) -> None:
    set_claims(provider, "cw999", {"roles": "caseworker"})
    async with browser(oidc_app) as http:
        refused = await sign_in(http, "cw999")
        assert refused.status_code == 403
        assert "no team" in refused.text


async def test_a_callback_with_another_sessions_state_is_refused(
    oidc_app: FastAPI, provider: str
) -> None:
    set_claims(provider, "send-admin", {"roles": "admin"})
    async with browser(oidc_app) as victim, browser(oidc_app) as attacker:
        start = await attacker.get("/sign-in/oidc")
        at_provider = httpx.post(start.headers["location"], data={"sub": "send-admin"})
        # The attacker's code and state, delivered to someone else's browser: no sign-in.
        refused = await victim.get(at_provider.headers["location"])
        assert refused.status_code == 400
        assert "Sign out" not in (await victim.get("/")).text


async def test_a_provider_that_refuses_signs_no_one_in(oidc_app: FastAPI) -> None:
    async with browser(oidc_app) as http:
        start = await http.get("/sign-in/oidc")
        at_provider = httpx.post(start.headers["location"], data={"action": "deny"})
        refused = await http.get(at_provider.headers["location"])
        assert refused.status_code == 400
        assert "Signing in did not complete" in refused.text


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"email": "a@x.example", "role": "manager"}, "role must be one of caseworker"),
        ({"email": "a@x.example", "role": "supervisor"}, "a supervisor needs a team"),
        ({"email": "a@x.example", "role": "caseworker", "team": 7}, "team must be"),
    ],
)
def test_the_directory_refuses_a_role_it_cannot_use(entry: dict[str, object], message: str) -> None:
    with pytest.raises(DirectoryError, match=f"people.cw501: {message}"):
        Directory.from_dict({"people": {"cw501": entry}})


def test_a_directory_without_roles_reads_as_before() -> None:
    directory = Directory.from_dict({"people": {"cw501": {"email": "cw501@x.example"}}})
    assert directory.people == {"cw501": "cw501@x.example"} and directory.staff == {}
