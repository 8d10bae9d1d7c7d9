"""Token configuration and roles (no server needed)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from ehc.api.auth import Principal, Role, TokenConfigError, parse_tokens
from ehc.api.serve import start_beside_worker
from ehc.api.settings import ApiSettings
from ehc.settings import Settings


def test_tokens_map_to_roles_and_staff_ids_and_may_be_stored_hashed() -> None:
    hashed = hashlib.sha256(b"hashed-token-0000001").hexdigest()
    tokens = parse_tokens(
        "# the supervisors\n"
        "supervisor-token-0001 supervisor\n"
        f"sha256:{hashed} analyst, caseworker-token-0001 caseworker CW101\n"
        "system-token-0000001 caseworker *"
    )
    assert len(tokens) == 4
    assert tokens.lookup("supervisor-token-0001") == Principal(Role.SUPERVISOR)
    assert tokens.lookup("hashed-token-0000001") == Principal(Role.ANALYST)
    assert tokens.lookup("caseworker-token-0001") == Principal(Role.CASEWORKER, "cw101")
    assert tokens.lookup(f"sha256:{hashed}") is None, "the digest itself is not a token"
    assert tokens.lookup("nobody") is None


def test_who_may_act_on_and_read_a_case() -> None:
    cw101, system = Principal(Role.CASEWORKER, "cw101"), Principal(Role.CASEWORKER, "*")
    supervisor, analyst = Principal(Role.SUPERVISOR), Principal(Role.ANALYST)
    assert cw101.owns("cw101") and not cw101.owns("cw202")
    assert system.owns("cw202")
    assert not supervisor.owns("cw101") and supervisor.may_read("cw101")
    assert not analyst.may_read("cw101")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("short supervisor", "at least 16"),
        ("supervisor-token-0001 boss", "unknown role 'boss'"),
        ("caseworker-token-0001 caseworker", "needs a staff id"),
        ("supervisor-token-0001 supervisor cw101", "only caseworker tokens"),
        ("caseworker-token-0001 caseworker Jane Smith", "expected 'TOKEN ROLE"),
        ("caseworker-token-0001 caseworker j'smith", "not a valid staff id"),
        ("sha256:abc analyst", "64 hex digits"),
    ],
)
def test_a_bad_token_line_is_refused_with_its_reason(text: str, message: str) -> None:
    with pytest.raises(TokenConfigError, match=message):
        parse_tokens(text)


def test_no_tokens_means_no_api(tmp_path: Path) -> None:
    with pytest.raises(TokenConfigError, match="no anonymous access"):
        ApiSettings(tokens="").load_tokens()
    with pytest.raises(TokenConfigError, match="cannot read"):
        ApiSettings(token_file=tmp_path / "missing").load_tokens()
    file = tmp_path / "tokens"
    file.write_text("file-token-00000001 analyst\n")
    assert (
        len(ApiSettings(tokens="env-token-000000001 supervisor", token_file=file).load_tokens())
        == 2
    )


async def test_ehc_up_starts_no_api_without_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHC_API_TOKENS", raising=False)
    monkeypatch.delenv("EHC_API_TOKEN_FILE", raising=False)
    assert start_beside_worker(Settings(), object(), asyncio.Event()) is None  # type: ignore[arg-type]
