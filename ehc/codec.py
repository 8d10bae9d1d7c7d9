"""Encrypting what Temporal stores, so its database holds no child's details in clear.

Every payload a client or worker sends to Temporal (a case's request, each recorded event
with its notes, providers and reasons, query and update results, failure messages) is
sealed with AES-256-GCM before it leaves the process and opened again on the way back.
The Temporal server, its database and its backups see only ciphertext; search attributes
(case reference, caseworker id, team, stage, dates) stay readable so lists and overdue
queries work, and hold no names (``workflows.search_attributes``).

Keys come from ``EHC_CODEC_KEYS`` (``ID:BASE64`` entries, comma separated), then
``EHC_CODEC_KEY_FILE`` (one entry a line); with neither, from ``codec-keys`` in the data
directory, which ``ehc up`` creates on its first start. The first key encrypts; every key
decrypts, so a rotated-out key stays listed for as long as histories sealed with it exist.
Each sealed payload names its key in its metadata (``encryption-key-id``) and binds that
name into the cipher's authenticated data, so a payload relabelled with another key's id
fails as tampered rather than decrypting.

``python -m ehc.codec ID`` prints a new key entry.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
import secrets
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from ehc.settings import Settings

log = structlog.get_logger(__name__)

ENCODING = b"binary/encrypted"
"""The ``encoding`` metadata of a sealed payload."""
KEY_ID = "encryption-key-id"
"""The metadata entry naming the key that sealed a payload."""
KEY_FILE = "codec-keys"
"""The key file ``ehc up`` keeps in the data directory."""
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, fresh from the OS for every payload (NIST SP 800-38D 8.2.2)
TAG_BYTES = 16
KEY_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


class CodecError(RuntimeError):
    """Case data cannot be encrypted or decrypted; the message says why, in one line."""


class CodecConfigError(CodecError):
    """The keys are missing or cannot be used."""


class UnknownKey(CodecError):
    """A payload was sealed with a key this process does not have."""


class PayloadTampered(CodecError):
    """A payload fails its authentication: altered, truncated or relabelled."""


def _key_bytes(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def parse_keys(text: str, source: str) -> dict[str, bytes]:
    """``ID:BASE64`` entries (commas or new lines between them, ``#`` comments), in order.

    Errors name the entry, never its key material.
    """
    keys: dict[str, bytes] = {}
    lines = [line.strip() for line in text.splitlines()]
    entries = [
        part.strip() for line in lines if not line.startswith("#") for part in line.split(",")
    ]
    for number, entry in enumerate(filter(None, entries), start=1):
        where = f"{source}: entry {number}"
        key_id, colon, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not colon:
            raise CodecConfigError(f"{where}: expected 'ID:BASE64'")
        if not re.fullmatch(KEY_ID_PATTERN, key_id):
            raise CodecConfigError(f"{where}: a key id is 1 to 64 letters, digits, '.', '_' or '-'")
        key = _key_bytes(encoded.strip())
        if len(key) != KEY_BYTES:
            raise CodecConfigError(
                f"{where}: key '{key_id}' is not {KEY_BYTES} bytes of base64 "
                "(make one with `python -m ehc.codec ID`)"
            )
        if keys.get(key_id, key) != key:
            raise CodecConfigError(f"{where}: key id '{key_id}' is given twice, differently")
        keys[key_id] = key
    return keys


def new_key_entry(key_id: str) -> str:
    """A fresh random key as a key file line, ``ID:BASE64``."""
    if not re.fullmatch(KEY_ID_PATTERN, key_id):
        raise CodecConfigError("a key id is 1 to 64 letters, digits, '.', '_' or '-'")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


@dataclass(frozen=True, slots=True)
class Keyring:
    """The keys one process may use: the first encrypts, every one decrypts."""

    keys: dict[str, bytes]
    source: str
    """Where they came from, for messages: an environment variable or a file."""

    def __post_init__(self) -> None:
        if not self.keys:
            raise CodecConfigError(f"{self.source}: no keys in it")

    @property
    def current(self) -> str:
        return next(iter(self.keys))


def _read_key_file(path: Path, source: str) -> dict[str, bytes]:
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except OSError as error:
        raise CodecConfigError(f"{source}: cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CodecConfigError(f"{source}: {path} is not a text file") from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("key file readable by others: chmod 600 it", path=str(path))
    return parse_keys(text, f"{source} ({path})")


def local_key_file(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def _configured(settings: Settings) -> bool:
    return settings.codec_keys is not None or settings.codec_key_file is not None


def load_keyring(settings: Settings) -> Keyring | None:
    """This process's keys; None when payload encryption is switched off.

    Raises ``CodecConfigError`` when none is configured and the data directory has none:
    a client that sent case data in clear to a server where the rest is encrypted would
    leak it without a word, so it does not start.
    """
    if not settings.payload_encryption:
        return None
    keys: dict[str, bytes] = {}
    sources: list[str] = []
    if settings.codec_keys is not None:
        keys |= parse_keys(settings.codec_keys.get_secret_value(), "EHC_CODEC_KEYS")
        sources.append("EHC_CODEC_KEYS")
    if settings.codec_key_file is not None:
        for key_id, key in _read_key_file(settings.codec_key_file, "EHC_CODEC_KEY_FILE").items():
            if keys.setdefault(key_id, key) != key:
                raise CodecConfigError(
                    f"key id '{key_id}' means different keys in EHC_CODEC_KEYS and "
                    "EHC_CODEC_KEY_FILE"
                )
        sources.append(str(settings.codec_key_file))
    if sources:
        return Keyring(keys, " and ".join(sources))
    local = local_key_file(settings)
    if local.exists():
        return Keyring(_read_key_file(local, "key file"), str(local))
    raise CodecConfigError(
        "no key to encrypt case data with: set EHC_CODEC_KEYS or EHC_CODEC_KEY_FILE, or "
        f"EHC_DATA_DIR to the data directory of `ehc up` (it keeps its key in {local})"
    )


def ensure_local_key(settings: Settings) -> Path | None:
    """For the embedded system (``ehc up``): the data directory's key file, made on first
    start (readable by its owner only); None when keys are configured or encryption is off.

    Only ``ehc up`` makes a key: a worker making its own would seal payloads that the
    other workers of a cluster cannot open.
    """
    if not settings.payload_encryption or _configured(settings):
        return None
    path = local_key_file(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date()
    text = (
        "# Keys for the case data kept by the Temporal server (ehc.codec). Back this file up\n"
        "# with the data directory, and keep it secret: without it the cases cannot be read.\n"
        "# First line encrypts; add a new key at the top to rotate, and keep the old ones.\n"
        f"{new_key_entry(f'local-{today:%Y%m%d}')}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask
        out.write(text)
    log.info("payload encryption key created", path=str(path))
    return path


def _shown(key_id: bytes) -> str:
    """A key id from a payload, fit for a message (it may come from anywhere)."""
    text = key_id.decode("utf-8", errors="replace")
    return f"'{text}'" if re.fullmatch(KEY_ID_PATTERN, text) else "an unreadable key id"


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole payload (its metadata and data), with a random 96-bit
    nonce per payload and the key id as authenticated data.

    Payloads that are not sealed (histories written before encryption was switched on)
    pass through ``decode`` unchanged, so those cases keep working.
    """

    def __init__(self, keyring: Keyring) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.keyring = keyring
        self._ciphers: dict[bytes, AESGCM] = {
            key_id.encode(): AESGCM(key) for key_id, key in keyring.keys.items()
        }
        self._current = keyring.current.encode()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        cipher = self._ciphers[self._current]
        sealed = cipher.encrypt(nonce, payload.SerializeToString(), self._current)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: self._current}, data=nonce + sealed)

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        from cryptography.exceptions import InvalidTag
        from google.protobuf.message import DecodeError

        key_id = payload.metadata.get(KEY_ID, b"")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownKey(
                f"case data was encrypted with key {_shown(key_id)}, which is not among the "
                f"keys configured here ({', '.join(self.keyring.keys)}, from "
                f"{self.keyring.source}): add it, and keep old keys after a rotation"
            )
        data = payload.data
        if len(data) < NONCE_BYTES + TAG_BYTES:
            raise PayloadTampered(self._tampered(key_id))
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id)
            inner = Payload()
            inner.ParseFromString(plain)
        except (InvalidTag, DecodeError) as error:
            raise PayloadTampered(self._tampered(key_id)) from error
        return inner

    @staticmethod
    def _tampered(key_id: bytes) -> str:
        return (
            f"case data encrypted with key {_shown(key_id)} fails its integrity check: it was "
            "altered, or that key id now names a different key"
        )


def data_converter(keyring: Keyring | None) -> DataConverter:
    """The project's converter (pydantic models as JSON), sealed with ``keyring`` if given.

    With a keyring, failure messages and stack traces go into the sealed payloads too:
    a rejected event's message can quote what was typed.
    """
    from temporalio.contrib.pydantic import pydantic_data_converter

    if keyring is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def converter_for(settings: Settings) -> DataConverter:
    """The data converter every client and worker of this process uses (``ehc.temporal``)."""
    return data_converter(load_keyring(settings))


def describe(settings: Settings) -> str:
    """One line for the ``ehc up`` banner: whether and with what case data is encrypted."""
    try:
        keyring = load_keyring(settings)
    except CodecError as error:
        return f"not usable: {error}"
    if keyring is None:
        return "NOT encrypted (EHC_PAYLOAD_ENCRYPTION is off)"
    if keyring.source == str(local_key_file(settings)):
        return f"encrypted; back up {keyring.source} with it: without it no case can be read"
    return f"encrypted (key {keyring.current}, from {keyring.source})"


def main(argv: Sequence[str]) -> int:
    """``python -m ehc.codec ID``: print a new key entry for EHC_CODEC_KEYS or a key file."""
    if len(argv) != 1:
        print("usage: python -m ehc.codec KEY-ID   (e.g. 2027-01)", file=sys.stderr)
        return 2
    try:
        print(new_key_entry(argv[0]))
    except CodecConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
