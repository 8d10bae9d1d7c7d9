"""``ehc web``: serve the web pages (sign in, my cases, team, case, performance, scenarios)
against the configured Temporal."""

from __future__ import annotations

from typing import Annotated

import typer

from ehc.cli.common import FAILED, fail, run
from ehc.cli.serving import at_address, stop_on_signals
from ehc.settings import get_settings


def web(
    host: Annotated[str | None, typer.Option(help="Address (default EHC_WEB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default EHC_WEB_PORT, 8080).")] = None,
) -> None:
    """Serve the web pages for caseworkers, supervisors and analysts (EHC_WEB_*; see README)."""
    # FastAPI, Jinja, uvicorn and Temporal's client: loaded only when the pages are served.
    from ehc.temporal import connect
    from ehc.web import WebCannotStart
    from ehc.web.app import create_web_app
    from ehc.web.serve import check_can_serve, serve, web_address

    settings = at_address(get_settings(), "web", host, port)
    try:
        check_can_serve(settings)  # before connecting to anything
    except WebCannotStart as error:
        fail(str(error), FAILED)

    async def go() -> None:
        client = await connect(settings)  # fails in one line if Temporal is not there
        app = create_web_app(settings, client)
        stop = stop_on_signals()
        print(f"Web service  {web_address(settings)}", flush=True)
        await serve(settings, client=client, stop=stop, app=app)

    run(go())
