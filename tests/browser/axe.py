"""Checking a page with axe-core (WCAG 2.2 AA) and keeping a screenshot of it.

axe-core comes from ``node_modules/`` (package.json; ``make install`` runs ``npm ci``). It is
added to the page as an inline script, which the service's Content Security Policy forbids:
a page to be checked is opened in a context that bypasses the CSP (``bypass_csp=True``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

PROJECT = Path(__file__).resolve().parents[2]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
    summaries: v.nodes.map(n => n.failureSummary),
  })))"""


async def screenshot(page: Page, name: str) -> Path:
    """The whole page as ``screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    return path


async def violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds against WCAG 2.0, 2.1 and 2.2 A and AA on the page as it is."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci installs axe-core)")
    await page.add_script_tag(path=AXE)
    found: list[dict[str, Any]] = await page.evaluate(_RUN, WCAG_22_AA)
    return found


def _first_fix(summary: str | None) -> str:
    """The first thing axe-core asks to fix ("Fix any of the following:" then the items)."""
    lines = [line.strip() for line in (summary or "").splitlines()]
    items = [line for line in lines if line and not line.startswith("Fix ")]
    return items[0] if items else ""


def described(found: list[dict[str, Any]]) -> str:
    """One paragraph per rule broken: its id, impact, what it asks, and where."""
    parts = []
    for v in found:
        where = "\n".join(
            f"    {target}\n      {_first_fix(summary)}"
            for target, summary in zip(v["targets"], v["summaries"], strict=True)
        )
        parts.append(f"  {v['id']} ({v['impact']}): {v['help']}\n{where}")
    return "\n".join(parts)


async def assert_accessible(page: Page, name: str) -> None:
    """Screenshot the page (``name``), then fail with every axe-core violation on it."""
    await screenshot(page, name)
    found = await violations(page)
    assert not found, f"axe-core finds on {name} ({page.url}):\n{described(found)}"
