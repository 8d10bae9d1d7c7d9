"""What every page handler needs: the services, the read model, the directory, the targets.

``create_web_app``'s lifespan puts one ``WebContext`` on ``app.state.web``; a page takes it
with the ``web_context`` dependency:

    async def page(web: Annotated[WebContext, Depends(web_context)]): ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from temporalio.client import Client

from activities.directory import Directory
from ehc.ledger_reader import LedgerReader
from ehc.settings import Settings
from statutory.kpi import KpiTargets

if TYPE_CHECKING:
    from ehc.read_model import ReadModel


@dataclass(slots=True)
class WebContext:
    client: Client
    settings: Settings
    ledger: LedgerReader
    """The reporting ledger, for the KPIs (``ehc.ledger_reader``)."""
    read_model: ReadModel
    """Cases and open steps, for the lists (``ehc.read_model``)."""
    directory: Directory
    targets: KpiTargets


def web_context(request: Request) -> WebContext:
    """Dependency: the app's ``WebContext``."""
    web: WebContext = request.app.state.web
    return web
