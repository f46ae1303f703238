"""GraphiQL in a real browser (Debian's chromium driven by Playwright) against a live server,
with every host but 127.0.0.1 unresolvable: the page loads from the server's own files, the
token handed in the URL fragment lands in the Headers tab, the schema loads without a click on
"Re-fetch", the welcome query runs and the docs open. Also: headers pasted by hand load the
schema as soon as they carry credentials.

The screenshot goes to the test's temporary folder; with C360_UPDATE_SCREENSHOTS=1 it replaces
docs/images/graphiql.png, the one the README shows."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from api.demo_data import seed
from domain.settings import ROOT
from tests.conftest import token
from tests.live_server import live_server

CHROMIUM = os.environ.get("C360_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "images" / "graphiql.png"
# Nothing but loopback resolves: a request to any other host fails inside the browser.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing (./dev test installs Debian's chromium)"
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def server(engine, settings) -> AsyncIterator[str]:
    await seed(engine, customers=12, seed=7)
    async with live_server(settings, engine) as url:
        yield url


async def _page(browser: Browser, requests: list[str]) -> Page:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})  # empty storage
    page = await context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    return page


def _header_editor(page: Page):
    return page.locator(".graphiql-editor-tool .graphiql-editor").last


async def test_graphiql_runs_a_query_and_opens_the_docs_offline(browser, server, tmp_path) -> None:
    requests: list[str] = []
    probe = await _page(browser, requests)
    with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):  # the browser really has no way out
        await probe.goto("http://example.com/", timeout=10_000)
    page = await _page(browser, requests)
    jwt = token()
    await page.goto(f"{server}/graphql#token={jwt}")
    await expect(page.locator(".graphiql-container")).to_be_visible(timeout=30_000)
    assert page.url == f"{server}/graphql"  # the token left the address bar
    await expect(_header_editor(page)).to_contain_text(f"Bearer {jwt[:20]}")
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("query Welcome")

    await page.get_by_label("Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    await expect(docs.get_by_text("Query", exact=True).first).to_be_visible(timeout=15_000)
    await expect(docs).not_to_contain_text("Error fetching schema")
    await docs.locator("a.graphiql-doc-explorer-type-name", has_text="Query").first.click()
    await expect(docs).to_contain_text("customerByIdentifier")

    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    await expect(result).to_contain_text('"role": "ADMIN"', timeout=15_000)
    async with httpx.AsyncClient(base_url=server) as client:  # what the API answers without a browser
        answered = await client.post(
            "/graphql",
            json={"query": "{ customers { totalCount } }"},
            headers={"Authorization": f"Bearer {jwt}"},
        )
    total = answered.json()["data"]["customers"]["totalCount"]
    assert total >= 12
    await expect(result).to_contain_text(f'"totalCount": {total}')
    await page.screenshot(path=str(tmp_path / "graphiql.png"))
    if os.environ.get("C360_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / "graphiql.png", SCREENSHOT)

    hosts = {urlsplit(url).netloc for url in requests if not url.startswith("data:")}
    assert hosts == {"example.com", urlsplit(server).netloc}, hosts  # example.com: the refused probe
    loaded = {urlsplit(url).path for url in requests}
    assert "/graphiql/vendor/graphiql@3.8.3/graphiql.min.js" in loaded and "/graphql" in loaded


async def test_headers_pasted_by_hand_load_the_schema_without_a_refetch(browser, server) -> None:
    requests: list[str] = []
    page = await _page(browser, requests)
    await page.goto(f"{server}/graphql")
    await expect(page.locator(".graphiql-container")).to_be_visible(timeout=30_000)
    await page.get_by_label("Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    await expect(docs).to_contain_text("Error fetching schema", timeout=15_000)  # no credentials yet

    await _header_editor(page).click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(f'{{"Authorization": "Bearer {token()}"}}')
    await expect(docs.get_by_text("Query", exact=True).first).to_be_visible(timeout=15_000)
    await expect(docs).not_to_contain_text("Error fetching schema")
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(server).netloc}


def test_the_readme_shows_the_screenshot() -> None:
    assert "docs/images/graphiql.png" in (ROOT / "README.md").read_text()
    assert Path(SCREENSHOT).stat().st_size > 10_000
