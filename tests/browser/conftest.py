"""Fixtures for the browser tests: one headless Chromium for the whole run, a fresh browser
context (cookies, downloads) per test against the live server with the pages' test data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

# The people and data of the route × role × area test: one set of test data for the pages.
from tests.integration.test_web_access import site  # noqa: F401  (a fixture)
from tests.support.browser import PHONE, SCREENSHOTS, Camera, launch, within_the_security_policy

# Assertions wait for the page as long as actions do: on a loaded two-core machine a record
# sent from the web form can take longer than Playwright's default of 5 s to show as sent.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_folder(db_kind: str) -> Path:
    # Only this run's pictures: a page renamed or removed leaves no stale screenshot behind.
    # One folder per database: ./dev test runs both at once.
    folder = SCREENSHOTS / db_kind
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def camera(screenshot_folder: Path, request: pytest.FixtureRequest) -> Camera:
    """Screenshots of one test, in a folder named after it."""
    return Camera(screenshot_folder / request.node.name.removeprefix("test_")[:70])


@pytest.fixture
def page(chromium: Browser, site: str) -> Iterator[Page]:  # noqa: F811
    context = chromium.new_context(base_url=site, viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(10_000)
    with within_the_security_policy(context):
        yield context.new_page()
    context.close()
