"""Fixtures of the browser tests: one live stack and one Chromium for the package.

- ``site`` (``tests.browser.stack.Site``): the web service on a free loopback port, a worker
  with the project's workflows and activities on the embedded Temporal dev server (the
  session's ``dev_server_env``), the reporting database in a temporary folder.
- ``chromium``: Debian's Chromium at /usr/bin/chromium, headless, through Playwright (no
  browser is downloaded; ``make install`` installs the Debian package). Missing, every test
  fails saying so: CI installs it.
- ``open_page``: ``await open_page("cw101")`` -> a new browser (its own cookies) signed in
  as that demo member of staff (``None``: not signed in); ``javascript=False`` for a
  browser without JavaScript, ``axe=True`` for one where axe-core may be added (it bypasses
  the Content Security Policy). Each page's script errors, CSP refusals, failed files and
  requests to any other address fail the test at its end.
- ``case_in_advice``: a case of cw101 (north) at the advice stage with one request for
  advice overdue, started behind the browser's back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    async_playwright,
)
from temporalio.testing import WorkflowEnvironment

from statutory import assessment as rules
from tests.browser.browsing import sign_in
from tests.browser.stack import Site, days_ago, live_site, start_case

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def site(
    dev_server_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    async with live_site(dev_server_env.client, tmp_path_factory.mktemp("web")) as live:
        yield live


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
            "(`make install` installs it with apt-get; no browser is downloaded)"
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


class OpenPage(Protocol):
    def __call__(
        self, staff_id: str | None = None, *, javascript: bool = True, axe: bool = False
    ) -> Awaitable[Page]: ...


def _watch(page: Page, site_url: str, problems: list[str]) -> None:
    """Note what a person would see go wrong, or what should never happen, on ``page``."""

    def script_error(error: Exception) -> None:
        problems.append(f"script error: {error}")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"refused by the CSP: {message.text}")

    def response(answer: Response) -> None:
        # A page may answer 400 or 404 on purpose; its files never should.
        if answer.status >= 400 and answer.request.resource_type != "document":
            problems.append(f"{answer.status} for {answer.url}")

    def request(asked: Request) -> None:
        if not asked.url.startswith((site_url, "data:", "about:")):
            problems.append(f"request to another address: {asked.url}")

    page.on("pageerror", script_error)
    page.on("console", console)
    page.on("response", response)
    page.on("request", request)


@pytest_asyncio.fixture(loop_scope="session")
async def open_page(site: Site, chromium: Browser) -> AsyncIterator[OpenPage]:
    contexts = []
    problems: list[str] = []

    async def opened(
        staff_id: str | None = None, *, javascript: bool = True, axe: bool = False
    ) -> Page:
        context = await chromium.new_context(
            base_url=site.url,
            java_script_enabled=javascript,
            bypass_csp=axe,
            accept_downloads=True,
            viewport=VIEWPORT,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        contexts.append(context)
        page = await context.new_page()
        _watch(page, site.url, problems)
        if staff_id is not None:
            await sign_in(page, staff_id)
        return page

    yield opened
    for context in contexts:
        await context.close()
    if problems:
        pytest.fail("the browser saw:\n" + "\n".join(dict.fromkeys(problems)))


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def case_in_advice(site: Site) -> str:
    return await start_case(
        site,
        caseworker="cw101",
        received=days_ago(70),
        events=[
            rules.DecidedToAssess(on=days_ago(60)),
            rules.AdviceRequested(
                on=days_ago(55),
                advice_type=rules.AdviceType.EDUCATIONAL,
                provider="Current school",
            ),
        ],
    )
