"""``ehc api``: serve the HTTP API (OpenAPI at /docs) against the configured Temporal."""

from __future__ import annotations

from typing import Annotated

import typer

from ehc.cli.common import fail, run
from ehc.cli.serving import at_address, stop_on_signals
from ehc.settings import get_settings


def api(
    host: Annotated[str | None, typer.Option(help="Address (default EHC_API_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default EHC_API_PORT, 8000).")] = None,
) -> None:
    """Serve the HTTP API; tokens from EHC_API_TOKENS or EHC_API_TOKEN_FILE (no anonymous use)."""
    # FastAPI, uvicorn and Temporal's client: loaded only when the API is served.
    from ehc.api.auth import TokenConfigError
    from ehc.api.serve import serve
    from ehc.temporal import connect

    settings = at_address(get_settings(), "api", host, port)
    try:
        settings.api.load_tokens()
    except TokenConfigError as error:
        fail(str(error))

    async def go() -> None:
        client = await connect(settings)  # fails in one line if Temporal is not there
        await serve(settings, client=client, stop=stop_on_signals())

    run(go())
