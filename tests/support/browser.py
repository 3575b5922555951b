"""Headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright.

Playwright never downloads a browser here (`playwright install` is not used): it starts the
system's /usr/bin/chromium, which `./dev test` installs when it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

from server.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium's own update, sync and component
# traffic competes for connections and the test server sees bursts of refused connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


def launch(playwright: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (./dev test does)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


@contextmanager
def within_the_security_policy(context: BrowserContext) -> Iterator[None]:
    """Fails when the browser refused anything the pages asked for under their
    Content-Security-Policy (a script, a style, WebAssembly, a connection, a worker)."""
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    context.on("console", watch)
    yield
    assert not refused, "refused by the page's policy:\n" + "\n".join(refused)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    overflow: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return max(overflow, 0)


def follow_menu(page: Page, href: str) -> None:
    """Go to a page of the site menu as a person would: on a phone the menu is one button, so
    open it first; then click the link and wait for the page it leads to."""
    button = page.locator("header .menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    with page.expect_navigation():
        page.locator(f'header nav a[href="{href}"]').first.click()


def _top_of(page: Page, size: dict[str, int]) -> dict[str, float]:
    """The whole page, but at most a few screens of it: a 500-row list would make a picture
    too tall for Chromium to take in time, and its first screens show all there is to see."""
    height: int = page.evaluate("document.documentElement.scrollHeight")
    return {"x": 0, "y": 0, "width": size["width"], "height": min(height, 4 * size["height"])}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "page"


@dataclass
class Camera:
    """Saves every page a test visits at phone and desktop size, numbered in visiting order,
    and notes each page that is wider than the phone (it would scroll sideways)."""

    folder: Path
    taken: list[Path] = field(default_factory=list)
    too_wide: dict[str, int] = field(default_factory=dict)  # page: CSS pixels too wide at 390

    def shoot(self, page: Page, name: str | None = None) -> None:
        page.wait_for_load_state()  # after a click the next page may still be arriving
        label = _slug(name or page.url.split("//", 1)[-1].split("/", 1)[-1])
        self.folder.mkdir(parents=True, exist_ok=True)
        wanted = page.viewport_size
        number = len(self.taken) // 2 + 1
        for size_name, size in (("390x844", PHONE), ("1280x800", DESKTOP)):
            page.set_viewport_size(size)
            if size is PHONE and (overflow := horizontal_overflow(page)):
                self.too_wide[f"{number:02d}-{label}"] = overflow
            path = self.folder / f"{number:02d}-{label}-{size_name}.png"
            page.screenshot(path=path, full_page=True, clip=_top_of(page, size))
            self.taken.append(path)
        if wanted:
            page.set_viewport_size(wanted)
