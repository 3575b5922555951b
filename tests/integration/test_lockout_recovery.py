"""Five wrong passwords lock an account, and anyone who knows an e-mail can type them: the person
still gets in, over real HTTP against `rasoat serve`. A browser where they signed in before (its
signed known-device cookie) is not held by the account's lock and lifts it; it has its own limit;
a forged or another person's cookie, or one from before "sign out everywhere", counts for
nothing; an administrator lifts a lock on the audit page or with `rasoat users unlock`; the
audit log shows each lock and each lift.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.orm import Session

from server.web.known_device import COOKIE
from tests.conftest import TEST_SECRET
from tests.integration import test_web_access
from tests.integration.test_web_access import PASSWORD, Browser, csrf_of, signed_in

site = test_web_access.site

VICTIM = "huyen@camlo.vn"
ADMIN = "admin@tinh.vn"


def try_password(browser: Browser, email: str, password: str) -> int:
    token = csrf_of(browser.get("/login").content)
    answer = browser.post("/login", {"email": email, "password": password, "csrf_token": token})
    return answer.status_code


def lock(site: str, email: str = VICTIM) -> None:
    """Someone else, elsewhere, types five wrong passwords for the account."""
    stranger = Browser(site)
    assert [try_password(stranger, email, "sai") for _ in range(5)] == [401] * 5
    assert try_password(Browser(site), email, PASSWORD) == 429, "locked for everyone unknown"


def known_browser(site: str, email: str = VICTIM) -> Browser:
    """A browser where the person signed in before (and then signed out)."""
    browser = signed_in(site, email)
    assert browser.http.cookies.get(COOKIE, path="/login")
    home = browser.get("/")
    browser.post("/logout", {"csrf_token": csrf_of(home.content)})
    return browser


def events(session: Session, action: str) -> list[tuple[str, str | None]]:
    session.rollback()  # a new read transaction sees what the server wrote
    rows = session.execute(
        text("SELECT target, details FROM audit_event WHERE action = :a ORDER BY id"),
        {"a": action},
    ).all()
    return [(row.target, row.details) for row in rows]


def test_the_known_device_cookie_is_signed_http_only_strict_and_for_the_sign_in_page(
    site: str,
) -> None:
    browser = Browser(site)
    token = csrf_of(browser.get("/login").content)
    answer = browser.post("/login", {"email": VICTIM, "password": PASSWORD, "csrf_token": token})

    cookie = next(c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith(COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/login" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value.count(".") == 2, "payload, time and signature (itsdangerous)"
    assert VICTIM not in value


def test_a_locked_account_signs_in_from_a_known_browser_and_the_lock_is_lifted(
    site: str, session: Session
) -> None:
    browser = known_browser(site)
    lock(site)

    assert try_password(browser, VICTIM, PASSWORD) == 302

    assert try_password(Browser(site), VICTIM, PASSWORD) == 302, "the lock is lifted for all"
    assert [target for target, _ in events(session, "account.lock")] == [VICTIM]
    assert events(session, "account.unlock") == [(VICTIM, "signed in from a known device")]


def test_a_known_browser_gets_its_own_five_wrong_passwords_not_more(site: str) -> None:
    browser = known_browser(site)
    lock(site)

    wrong = [try_password(browser, VICTIM, "sai") for _ in range(5)]

    assert wrong == [401] * 5
    assert try_password(browser, VICTIM, PASSWORD) == 429


def test_a_forged_or_another_person_s_device_cookie_does_not_lift_the_lock(site: str) -> None:
    other_person = known_browser(site, "tuyen@camlo.vn")
    forged = known_browser(site)
    for cookie in forged.http.cookies:
        if cookie.name == COOKIE:  # the victim's own cookie, one character of its payload changed
            payload, rest = cookie.value.split(".", 1)
            cookie.value = (
                payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + rest
            )
    lock(site)

    assert try_password(other_person, VICTIM, PASSWORD) == 429
    assert try_password(forged, VICTIM, PASSWORD) == 429


def test_signing_out_everywhere_forgets_the_known_browsers(site: str) -> None:
    browser = known_browser(site)
    elsewhere = signed_in(site, VICTIM)
    account = elsewhere.get("/account")
    elsewhere.post("/account/sign-out-everywhere", {"csrf_token": csrf_of(account.content)})
    lock(site)

    assert try_password(browser, VICTIM, PASSWORD) == 429


def test_an_administrator_lifts_a_lock_on_the_audit_page(site: str, session: Session) -> None:
    lock(site)
    admin = signed_in(site, ADMIN)
    page = admin.get("/audit")
    assert page.status_code == 200
    assert 'id="locked-accounts"' in page.text and VICTIM in page.text
    officer = signed_in(site, "tuyen@camlo.vn")
    not_admin = officer.post(
        "/audit/unlock", {"email": VICTIM, "csrf_token": csrf_of(officer.get("/").content)}
    )
    assert not_admin.status_code == 403
    assert try_password(Browser(site), VICTIM, PASSWORD) == 429

    lifted = admin.post("/audit/unlock", {"email": VICTIM, "csrf_token": csrf_of(page.content)})

    assert lifted.status_code == 302
    assert try_password(Browser(site), VICTIM, PASSWORD) == 302
    assert 'id="locked-accounts"' not in admin.get("/audit").text
    assert events(session, "account.unlock") == [(VICTIM, "by an administrator")]
    audit = admin.get("/audit").text
    assert "Tài khoản bị khóa" in audit and "Đã mở khóa tài khoản" in audit


def test_an_administrator_lifts_a_lock_from_the_command_line(
    site: str, session: Session, database_url: str, data_dir: Path
) -> None:
    lock(site)
    env = {
        **os.environ,
        "RASOAT_DATABASE_URL": database_url,
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_SECRET_KEY": TEST_SECRET,
    }
    command = [sys.executable, "-m", "server", "users", "unlock", VICTIM]

    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert try_password(Browser(site), VICTIM, PASSWORD) == 302
    assert events(session, "account.unlock") == [(VICTIM, "command line")]


def test_a_lock_from_the_api_is_lifted_by_a_known_browser_too(site: str) -> None:
    browser = known_browser(site)
    for _ in range(5):
        refused = requests.post(
            f"{site}/v1/sessions", json={"email": VICTIM, "password": "sai"}, timeout=30
        )
        assert refused.status_code == 401
    right = {"email": VICTIM, "password": PASSWORD}
    assert requests.post(f"{site}/v1/sessions", json=right, timeout=30).status_code == 429

    assert try_password(browser, VICTIM, PASSWORD) == 302
    assert requests.post(f"{site}/v1/sessions", json=right, timeout=30).status_code == 200
