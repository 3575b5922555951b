"""An officer's web-form key dies with the person's rights, over real HTTP against `rasoat serve`.

The officer of commune 19612 (hieu@camlo.vn) fills forms in the browser as the app user
`web.<id>`; its key (the token in /v1/key/<token>/…, also a Digest password) lists forms,
hands out `followup_households.csv` (names and exit years) and takes records. After the person
is disabled, moved to another area, given another role, or signs out everywhere (or an
administrator signs them out everywhere), the old key is refused on each of those routes, and a
key issued afterwards works while the person may still fill forms. Only the key's hashes are
stored.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.auth import HTTPDigestAuth
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.services.users import create_user
from server.storage.common import begin_write
from server.storage.models import Area, User, utcnow
from server.storage.transaction import writing
from tests.conftest import TEST_SECRET
from tests.integration import test_web_access
from tests.integration.test_web_access import PASSWORD, Browser, csrf_of, signed_in
from tests.integration.test_web_form_pages import page_config
from tests.support import access_world
from tests.support.access_world import World
from tests.support.collect import with_device_id
from tests.support.surveys import POOR, survey

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

OFFICER = "hieu@camlo.vn"  # commune officer of 19612
EXITED_HEAD = "Lê Thị Hiếu"  # a household of 19612 that left poverty: on its follow-up list
FOLLOWUP_LIST = "/forms/followup_visit/attachments/followup_households.csv"
OPENROSA = {"X-OpenRosa-Version": "1.0"}


def web_form_key(browser: Browser) -> str:
    """The token of the signed-in officer's web form, as its page names it."""
    page = browser.get("/f/staff/followup_visit")
    assert page.status_code == 200, page.text[:300]
    form_url = page_config(page.text)["formUrl"]
    token = form_url.split("/v1/key/")[1].split("/")[0]
    assert len(token) == 64
    return token


def answers_to(base: str, token: str, login: str, commune: str) -> dict[str, int]:
    """What the key gets on each route: form list (token and Digest), follow-up list, record."""
    prefix = f"{base}/v1/key/{token}/projects/1"
    code = f"{commune}01-077"
    xml, _ = survey(POOR, household_code=code, commune=commune, village=code[:7])
    body = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    digest = HTTPDigestAuth(login, token)
    return {
        "formList": requests.get(
            with_device_id(f"{prefix}/formList"), headers=OPENROSA, timeout=30
        ).status_code,
        "formList by Digest": requests.get(
            with_device_id(f"{base}/formList"), headers=OPENROSA, auth=digest, timeout=30
        ).status_code,
        "followup_households.csv": requests.get(
            with_device_id(prefix + FOLLOWUP_LIST), headers=OPENROSA, timeout=30
        ).status_code,
        "submission": requests.post(
            with_device_id(f"{prefix}/submission"), files=body, headers=OPENROSA, timeout=30
        ).status_code,
    }


WORKS = {
    "formList": 200,
    "formList by Digest": 200,
    "followup_households.csv": 200,
    "submission": 201,
}


def refused(answers: dict[str, int]) -> bool:
    return all(status in (401, 403) for status in answers.values())


def officer(session: Session) -> User:
    session.rollback()  # a new read transaction sees what the server wrote
    return session.scalars(select(User).where(User.email == OFFICER)).one()


def change(session: Session, **values: Any) -> None:
    """The person changes as any code changing an account would (the ORM, committed)."""
    session.commit()
    begin_write(session)  # SQLite: take the write lock before reading what is changed
    person = session.scalars(select(User).where(User.email == OFFICER)).one()
    for name, value in values.items():
        setattr(person, name, value)
    session.commit()


def area_id(session: Session, code: str) -> int:
    return session.scalars(select(Area.id).where(Area.code == code)).one()


def login_of(session: Session) -> str:
    return f"web.{officer(session).id}"


def test_the_officer_s_key_works_before_anything_changes(world: World, session: Session) -> None:
    key = web_form_key(signed_in(world.base, OFFICER))

    assert answers_to(world.base, key, login_of(session), "19612") == WORKS
    prefix = f"{world.base}/v1/key/{key}/projects/1"
    listed = requests.get(with_device_id(prefix + FOLLOWUP_LIST), headers=OPENROSA, timeout=30)
    assert EXITED_HEAD in listed.text


def disable(session: Session) -> None:
    change(session, disabled_at=utcnow())


def move_to_19603(session: Session) -> None:
    change(session, area_id=area_id(session, "19603"))


def make_viewer(session: Session) -> None:
    change(session, role=Role.VIEWER)


def make_upper_officer(session: Session) -> None:
    change(session, role=Role.UPPER_OFFICER)  # still fills forms: a new key works


CHANGES: dict[str, tuple[Callable[[Session], None], str | None]] = {
    # change: (how, the commune a key issued afterwards submits to; None: no key any more)
    "disabled": (disable, None),
    "moved to commune 19603": (move_to_19603, "19603"),
    "made a viewer": (make_viewer, None),
    "made a district officer": (make_upper_officer, "19612"),
}


@pytest.mark.parametrize("what", CHANGES)
def test_an_old_web_form_key_is_refused_once_the_person_changes_and_a_new_one_works(
    world: World, session: Session, what: str
) -> None:
    how, commune_after = CHANGES[what]
    login = login_of(session)
    old_key = web_form_key(signed_in(world.base, OFFICER))

    how(session)

    old = answers_to(world.base, old_key, login, "19612")
    assert refused(old), old
    if commune_after is None:  # no new key: a disabled person cannot sign in, a viewer has none
        again = Browser(world.base)
        token = csrf_of(again.get("/login").content)
        signs_in = again.post(
            "/login", {"email": OFFICER, "password": PASSWORD, "csrf_token": token}
        )
        if what == "disabled":
            assert signs_in.status_code == 401
        else:
            assert again.get("/f/staff/followup_visit").status_code == 403
        return
    new_key = web_form_key(signed_in(world.base, OFFICER))
    assert new_key != old_key
    assert answers_to(world.base, new_key, login, commune_after) == WORKS
    assert refused(answers_to(world.base, old_key, login, "19612")), "the old key stays dead"


def test_moving_back_does_not_bring_an_old_key_back(world: World, session: Session) -> None:
    login = login_of(session)
    old_key = web_form_key(signed_in(world.base, OFFICER))

    move_to_19603(session)
    change(session, area_id=area_id(session, "19612"))

    assert refused(answers_to(world.base, old_key, login, "19612"))


def test_signing_out_everywhere_ends_the_web_form_key_the_api_token_and_other_browsers(
    world: World, session: Session
) -> None:
    login = login_of(session)
    here, elsewhere = signed_in(world.base, OFFICER), signed_in(world.base, OFFICER)
    old_key = web_form_key(here)
    api = requests.post(
        f"{world.base}/v1/sessions", json={"email": OFFICER, "password": PASSWORD}, timeout=30
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {api}"}
    assert requests.get(f"{world.base}/v1/users/current", headers=bearer, timeout=30).ok

    account = here.get("/account")
    assert account.status_code == 200
    done = here.post("/account/sign-out-everywhere", {"csrf_token": csrf_of(account.content)})

    assert done.status_code == 302
    assert refused(answers_to(world.base, old_key, login, "19612"))
    assert (
        requests.get(f"{world.base}/v1/users/current", headers=bearer, timeout=30).status_code
        == 401
    )
    assert elsewhere.get("/f/staff").status_code == 302, "the other browser's session ended"
    assert here.get("/f/staff").status_code == 302
    new_key = web_form_key(signed_in(world.base, OFFICER))
    assert answers_to(world.base, new_key, login, "19612") == WORKS


def test_an_administrator_signs_a_person_out_everywhere_from_the_command_line(
    world: World, session: Session, database_url: str, data_dir: Path
) -> None:
    login = login_of(session)
    old_key = web_form_key(signed_in(world.base, OFFICER))
    env = {
        **os.environ,
        "RASOAT_DATABASE_URL": database_url,
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_SECRET_KEY": TEST_SECRET,
    }
    command = [sys.executable, "-m", "server", "users", "sign-out-everywhere", OFFICER.upper()]

    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert refused(answers_to(world.base, old_key, login, "19612"))
    new_key = web_form_key(signed_in(world.base, OFFICER))
    assert answers_to(world.base, new_key, login, "19612") == WORKS
    session.rollback()  # a new read transaction sees what the command wrote
    logged = session.execute(
        text("SELECT target, details FROM audit_event WHERE action = 'account.sign_out_everywhere'")
    ).all()
    assert [tuple(row) for row in logged] == [(OFFICER, "command line")]


def test_the_database_keeps_only_hashes_of_a_web_form_key(world: World, session: Session) -> None:
    key = web_form_key(signed_in(world.base, OFFICER))
    session.rollback()
    row = session.execute(
        text("SELECT * FROM app_user WHERE login = :login"), {"login": login_of(session)}
    ).one()

    assert key not in " ".join(str(value) for value in row)
    assert row.token_sha256 == hashlib.sha256(key.encode()).hexdigest()
    prefix = f"{world.base}/v1/key/{row.token_sha256}/projects/1"
    stored_as_key = requests.get(with_device_id(f"{prefix}/formList"), headers=OPENROSA, timeout=30)
    assert stored_as_key.status_code == 403, "what is stored does not open anything"


def test_an_officer_opening_the_web_form_in_several_tabs_at_once_gets_it_in_each(
    world: World, session: Session
) -> None:
    # The first visit creates the officer's app user; without holding the person's row two
    # concurrent first visits both inserted it and one answered 500 (found on PostgreSQL).
    with writing(session):
        create_user(
            session,
            email="cung-luc@camlo.vn",
            display_name="Mở nhiều thẻ",
            password=PASSWORD,
            role=Role.COMMUNE_OFFICER,
            area_code="19612",
        )
    cookies = signed_in(world.base, "cung-luc@camlo.vn").http.cookies

    def open_tab(_: int) -> int:
        return requests.get(f"{world.base}/f/staff", cookies=cookies, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(open_tab, range(8))) == [200] * 8
