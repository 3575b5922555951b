"""Queueing for the upstream from what the submission service holds: a record goes into the
outbox once complete, with the XML as received and every file it has, and an edit whose
original never reached the outbox brings the original along first (services/forwarding.py)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, scoped_session

from server.config import ForwardingSettings
from server.extensions import blob_store
from server.services.forwarding import submission_stored
from server.services.submissions import (
    IncomingFile,
    IncomingSubmission,
    Receipt,
    receive_submission,
)
from server.storage.app_users import find_by_login
from server.storage.transaction import writing
from sync import Outbox
from tests.support.collect import instance_xml
from tests.support.factories import make_app_user, publish_form
from tests.support.xlsforms import photo_form


@pytest.fixture
def upstream(tmp_path: Path) -> ForwardingSettings:
    return ForwardingSettings("http://upstream.invalid", tmp_path / "outbox.sqlite3", 1, 1, 600)


@pytest.fixture
def login(app: Flask, session: Session) -> str:
    """A phone's login, allowed the published photo form "hh"."""
    publish_form(app, session, photo_form("hh"))
    return make_app_user(session).login


def store(
    app: Flask,
    session: Session,
    login: str,
    xml: bytes,
    files: dict[str, bytes] | None = None,
    *,
    incomplete: bool = False,
) -> Receipt:
    parts = [IncomingFile(name, io.BytesIO(data)) for name, data in (files or {}).items()]
    with writing(session):
        phone = find_by_login(session, login)
        assert phone is not None
        incoming = IncomingSubmission(xml=xml, files=parts, incomplete=incomplete)
        return receive_submission(session, blob_store(app), phone, incoming)


def queued(outbox_path: Path) -> list[tuple[str, bytes, dict[str, bytes]]]:
    """(instanceID, XML, {file name: bytes}) of every outbox item, in the order queued."""
    with Outbox(outbox_path) as outbox:
        return [
            (
                item.instance_id,
                outbox.xml(item.id),
                {a.name: outbox.attachment(item.id, a.name) for a in item.attachments},
            )
            for item in outbox.items()
        ]


def test_a_split_upload_is_queued_once_complete_with_the_files_of_every_post(
    app: Flask, session: Session, login: str, upstream: ForwardingSettings
) -> None:
    xml = instance_xml("hh", instance_id="uuid:a", fields={"photo": "a.jpg", "photo2": "b.jpg"})
    photo_a, photo_b = os.urandom(3000), os.urandom(3000)

    first = store(app, session, login, xml, {"a.jpg": photo_a}, incomplete=True)
    submission_stored(session, blob_store(app), upstream, first)
    assert first.stored is None
    assert queued(upstream.outbox_path) == []

    last = store(app, session, login, xml, {"b.jpg": photo_b})
    submission_stored(session, blob_store(app), upstream, last)
    assert queued(upstream.outbox_path) == [("uuid:a", xml, {"a.jpg": photo_a, "b.jpg": photo_b})]

    again = store(app, session, login, xml, {"b.jpg": photo_b})
    submission_stored(session, blob_store(app), upstream, again)
    assert len(queued(upstream.outbox_path)) == 1


def test_a_file_sent_again_after_queueing_is_added_to_the_queued_record(
    app: Flask, session: Session, login: str, upstream: ForwardingSettings
) -> None:
    xml = instance_xml("hh", instance_id="uuid:a", fields={"photo": "a.jpg"})
    photo = os.urandom(2000)

    submission_stored(session, blob_store(app), upstream, store(app, session, login, xml))
    assert queued(upstream.outbox_path) == [("uuid:a", xml, {})]
    later = store(app, session, login, xml, {"a.jpg": photo})
    submission_stored(session, blob_store(app), upstream, later)

    assert queued(upstream.outbox_path) == [("uuid:a", xml, {"a.jpg": photo})]


def test_an_edit_whose_original_never_reached_the_outbox_is_queued_after_it(
    app: Flask, session: Session, login: str, upstream: ForwardingSettings
) -> None:
    original = instance_xml("hh", instance_id="uuid:a", fields={"photo": "a.jpg"})
    photo = os.urandom(2000)
    store(app, session, login, original, {"a.jpg": photo})  # its queueing was lost
    edit = instance_xml(
        "hh", instance_id="uuid:b", deprecated_id="uuid:a", fields={"photo": "a.jpg"}
    )

    submission_stored(session, blob_store(app), upstream, store(app, session, login, edit))

    assert queued(upstream.outbox_path) == [
        ("uuid:a", original, {"a.jpg": photo}),
        ("uuid:b", edit, {"a.jpg": photo}),
    ]
    real = session() if isinstance(session, scoped_session) else session
    assert not real.in_transaction(), "the lookup of the original leaves no read open"
