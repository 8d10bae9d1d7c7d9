"""Payload encryption on the embedded system (`ehc up`): a note typed into an exception is
not in the Temporal server's SQLite files, yet `ehc assessment show` and, through the API's
codec endpoint, `temporal workflow show` display it; a wrong key or no key is one line."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ehc import codec
from tests.e2e.test_cli_system import ehc, free_port, system_up
from workflows.models import assessment_workflow_id

pytestmark = pytest.mark.e2e
NAME = "Tallulah Quenby-Marsh"  # made up: a child's name typed where it should not be
REF = "ENC-2026-0001"
SUPERVISOR = "supervisor-token-0001"
ANALYST = "analyst-token-000001"
TEMPORAL = str(Path(sys.executable).parent / "temporal")


def at_rest(data: Path) -> bytes:
    """Every byte the Temporal server keeps: its SQLite file and write-ahead log."""
    return b"".join(p.read_bytes() for p in sorted(data.glob("temporal.db*")))


def payloads(history: object) -> list[tuple[bytes, bytes]]:
    """(encoding, data) of every payload in a history as ``temporal workflow show -o json``
    prints it (protobuf JSON: bytes in base64)."""
    found: list[tuple[bytes, bytes]] = []
    if isinstance(history, dict):
        if "metadata" in history and "data" in history:
            encoding = base64.b64decode(history["metadata"].get("encoding", ""))
            found.append((encoding, base64.b64decode(history["data"])))
        for value in history.values():
            found += payloads(value)
    elif isinstance(history, list):
        for value in history:
            found += payloads(value)
    return found


def temporal_show(env: dict[str, str], *codec_flags: str) -> list[tuple[bytes, bytes]]:
    """The case's history through the Temporal CLI, as (encoding, data) pairs."""
    shown = subprocess.run(
        [
            TEMPORAL,
            "workflow",
            "show",
            "--workflow-id",
            assessment_workflow_id(REF),
            "--address",
            env["TEMPORAL_ADDRESS"],
            "--output",
            "json",
            *codec_flags,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return payloads(json.loads(shown.stdout))


def test_case_data_is_encrypted_at_rest_and_readable_by_whom_it_should_be(tmp_path: Path) -> None:
    port, ui, api = free_port(), free_port(), free_port()
    data = tmp_path / "data"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    env = {
        **base,
        "EHC_DATA_DIR": str(data),
        "EHC_SERVER_PORT": str(port),
        "EHC_UI_PORT": str(ui),
        "EHC_WEB_PORT": str(free_port()),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "EHC_LOG_FORMAT": "json",
        "EHC_API_PORT": str(api),
        "EHC_API_TOKENS": f"{SUPERVISOR} supervisor, {ANALYST} analyst",
    }
    today = datetime.now(UTC).date()
    received = today - timedelta(days=30)
    with system_up(env, tmp_path / "up.log", "--no-demo"):
        key_file = data / "codec-keys"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        started = ehc(
            env,
            *("assessment", "start", REF, "--received", received.isoformat()),
            *("--caseworker", "cw101", "--team", "north"),
        )
        assert started.returncode == 0, started.stderr
        recorded = ehc(
            env,
            *("assessment", "record", REF, "exception", "--reason", "personal-circumstances"),
            *("--start", (received + timedelta(days=7)).isoformat()),
            *("--end", (received + timedelta(days=20)).isoformat()),
            *("--note", f"{NAME} in hospital"),
        )
        assert recorded.returncode == 0, recorded.stderr

        shown = ehc(env, "assessment", "show", REF)
        assert shown.returncode == 0, shown.stderr
        assert NAME in shown.stdout

        stored = at_rest(data)
        assert REF.encode() in stored, "the search must look where the server keeps cases"
        assert NAME.encode() not in stored
        assert b"in hospital" not in stored

        # The Temporal CLI sees ciphertext, unless the codec endpoint decodes it for a
        # supervisor.
        sealed = temporal_show(env)
        assert b"binary/encrypted" in {encoding for encoding, _ in sealed}
        assert not any(NAME.encode() in blob for _, blob in sealed)
        endpoint = f"http://127.0.0.1:{api}/codec"
        opened = temporal_show(
            env, "--codec-endpoint", endpoint, "--codec-auth", f"Bearer {SUPERVISOR}"
        )
        assert b"binary/encrypted" not in {encoding for encoding, _ in opened}
        assert any(NAME.encode() in blob for _, blob in opened)
        refused = httpx.post(
            f"{endpoint}/decode",
            json={"payloads": []},
            headers={"Authorization": f"Bearer {ANALYST}"},
        )
        assert refused.status_code == 403

        # Another key: the CLI says which key it lacks, in one line.
        other = {**env, "EHC_CODEC_KEYS": codec.new_key_entry("other")}
        wrong = ehc(other, "assessment", "show", REF)
        assert wrong.returncode == 1
        assert wrong.stderr.count("\n") == 1, wrong.stderr
        assert "not among the keys configured here (other" in wrong.stderr
        assert NAME not in wrong.stdout + wrong.stderr

        # No key at all (another data directory, nothing configured): refused before connecting.
        keyless = {**env, "EHC_DATA_DIR": str(tmp_path / "elsewhere")}
        none = ehc(keyless, "assessment", "list")
        assert none.returncode == 1
        assert none.stderr.count("\n") == 1 and "no key to encrypt case data" in none.stderr
        assert not (tmp_path / "elsewhere" / "codec-keys").exists()
