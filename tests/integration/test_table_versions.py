"""A table's ETag names the request and the version of the data, so a client holding the
current copy hears 304 before the table is built, and any new data gives a new ETag."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import Role
from server.extensions import blob_store
from server.services import accounts, action_lists, area_admin, commitments, reports
from server.services.submissions import IncomingSubmission, receive_submission
from server.services.users import create_user
from server.storage.app_users import find_by_login
from server.storage.transaction import writing
from server.storage.users import find_user_by_email
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.surveys import POOR, survey

PASSWORD = "mật-khẩu-dài-đủ"
SUMMARY = "/v1/reports/summary?area=468&period=2026"


@pytest.fixture
def district(app: Flask, session: Session) -> tuple[FlaskClient, dict[str, str]]:
    """An API client signed in as the district's officer, on the demo area tree."""
    make_areas(session)
    with writing(session):
        create_user(
            session,
            email="huyen@camlo.vn",
            display_name="Huyện",
            password=PASSWORD,
            role=Role.UPPER_OFFICER,
            area_code="468",
        )
    client = app.test_client()
    signed = client.post("/v1/sessions", json={"email": "huyen@camlo.vn", "password": PASSWORD})
    return client, {"Authorization": f"Bearer {signed.get_json()['token']}"}


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    """Calls of `module.name` from now on (it still does its work)."""
    calls: list[object] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize(
    ("url", "module", "builder"),
    [
        (SUMMARY, reports, "review_summary"),
        (SUMMARY + "&format=csv&lang=en", reports, "review_summary"),
        (
            "/v1/reports/commitments?area=468&period=2026&format=xlsx",
            commitments,
            "commitments_table",
        ),
        ("/v1/lists/exited?area=468&period=2026", action_lists, "action_list"),
    ],
)
def test_a_client_with_the_current_copy_gets_304_before_the_table_is_built(
    district: tuple[FlaskClient, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    module: object,
    builder: str,
) -> None:
    client, auth = district
    first = client.get(url, headers=auth)
    assert first.status_code == 200
    built = counting(monkeypatch, module, builder)

    again = client.get(url, headers={**auth, "If-None-Match": first.headers["ETag"]})

    assert (again.status_code, again.data, built) == (304, b"", [])
    assert again.headers["ETag"] == first.headers["ETag"]
    assert client.get(url, headers=auth).status_code == 200
    assert len(built) == 1  # without the ETag the table is built as before


def test_the_etag_differs_by_format_language_and_area(
    district: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, auth = district
    urls = [SUMMARY, SUMMARY + "&format=csv", SUMMARY + "&lang=en", SUMMARY.replace("468", "19603")]
    etags = {client.get(url, headers=auth).headers["ETag"] for url in urls}
    assert len(etags) == len(urls)


def test_a_refused_request_is_refused_even_with_an_etag(
    district: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, auth = district
    etag = client.get(SUMMARY, headers=auth).headers["ETag"]
    elsewhere = SUMMARY.replace("468", "999")  # no such area
    assert client.get(elsewhere, headers={**auth, "If-None-Match": etag}).status_code == 404
    assert client.get(SUMMARY, headers={"If-None-Match": etag}).status_code == 401


def _survey(app: Flask, session: Session) -> None:
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    phone = find_by_login(session, make_app_user(session).login)
    xml, _ = survey(POOR, household_code="1960301-001", review_year=2026)
    with writing(session):
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]


def _pledge(pledged: int) -> Callable[[Flask, Session], None]:
    def pledge(_app: Flask, session: Session) -> None:
        with writing(session):
            commitments.set_commitment(session, None, "19603", 2026, pledged)

    return pledge


def _households(households: int) -> Callable[[Flask, Session], None]:
    def change(_app: Flask, session: Session) -> None:
        with writing(session):
            officer = accounts.active_member(session, _user_id(session, "huyen@camlo.vn"))
            assert officer is not None
            area_admin.set_resident_households(session, officer, "1960301", 2026, households)

    return change


def _user_id(session: Session, email: str) -> int:
    user = find_user_by_email(session, email)
    assert user is not None
    return int(user.id)


def _nothing(_app: Flask, _session: Session) -> None:
    pass


@pytest.mark.parametrize(
    ("url", "before", "change"),
    [
        (SUMMARY, _nothing, _survey),
        ("/v1/reports/commitments?area=468&period=2026", _nothing, _pledge(12)),
        ("/v1/reports/commitments?area=468&period=2026", _pledge(12), _pledge(7)),
        (SUMMARY, _households(480), _households(481)),
    ],
    ids=["new survey", "new pledge", "changed pledge", "changed resident households"],
)
def test_new_data_gives_the_table_a_new_etag_and_the_old_copy_is_sent_again(
    app: Flask,
    session: Session,
    district: tuple[FlaskClient, dict[str, str]],
    url: str,
    before: Callable[[Flask, Session], None],
    change: Callable[[Flask, Session], None],
) -> None:
    client, auth = district
    before(app, session)
    first = client.get(url, headers=auth)

    change(app, session)

    again = client.get(url, headers={**auth, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert again.data != first.data
