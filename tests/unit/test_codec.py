"""Payload encryption: what Temporal stores is sealed, opens only with the right key, and
the codec endpoint shows it only to supervisors."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter

from ehc import codec
from ehc.api.app import create_app
from ehc.api.settings import ApiSettings
from ehc.settings import Settings
from statutory import assessment as rules
from statutory.exceptions import Reason

NAME = "Tallulah Quenby-Marsh"  # made up: a child's name typed into a note
K1 = "2026-01:" + base64.b64encode(bytes(range(32))).decode()
K2 = "2027-01:" + base64.b64encode(bytes(range(32, 64))).decode()


def keyring(*entries: str) -> codec.Keyring:
    return codec.Keyring(codec.parse_keys(",".join(entries), "test"), "test")


def plain(text: str = NAME) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps({"note": text}).encode())


async def seal(ring: codec.Keyring, payload: Payload) -> Payload:
    return (await codec.EncryptionCodec(ring).encode([payload]))[0]


async def unseal(ring: codec.Keyring, payload: Payload) -> Payload:
    return (await codec.EncryptionCodec(ring).decode([payload]))[0]


# --- the codec ------------------------------------------------------------------------------


async def test_round_trip_hides_the_text_and_names_the_key() -> None:
    ring = keyring(K1)
    sealed = await seal(ring, plain())
    assert NAME.encode() not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()  # the inner metadata is sealed too
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata["encryption-key-id"] == b"2026-01"
    assert await unseal(ring, sealed) == plain()


async def test_every_payload_gets_a_fresh_nonce() -> None:
    ring = keyring(K1)
    a, b = await codec.EncryptionCodec(ring).encode([plain(), plain()])
    assert a.data[: codec.NONCE_BYTES] != b.data[: codec.NONCE_BYTES]
    assert a.data != b.data


async def test_after_rotation_new_payloads_use_the_new_key_and_old_ones_still_open() -> None:
    old = await seal(keyring(K1), plain("before"))
    rotated = keyring(K2, K1)
    new = await seal(rotated, plain("after"))
    assert new.metadata["encryption-key-id"] == b"2027-01"
    assert await unseal(rotated, old) == plain("before")
    assert await unseal(rotated, new) == plain("after")


async def test_a_payload_with_an_unknown_key_fails_in_one_line() -> None:
    sealed = await seal(keyring(K2), plain())
    with pytest.raises(codec.UnknownKey) as error:
        await unseal(keyring(K1), sealed)
    message = str(error.value)
    assert "'2027-01'" in message and "2026-01" in message and "\n" not in message


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.data[:-1] + bytes([p.data[-1] ^ 1]),  # a flipped bit
        lambda p: p.data[:20],  # cut short
        lambda p: p.data[: codec.NONCE_BYTES],  # nothing but a nonce
    ],
)
async def test_an_altered_payload_is_detected(tamper: Any) -> None:
    ring = keyring(K1)
    sealed = await seal(ring, plain())
    sealed.data = tamper(sealed)
    with pytest.raises(codec.PayloadTampered):
        await unseal(ring, sealed)


async def test_a_payload_relabelled_with_another_key_id_is_detected() -> None:
    # Both keys the same bytes under two names: only the authenticated key id tells them apart.
    same = K1.split(":")[1]
    ring = keyring(f"a:{same}", f"b:{same}")
    sealed = await seal(ring, plain())
    sealed.metadata["encryption-key-id"] = b"b"
    with pytest.raises(codec.PayloadTampered):
        await unseal(ring, sealed)


async def test_payloads_from_before_encryption_pass_through() -> None:
    assert await unseal(keyring(K1), plain()) == plain()


async def test_the_projects_converter_round_trips_a_recorded_exception() -> None:
    event = rules.ExceptionRecorded(
        on=date(2026, 3, 2),
        reason=Reason.PERSONAL_CIRCUMSTANCES,
        start=date(2026, 3, 1),
        end=date(2026, 3, 20),
        note=f"{NAME} in hospital",
    )
    converter = codec.data_converter(keyring(K1))
    payloads = await converter.encode([event])
    assert NAME.encode() not in b"".join(p.SerializeToString() for p in payloads)
    assert await converter.decode(payloads, [rules.ExceptionRecorded]) == [event]


async def test_failure_messages_are_sealed_too() -> None:
    converter = codec.data_converter(keyring(K1))
    failure = Failure()
    converter.failure_converter.to_failure(
        ValueError(f"rejected: {NAME}"), converter.payload_converter, failure
    )
    await converter.payload_codec.encode_failure(failure)  # type: ignore[union-attr]
    assert NAME.encode() not in failure.SerializeToString()
    await converter.payload_codec.decode_failure(failure)  # type: ignore[union-attr]
    error = converter.failure_converter.from_failure(failure, converter.payload_converter)
    assert NAME in str(error)


def test_without_a_keyring_the_default_converter_is_used() -> None:
    assert codec.data_converter(None) is pydantic_data_converter


# --- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("no-colon-here", "expected 'ID:BASE64'"),
        ("bad id:" + K1.split(":")[1], "a key id is"),
        ("short:" + base64.b64encode(b"x" * 16).decode(), "is not 32 bytes"),
        ("junk:not base64!!", "is not 32 bytes"),
        (f"{K1},{K1.split(':')[0]}:{K2.split(':')[1]}", "given twice"),
    ],
)
def test_bad_key_entries_are_refused_without_echoing_the_key(text: str, says: str) -> None:
    with pytest.raises(codec.CodecConfigError) as error:
        codec.parse_keys(text, "EHC_CODEC_KEYS")
    message = str(error.value)
    assert says in message and message.startswith("EHC_CODEC_KEYS: entry ")
    assert K2.split(":")[1] not in message and "not base64" not in message


def test_key_file_lines_comments_and_order(tmp_path: Path) -> None:
    file = tmp_path / "keys"
    file.write_text(f"# newest first\n{K2}\n\n{K1}\n")
    file.chmod(0o600)
    ring = codec.load_keyring(Settings(data_dir=tmp_path, codec_key_file=file))
    assert ring is not None and list(ring.keys) == ["2027-01", "2026-01"]
    assert ring.current == "2027-01"


def test_environment_keys_come_before_the_files(tmp_path: Path) -> None:
    file = tmp_path / "keys"
    file.write_text(f"{K1}\n")
    settings = Settings(data_dir=tmp_path, codec_keys=SecretStr(K2), codec_key_file=file)
    ring = codec.load_keyring(settings)
    assert ring is not None and list(ring.keys) == ["2027-01", "2026-01"]


def test_an_unreadable_key_file_is_one_line(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, codec_key_file=tmp_path / "missing")
    with pytest.raises(codec.CodecConfigError, match=r"^EHC_CODEC_KEY_FILE: cannot read .*missing"):
        codec.load_keyring(settings)


def test_no_key_anywhere_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(codec.CodecConfigError) as error:
        codec.load_keyring(Settings(data_dir=tmp_path))
    message = str(error.value)
    assert "EHC_CODEC_KEYS" in message and str(tmp_path / "codec-keys") in message
    assert "\n" not in message


def test_encryption_switched_off_needs_no_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, payload_encryption=False)
    assert codec.load_keyring(settings) is None
    assert codec.ensure_local_key(settings) is None
    assert codec.converter_for(settings) is pydantic_data_converter


def test_the_embedded_system_makes_a_private_key_once_and_keeps_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    path = codec.ensure_local_key(settings)
    assert path == tmp_path / "data" / "codec-keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = codec.load_keyring(settings)
    assert first is not None and len(first.keys) == 1
    assert codec.ensure_local_key(settings) == path
    again = codec.load_keyring(settings)
    assert again is not None and again.keys == first.keys


def test_configured_keys_mean_no_local_key_is_made(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, codec_keys=SecretStr(K1))
    assert codec.ensure_local_key(settings) is None
    assert not (tmp_path / "codec-keys").exists()


def test_settings_never_show_the_keys() -> None:
    assert K1.split(":")[1] not in repr(Settings(codec_keys=SecretStr(K1)))


def test_new_key_entry_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert codec.main(["2027-01"]) == 0
    line = capsys.readouterr().out.strip()
    assert list(codec.parse_keys(line, "printed")) == ["2027-01"]
    assert codec.main(["no good"]) == 2


# --- the codec endpoint ---------------------------------------------------------------------

TOKENS = {
    "supervisor": "supervisor-token-0001",
    "analyst": "analyst-token-000001",
    "cw101": "caseworker-token-cw101",
}
TOKEN_LINES = (
    f"{TOKENS['supervisor']} supervisor, {TOKENS['analyst']} analyst, "
    f"{TOKENS['cw101']} caseworker cw101"
)
UI = "http://127.0.0.1:8233"


def bearer(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


def wire(payload: Payload) -> dict[str, Any]:
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


def unwire(item: dict[str, Any]) -> Payload:
    return Payload(
        metadata={k: base64.b64decode(v) for k, v in item["metadata"].items()},
        data=base64.b64decode(item["data"]),
    )


@pytest_asyncio.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # The endpoint needs only the client's data converter: no Temporal server here.
    client: Any = SimpleNamespace(data_converter=codec.data_converter(keyring(K1)))
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'ehc.db'}",
        api=ApiSettings(tokens=TOKEN_LINES),
    )
    app = create_app(settings, client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            yield http


async def test_a_supervisor_decodes_what_the_system_sealed(http: httpx.AsyncClient) -> None:
    sealed = await seal(keyring(K1), plain())
    reply = await http.post(
        "/codec/decode",
        json={"payloads": [wire(sealed), wire(plain("x"))]},
        headers=bearer("supervisor"),
    )
    assert reply.status_code == 200, reply.text
    assert [unwire(p) for p in reply.json()["payloads"]] == [plain(), plain("x")]


async def test_encode_seals_with_the_current_key(http: httpx.AsyncClient) -> None:
    reply = await http.post(
        "/codec/encode", json={"payloads": [wire(plain())]}, headers=bearer("supervisor")
    )
    assert reply.status_code == 200, reply.text
    sealed = unwire(reply.json()["payloads"][0])
    assert sealed.metadata["encryption-key-id"] == b"2026-01"
    assert NAME.encode() not in sealed.data
    assert await unseal(keyring(K1), sealed) == plain()


async def test_only_supervisors_may_decode(http: httpx.AsyncClient) -> None:
    sealed = {"payloads": [wire(await seal(keyring(K1), plain()))]}
    assert (await http.post("/codec/decode", json=sealed)).status_code == 401
    for who in ("analyst", "cw101"):
        reply = await http.post("/codec/decode", json=sealed, headers=bearer(who))
        assert reply.status_code == 403
        assert NAME not in reply.text


async def test_undecodable_payloads_are_refused_in_one_line(http: httpx.AsyncClient) -> None:
    foreign = await seal(keyring(K2), plain())
    reply = await http.post(
        "/codec/decode", json={"payloads": [wire(foreign)]}, headers=bearer("supervisor")
    )
    assert reply.status_code == 422
    assert reply.json()["detail"] == "a payload was encrypted with a key this server does not have"
    broken = wire(await seal(keyring(K1), plain()))
    broken["data"] = base64.b64encode(b"\0" * 40).decode()
    reply = await http.post(
        "/codec/decode", json={"payloads": [broken]}, headers=bearer("supervisor")
    )
    assert reply.status_code == 422 and "integrity" in reply.json()["detail"]
    reply = await http.post(
        "/codec/decode",
        json={"payloads": [{"metadata": {}, "data": "not base64!"}]},
        headers=bearer("supervisor"),
    )
    assert reply.status_code == 422 and "base64" in reply.json()["detail"]


async def test_the_temporal_ui_may_call_the_codec_and_nothing_else(http: httpx.AsyncClient) -> None:
    preflight = {
        "Origin": UI,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    allowed = await http.options("/codec/decode", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == UI
    assert allowed.headers["access-control-allow-credentials"] == "true"
    other = await http.options("/codec/decode", headers={**preflight, "Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in other.headers
    elsewhere = await http.options("/overdue", headers=preflight)
    assert "access-control-allow-origin" not in elsewhere.headers
    # The real request carries the header too, so the page can read the answer.
    reply = await http.post(
        "/codec/decode",
        json={"payloads": []},
        headers={**bearer("supervisor"), "Origin": UI},
    )
    assert reply.headers["access-control-allow-origin"] == UI


def test_cors_origins_are_configurable() -> None:
    from ehc.api.codec import ui_origins

    assert ui_origins(Settings(ui_port=9000)) == ["http://127.0.0.1:9000", "http://localhost:9000"]
    given = Settings(codec_cors_origins="https://temporal.council.example/, https://ui.example")
    assert ui_origins(given) == ["https://temporal.council.example", "https://ui.example"]
