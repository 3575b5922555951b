"""ODK Central's forms by API over real HTTP against `rasoat serve`: pyodk 1.3's `forms.create`
and `forms.update` (draft, then publish), and plain `requests` for `?publish=true`, the draft
and the refusals. The checks are the forms page's: only an administrator without an area, the
XLSForm compiled by pyxform with the error naming the sheet and row, nothing kept of a refused
upload, every change audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent, Form, FormVersion
from tests.integration import test_web_access
from tests.integration.test_central_api import basic, pyodk_client
from tests.integration.test_central_app_users import forms_of_phone
from tests.support import access_world
from tests.support.access_world import ADMIN, DISTRICT, TUYEN, World
from tests.support.xlsforms import photo_form, xlsform

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

FORMS = "/v1/projects/1/forms"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Row 4 of the survey sheet repeats the name of row 2.
BAD_ROWS = [
    ["type", "name", "label"],
    ["text", "ok", "OK"],
    ["integer", "so", "Số"],
    ["text", "ok", "Lại"],
]


def plain_form(form_id: str, version: str = "1") -> bytes:
    """A form pyxform has no warning about (photo questions without max-pixels have one)."""
    return xlsform(
        [["type", "name", "label"], ["text", "ma_ho", "Mã hộ"]], form_id=form_id, version=version
    )


def post(
    world: World, path: str, email: str, body: bytes = b"", **kwargs: Any
) -> requests.Response:
    headers = {**basic(email), "Content-Type": kwargs.pop("content_type", XLSX)}
    return requests.post(world.base + path, data=body, headers=headers, timeout=120, **kwargs)


def get(world: World, path: str, email: str) -> requests.Response:
    return requests.get(world.base + path, headers=basic(email), timeout=30)


def stored(session: Session) -> tuple[int, int]:
    session.rollback()  # see what the server committed
    forms = session.scalar(select(func.count()).select_from(Form))
    versions = session.scalar(select(func.count()).select_from(FormVersion))
    return int(forms or 0), int(versions or 0)


def audited(session: Session, form_id: str) -> list[tuple[str, str]]:
    session.rollback()
    query = (
        select(AuditEvent.action, AuditEvent.target)
        .where(AuditEvent.target.like(f"form {form_id} %"))
        .order_by(AuditEvent.id)
    )
    return [(action, target) for action, target in session.execute(query)]


def test_pyodk_creates_a_form_and_updates_it_and_phones_get_each_version(
    world: World, tmp_path: Path, session: Session
) -> None:
    with pyodk_client(world.base, ADMIN, tmp_path) as client:
        created = client.forms.create(photo_form("bieu_api"), form_id="bieu_api")
        assert created.xmlFormId == "bieu_api" and created.publishedAt is None
        first = client.forms.get("bieu_api")
        assert first.version == "1" and first.publishedAt is not None and first.state == "open"
        client.forms.update("bieu_api", definition=photo_form("bieu_api", version="2"))
        assert client.forms.get("bieu_api").version == "2"
    assert "bieu_api" in forms_of_phone(world, world.tokens["phone 19603"][0])  # every form
    assert audited(session, "bieu_api") == [
        ("form.draft", "form bieu_api version 1"),
        ("form.publish", "form bieu_api version 1"),
        ("form.draft", "form bieu_api version 2"),
        ("form.publish", "form bieu_api version 2"),
    ]


def test_a_form_is_published_at_once_or_kept_as_a_draft_to_read_and_publish(world: World) -> None:
    at_once = post(world, f"{FORMS}?publish=true", ADMIN, plain_form("bieu_ngay"))
    assert at_once.status_code == 200 and at_once.json()["publishedAt"] is not None

    assert post(world, FORMS, ADMIN, plain_form("bieu_nhap")).json()["publishedAt"] is None
    draft = f"{FORMS}/bieu_nhap/draft"
    for reader in (ADMIN, DISTRICT):  # as on the forms pages, where drafts are tried
        shown = get(world, draft, reader).json()
        assert (shown["xmlFormId"], shown["version"], shown["publishedAt"]) == (
            "bieu_nhap",
            "1",
            None,
        )
    assert get(world, draft, TUYEN).status_code == 403
    other = post(world, f"{draft}/publish?version=7", ADMIN)
    assert other.status_code == 400 and "version" in other.json()["message"]
    assert post(world, f"{draft}/publish?version=1", ADMIN).json() == {"success": True}
    assert get(world, draft, ADMIN).json()["code"] == 404.1  # nothing left to publish
    assert get(world, f"{FORMS}/bieu_nhap", ADMIN).json()["publishedAt"] is not None


def test_a_bad_xlsform_row_is_refused_naming_the_row_and_nothing_is_kept(
    world: World, session: Session
) -> None:
    before = stored(session)
    bad = xlsform(BAD_ROWS, form_id="bieu_loi")
    refused = post(world, f"{FORMS}?publish=true", ADMIN, bad)
    assert refused.status_code == 400 and refused.json()["code"] == 400.8
    assert "sheet 'survey', row 4" in refused.json()["message"]
    assert (
        post(
            world,
            f"{FORMS}/household_survey/draft",
            ADMIN,
            xlsform(BAD_ROWS, form_id="household_survey"),
        ).status_code
        == 400
    )
    assert stored(session) == before
    assert audited(session, "bieu_loi") == []


def test_forms_by_api_follow_the_forms_page_s_rules(world: World, session: Session) -> None:
    for limited in (DISTRICT, TUYEN):  # only an administrator without an area changes forms
        assert post(world, FORMS, limited, plain_form("bieu_cam")).status_code == 403
        assert (
            post(
                world, f"{FORMS}/household_survey/draft", limited, plain_form("household_survey")
            ).status_code
            == 403
        )
    warned = post(world, FORMS, ADMIN, photo_form("bieu_anh"))  # Central's default: refused
    assert warned.status_code == 400 and warned.json()["code"] == 400.16
    assert "max-pixels" in warned.json()["message"] and "row 3" in warned.json()["message"]
    assert (
        post(world, f"{FORMS}?ignoreWarnings=true", ADMIN, photo_form("bieu_anh")).status_code
        == 200
    )
    xml = post(world, FORMS, ADMIN, b"<h:html/>", content_type="application/xml")
    assert xml.status_code == 400 and "Content-Type" in xml.json()["message"]
    assert post(world, FORMS, ADMIN, plain_form("bieu_hai")).status_code == 200
    twice = post(world, FORMS, ADMIN, plain_form("bieu_hai", version="2"))
    assert twice.status_code == 409 and twice.json()["code"] == 409.3
    wrong_form = post(world, f"{FORMS}/bieu_hai/draft", ADMIN, plain_form("bieu_khac"))
    assert wrong_form.status_code == 400 and "form_id" in wrong_form.json()["message"]
    session.rollback()
    assert session.scalars(select(Form).where(Form.xml_form_id == "bieu_khac")).all() == []
    empty = post(world, f"{FORMS}/bieu_hai/draft", ADMIN)
    assert empty.status_code == 400 and "body" in empty.json()["message"]
    assert post(world, f"{FORMS}/bieu_hai/draft/publish", ADMIN).json() == {"success": True}
    same = post(world, f"{FORMS}/bieu_hai/draft", ADMIN, plain_form("bieu_hai"))
    assert same.status_code == 409 and "1" in same.json()["message"]
    assert post(world, f"{FORMS}/khong_co/draft", ADMIN, plain_form("khong_co")).status_code == 404
