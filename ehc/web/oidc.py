"""Signing in with the council's identity provider: OpenID Connect's authorization code flow
(Authlib's Starlette client), with PKCE (S256), a nonce in the ID token and a state bound to
the session. Microsoft Entra ID is the common provider: see README ("Web service").
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning  # sets its own filter: first
from fastapi import Request
from starlette.responses import RedirectResponse

from ehc.web.settings import WebSettings

with warnings.catch_warnings():
    # Authlib prefers the httpx2 fork and says so on import; httpx (the project's) serves.
    warnings.filterwarnings("ignore", "The httpx module", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError

PROVIDER = "council"
CALLBACK_PATH = "/sign-in/callback"


class ProviderRefused(Exception):
    """The provider's answer cannot be used (refused, expired, forged): one sentence."""


class OpenIdSignIn:
    """The configured provider (``EHC_WEB_OIDC_*``)."""

    def __init__(self, web: WebSettings) -> None:
        self.web = web
        self._oauth = OAuth()
        secret = web.oidc_client_secret
        self._oauth.register(
            name=PROVIDER,
            client_id=web.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            server_metadata_url=web.discovery_url,
            client_kwargs={"scope": web.oidc_scopes, "code_challenge_method": "S256"},
        )
        self._client: Any = self._oauth.create_client(PROVIDER)

    def callback_url(self, request: Request) -> str:
        if self.web.base_url:
            return self.web.base_url.rstrip("/") + CALLBACK_PATH
        return str(request.url_for("oidc_callback"))

    async def redirect(self, request: Request) -> RedirectResponse:
        """To the provider's sign-in page; state, nonce and PKCE verifier kept in the session."""
        try:
            response: RedirectResponse = await self._client.authorize_redirect(
                request, self.callback_url(request)
            )
        except (OAuthError, OSError, httpx.HTTPError) as error:
            raise ProviderRefused(
                "The identity provider cannot be reached at the moment; try again shortly."
            ) from error
        return response

    async def claims(self, request: Request) -> Mapping[str, Any]:
        """The ID token's claims, checked (signature, issuer, audience, expiry, nonce)."""
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as error:
            raise ProviderRefused(
                "Signing in did not complete (the identity provider said: "
                f"{error.description or error.error}). Please try again."
            ) from error
        except (OSError, httpx.HTTPError, ValueError, KeyError) as error:
            raise ProviderRefused(
                "Signing in did not complete: the identity provider's answer could not be "
                "checked. Please try again."
            ) from error
        userinfo = token.get("userinfo")
        if not isinstance(userinfo, Mapping):
            raise ProviderRefused("The identity provider gave no ID token: sign-in refused.")
        return userinfo
