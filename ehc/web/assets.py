"""Where the front-end files come from: the npm packages that ``make`` installs into
``node_modules/`` (not committed), and the service's own few files in ``ehc/web/static``.

URLs: ``/assets/...`` (GOV.UK Frontend's fonts and images, where its stylesheet expects
them), ``/govuk-frontend/...`` (its stylesheet and script), ``/static/...`` (ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from ehc.web import WebCannotStart

PROJECT = Path(__file__).resolve().parents[2]
NODE_MODULES = PROJECT / "node_modules"
STATIC = Path(__file__).resolve().parent / "static"


class AssetsMissing(WebCannotStart):
    """An npm package is not installed: one line saying how to install it."""


@dataclass(frozen=True, slots=True)
class NpmPackage:
    name: str
    served: str
    """The folder inside the package that is served."""

    def folder(self, node_modules: Path = NODE_MODULES) -> Path:
        path = node_modules / self.name / self.served
        if not path.is_dir():
            raise AssetsMissing(
                f"{self.name} is not installed in {node_modules}: run `make install` "
                "(npm ci) in the project folder first"
            )
        return path


GOVUK_FRONTEND = NpmPackage("govuk-frontend", "dist/govuk")
SWAGGER_UI = NpmPackage("swagger-ui-dist", "")


def mount_govuk_frontend(app: FastAPI, node_modules: Path = NODE_MODULES) -> None:
    """Serve GOV.UK Frontend and our own files; ``AssetsMissing`` at once if not installed."""
    govuk = GOVUK_FRONTEND.folder(node_modules)
    app.mount("/assets", StaticFiles(directory=govuk / "assets"), name="assets")
    app.mount("/govuk-frontend", StaticFiles(directory=govuk), name="govuk-frontend")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
