"""The codec endpoint: Temporal's remote codec protocol, so the Temporal CLI and UI can show
encrypted case data to people allowed to read every case (supervisor tokens).

``POST /codec/decode`` and ``POST /codec/encode`` take and return ``{"payloads": [...]}``,
each payload in protobuf's JSON form (``metadata`` values and ``data`` in base64), and run
them through this process's codec (``ehc.codec``). For the CLI::

    temporal workflow show -w assessment-EHC-2026-0001 \\
        --codec-endpoint http://127.0.0.1:8000/codec --codec-auth "Bearer TOKEN"

Browsers may call it from the origins in ``EHC_CODEC_CORS_ORIGINS`` (default: the embedded
Temporal UI), and only under ``/codec``. Each call is logged with the token's role, never
with what it decoded.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated

import structlog
from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from ehc.api.auth import Principal, Role
from ehc.api.context import Context, allow
from ehc.codec import CodecError, PayloadTampered, UnknownKey
from ehc.settings import Settings

log = structlog.get_logger(__name__)

PREFIX = "/codec"
MAX_PAYLOADS = 1000
MAX_DATA_CHARS = 4 * 1024 * 1024  # base64 of about 3 MB; Temporal refuses payloads past 2 MB
MAX_METADATA = 32

router = APIRouter(prefix=PREFIX, tags=["codec"])
Reader = Annotated[Principal, allow(Role.SUPERVISOR, what="decode case data")]


def _bytes(text: str) -> bytes:
    """Protobuf's JSON bytes: standard or URL-safe base64, padded or not."""
    text = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64") from error


def _text(data: bytes) -> str:
    return base64.b64encode(data).decode()


class WirePayload(BaseModel):
    """One payload as the codec protocol carries it: bytes in base64."""

    metadata: dict[
        Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=4096)]
    ] = Field(default_factory=dict, max_length=MAX_METADATA)
    data: str = Field(default="", max_length=MAX_DATA_CHARS)

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, str]) -> dict[str, str]:
        for key, item in value.items():
            try:
                key.encode("utf-8")  # protobuf map keys must be valid UTF-8
            except UnicodeEncodeError as error:
                raise ValueError("a metadata name is not valid text") from error
            _bytes(item)
        return value

    @field_validator("data")
    @classmethod
    def _data(cls, value: str) -> str:
        _bytes(value)
        return value

    def to_proto(self) -> Payload:
        return Payload(
            metadata={k: _bytes(v) for k, v in self.metadata.items()}, data=_bytes(self.data)
        )

    @classmethod
    def of(cls, payload: Payload) -> WirePayload:
        return cls(
            metadata={k: _text(v) for k, v in payload.metadata.items()},
            data=_text(payload.data),
        )


class Payloads(BaseModel):
    payloads: list[WirePayload] = Field(max_length=MAX_PAYLOADS)


@router.post("/decode")
async def decode(body: Payloads, ctx: Context, who: Reader, request: Request) -> Payloads:
    """Decrypt payloads sealed by this system (others come back as they are)."""
    codec = ctx.client.data_converter.payload_codec
    payloads = [p.to_proto() for p in body.payloads]
    try:
        opened = await codec.decode(payloads) if codec else payloads
    except UnknownKey as error:
        raise HTTPException(
            422, "a payload was encrypted with a key this server does not have"
        ) from error
    except PayloadTampered as error:
        raise HTTPException(
            422, "a payload fails its integrity check (altered, or the wrong key)"
        ) from error
    _audit("decode", who, request, len(payloads))
    return Payloads(payloads=[WirePayload.of(p) for p in opened])


@router.post("/encode")
async def encode(body: Payloads, ctx: Context, who: Reader, request: Request) -> Payloads:
    """Encrypt payloads (input typed in the Temporal UI or CLI) as this system would."""
    codec = ctx.client.data_converter.payload_codec
    payloads = [p.to_proto() for p in body.payloads]
    sealed = await codec.encode(payloads) if codec else payloads
    _audit("encode", who, request, len(payloads))
    return Payloads(payloads=[WirePayload.of(p) for p in sealed])


def _audit(action: str, who: Principal, request: Request, count: int) -> None:
    log.info(
        "codec endpoint used",
        action=action,
        role=who.role.value,
        staff_id=who.staff_id,
        payloads=count,
        namespace=request.headers.get("x-namespace"),
    )


class _CodecCors:
    """CORS for the codec routes only: the rest of the API is not for browsers."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
            allow_credentials=True,  # the UI's "include cross-origin credentials"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(PREFIX + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def ui_origins(settings: Settings) -> list[str]:
    """``EHC_CODEC_CORS_ORIGINS``, or the embedded Temporal UI's address."""
    given = [o.strip().rstrip("/") for o in settings.codec_cors_origins.split(",") if o.strip()]
    if given:
        return given
    hosts = (
        {settings.server_ip, "localhost"}
        if settings.server_ip == "127.0.0.1"
        else {settings.server_ip}
    )
    return sorted(f"http://{host}:{settings.ui_port}" for host in hosts)


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve the codec routes on ``app``, with CORS for the Temporal UI's origins."""
    app.include_router(router)
    app.add_middleware(_CodecCors, origins=ui_origins(settings))

    @app.exception_handler(CodecError)
    async def undecryptable(_: Request, error: CodecError) -> JSONResponse:
        # A case's own data that this server cannot open: its keys differ from the worker's.
        log.error("case data cannot be decrypted", error=str(error))
        return JSONResponse(
            {
                "detail": "this server cannot decrypt the case's data: its encryption keys "
                "differ from the worker's (see its log)"
            },
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
