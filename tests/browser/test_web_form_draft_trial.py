"""Trying a draft in a real browser (headless Chromium at 390×844): an administrator uploads an
XLSForm, opens "Try this draft" and fills it on ODK's own engine exactly as a cadre will; the
form's own checks block Send, a valid record is shown back, and nothing is kept anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.storage.models import Submission
from tests.browser.test_staff_pages import XLSX, follow, sign_in
from tests.support.web_form import (
    errors_banner,
    pick,
    require_bundle,
    screenshot,
    send,
    type_number,
    type_text,
)
from tests.support.xlsforms import TRY_CONSTRAINT_MESSAGE, draft_to_try

pytestmark = pytest.mark.e2e
FORM = "thu_ban_nhap"

# What the browser holds: records in IndexedDB, pages and files in Cache Storage (the web form's
# hashed engine files aside), and whether a service worker answers this page.
KEPT_IN_BROWSER = """async () => {
  const cached = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname;
      if (!path.startsWith('/webform/assets/')) cached.push(path);
    }
  }
  const records = {};
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok) => {
      indexedDB.open(name).onsuccess = (e) => ok(e.target.result);
    });
    for (const store of db.objectStoreNames) {
      records[store] = await new Promise((ok) => {
        db.transaction(store).objectStore(store).count().onsuccess = (e) => ok(e.target.result);
      });
    }
    db.close();
  }
  return { controlled: navigator.serviceWorker.controller !== null, cached, records };
}"""


def submissions(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def upload_draft(page: Page) -> None:
    page.goto("/forms")
    page.set_input_files(
        'input[name="xlsform"]',
        {"name": f"{FORM}.xlsx", "mimeType": XLSX, "buffer": draft_to_try(FORM)},
    )
    follow(page, 'form:has(input[name="xlsform"]) [type="submit"]')


def test_an_administrator_fills_a_draft_as_a_cadre_would_and_nothing_is_stored(
    page: Page, session: Session, screenshot_folder: Path
) -> None:
    require_bundle()
    pictures = screenshot_folder / "web_form_draft_trial"
    stored_before = submissions(session)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method != "GET" else None)
    sign_in(page, "admin@tinh.vn")
    # The administrator has filled forms on the web form before: its service worker is installed.
    page.goto("/f/staff/household_survey")
    page.wait_for_selector("body[data-ready=yes]")  # the page has put itself in the cache
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    upload_draft(page)
    page.goto(f"/forms/{FORM}")
    posts.clear()  # the sign-in and the upload were posts; the try page must make none

    follow(page, "#try-draft")

    page.wait_for_selector(".form-initialization-status.ready", state="attached")
    page.wait_for_selector("body[data-ready=yes]")
    expect(page.locator("#trial-banner")).to_contain_text("Thử bản nháp — phiếu không được lưu")
    expect(page.locator("#outbox")).to_have_count(0)
    screenshot(page, pictures, "01-draft-blank")

    send(page)  # nothing answered: the required questions block it
    expect(page.get_by_text(errors_banner(3), exact=True)).to_be_visible()

    pick(page, "Thôn", "Thôn Bản Chùa")  # from villages.csv, built for the person's area
    type_text(page, "Họ tên chủ hộ", "Lê Thị Thử")
    type_number(page, "Số người", 45)
    send(page)

    expect(page.get_by_text(errors_banner(1), exact=True)).to_be_visible()
    expect(page.get_by_text(TRY_CONSTRAINT_MESSAGE).first).to_be_visible()
    expect(page.locator("#trial-record")).to_be_hidden()
    page.wait_for_timeout(600)  # the error banner fades in
    screenshot(page, pictures, "02-draft-constraint-message")

    type_number(page, "Số người", 4)
    send(page)

    record = page.locator("#trial-record")
    expect(record).to_be_visible()
    expect(record.locator("dt", has_text="village")).to_be_visible()
    expect(record.locator("#trial-answers")).to_contain_text("1960301")
    expect(record.locator("#trial-answers")).to_contain_text("Lê Thị Thử")
    xml = page.locator("#trial-xml").text_content() or ""
    assert "<members>4</members>" in xml and "<head_name>Lê Thị Thử</head_name>" in xml
    assert f'id="{FORM}"' in xml
    screenshot(page, pictures, "03-draft-record-shown")
    page.locator("#trial-record summary").click()
    screenshot(page, pictures, "04-draft-record-xml", element="#trial-xml")

    assert posts == [], "trying a draft sends nothing"
    kept = page.evaluate(KEPT_IN_BROWSER)
    assert kept["controlled"] is False, "the service worker does not answer for a draft"
    assert "/f/staff/household_survey" in kept["cached"], "the worker keeps the real form"
    assert [path for path in kept["cached"] if FORM in path] == []
    assert kept["records"] == {"drafts": 0, "outbox": 0}
    assert submissions(session) == stored_before
