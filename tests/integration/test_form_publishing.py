"""Publishing XLSForms: one version string, one content; media stored by content."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.vocabulary import FormState
from server.errors import FormVersionExists, InvalidXLSForm
from server.extensions import blob_store
from server.services import forms
from server.storage import forms as queries
from server.storage.models import FormVersion
from tests.support.factories import publish_form
from tests.support.xlsforms import photo_form, xlsform

VILLAGES = b"name,label\n1,A\n"


def test_publishing_the_same_form_again_changes_nothing(app: Flask, session: Session) -> None:
    first = publish_form(
        app, session, photo_form("hh", with_media=True), media={"markets.csv": VILLAGES}
    )
    again = publish_form(
        app, session, photo_form("hh", with_media=True), media={"markets.csv": VILLAGES}
    )
    assert first.created
    assert not again.created
    assert again.version.id == first.version.id
    assert first.form.state == FormState.OPEN


def test_the_same_version_with_other_content_is_refused_and_says_to_raise_the_version(
    app: Flask, session: Session
) -> None:
    publish_form(app, session, photo_form("hh"))
    changed = xlsform([["type", "name", "label"], ["text", "other", "Khác"]], form_id="hh")
    with pytest.raises(FormVersionExists) as caught:
        publish_form(app, session, changed)
    assert "version" in caught.value.message_en
    session.rollback()


def test_changed_media_under_the_same_version_is_refused_too(app: Flask, session: Session) -> None:
    publish_form(app, session, photo_form("hh", with_media=True), media={"markets.csv": VILLAGES})
    with pytest.raises(FormVersionExists):
        publish_form(
            app,
            session,
            photo_form("hh", with_media=True),
            media={"markets.csv": VILLAGES + b"2,B\n"},
        )
    session.rollback()


def test_a_new_version_becomes_the_published_one_and_the_old_stays_known(
    app: Flask, session: Session
) -> None:
    one = publish_form(app, session, photo_form("hh", version="1"))
    two = publish_form(app, session, photo_form("hh", version="2"))
    form = queries.find_form(session, 1, "hh")
    assert form is not None
    assert form.published_version_id == two.version.id
    assert queries.find_form_version(session, form.id, "1").id == one.version.id  # type: ignore[union-attr]
    stored = session.scalars(select(FormVersion).where(FormVersion.form_id == form.id)).all()
    assert [v.version for v in stored] == ["1", "2"]


def test_media_the_form_names_is_stored_and_a_missing_file_is_left_out_of_the_manifest(
    app: Flask, session: Session
) -> None:
    with_file = publish_form(
        app,
        session,
        photo_form("a", with_media=True),
        media={"markets.csv": VILLAGES, "unused.png": b"x"},
    )
    without = publish_form(app, session, photo_form("b", with_media=True))
    [(attachment, blob)] = queries.media_of(session, with_file.version.id)
    assert attachment.name == "markets.csv"
    assert blob_store(app).read(blob.sha256) == VILLAGES
    assert queries.media_of(session, without.version.id) == []
    assert [a.name for a in queries.expected_media(session, without.version.id)] == ["markets.csv"]


def test_shipped_forms_are_published_one_by_one_and_a_broken_one_is_reported(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    (tmp_path / "good.xlsx").write_bytes(photo_form("good"))
    (tmp_path / "broken.xlsx").write_bytes(b"not a spreadsheet")
    (tmp_path / "~$good.xlsx").write_bytes(b"Excel lock file")
    forms.ensure_default_project(session)

    report = forms.publish_shipped_forms(session, blob_store(app), tmp_path)
    session.commit()

    assert [p.form.xml_form_id for p in report.published] == ["good"]
    assert list(report.failed) == ["broken.xlsx"]
    assert isinstance(report.failed["broken.xlsx"], InvalidXLSForm)
