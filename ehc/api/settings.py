"""The API's settings (prefix ``EHC_API_``).

| variable | default | meaning |
|---|---|---|
| ``EHC_API_TOKENS`` | none | tokens, ``TOKEN ROLE [STAFF-ID]`` separated by commas or newlines |
| ``EHC_API_TOKEN_FILE`` | none | a file of such lines (``#`` comments); both sources add up |
| ``EHC_API_HOST`` | ``127.0.0.1`` | address to listen on |
| ``EHC_API_PORT`` | ``8000`` | port to listen on |
| ``EHC_API_TEMPORAL_TIMEOUT`` | ``20`` | seconds to wait for Temporal (a query waits for a worker) |
| ``EHC_API_MAX_BODY_BYTES`` | ``65536`` | largest request body (413 past it); an event is well under 2 KiB |
| ``EHC_API_MAX_CODEC_BODY_BYTES`` | ``16777216`` | the same for ``/codec``, whose bodies carry whole payloads |
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ehc.api.auth import TokenConfigError, Tokens, parse_tokens


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHC_API_", extra="ignore")

    tokens: str = ""
    token_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    temporal_timeout: float = Field(default=20.0, gt=0, le=600)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    max_codec_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)

    def load_tokens(self) -> Tokens:
        """Every configured token; refuses to run with none (no anonymous access)."""
        text = self.tokens
        if self.token_file is not None:
            try:
                text += "\n" + self.token_file.read_text(encoding="utf-8")
            except OSError as error:
                raise TokenConfigError(
                    f"EHC_API_TOKEN_FILE: cannot read {self.token_file}: {error.strerror}"
                ) from error
        tokens = parse_tokens(text)
        if not len(tokens):
            raise TokenConfigError(
                "no API tokens configured: set EHC_API_TOKENS or EHC_API_TOKEN_FILE "
                "(lines 'TOKEN ROLE [STAFF-ID]'); the API allows no anonymous access"
            )
        return tokens
