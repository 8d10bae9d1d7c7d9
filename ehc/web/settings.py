"""The web service's settings (prefix ``EHC_WEB_``).

| variable | default | meaning |
|---|---|---|
| ``EHC_WEB_HOST`` | ``127.0.0.1`` | address to listen on |
| ``EHC_WEB_PORT`` | ``8080`` | port to listen on |
| ``EHC_WEB_BASE_URL`` | from each request | the address people open (``https://ehc.example.gov.uk``): the sign-in callback registered at the provider is this plus ``/sign-in/callback`` |
| ``EHC_WEB_SECRET_KEY`` | a key made once in the data directory (``web-secret-key``) | signs the session cookie; the same on every instance behind one address |
| ``EHC_WEB_LOCAL_SIGN_IN`` | ``auto`` | the demo staff sign-in: ``auto`` (on only when listening on a loopback address), ``on``, ``off``; always refused to a request that does not come to a loopback address |
| ``EHC_WEB_OIDC_ISSUER`` | none | the identity provider's issuer URL (its discovery document is at ``/.well-known/openid-configuration`` under it); unset: no OpenID Connect sign-in |
| ``EHC_WEB_OIDC_DISCOVERY_URL`` | the issuer's | the discovery document's URL, where it is not under the issuer |
| ``EHC_WEB_OIDC_CLIENT_ID`` | none | this service's client id at the provider |
| ``EHC_WEB_OIDC_CLIENT_SECRET`` | none | its client secret |
| ``EHC_WEB_OIDC_SCOPES`` | ``openid profile email`` | scopes asked for |
| ``EHC_WEB_OIDC_STAFF_ID_CLAIM`` | ``preferred_username`` | the claim naming the member of staff (a directory id, or a directory email) |
| ``EHC_WEB_OIDC_ROLE_CLAIM`` | ``roles`` | the claim carrying the role (caseworker, supervisor, analyst, admin); without it, the directory's ``role`` |
| ``EHC_WEB_OIDC_TEAM_CLAIM`` | ``team`` | the claim carrying the team; without it, the directory's ``team`` |
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "web-secret-key"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHC_WEB_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    base_url: str | None = None
    secret_key: SecretStr | None = None
    local_sign_in: Literal["auto", "on", "off"] = "auto"
    oidc_issuer: str | None = None
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile email"
    oidc_staff_id_claim: str = "preferred_username"
    oidc_role_claim: str = "roles"
    oidc_team_claim: str = "team"

    @property
    def oidc_configured(self) -> bool:
        return bool(self.oidc_issuer or self.oidc_discovery_url) and bool(self.oidc_client_id)

    @property
    def discovery_url(self) -> str | None:
        if self.oidc_discovery_url:
            return self.oidc_discovery_url
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
        return None
