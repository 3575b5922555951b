"""The forwarding queue in the database (services/forwarding.py, storage/forwarding.py): a
record is queued in the write unit that completes it, with every file it has; a file arriving
later sends a sent record again; versions stored before forwarding was on are queued by the
takeover scan, originals first; an edit waits for its original; one holder of the lease at a
time; an earlier release's outbox file is taken over without sending twice."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import ForwardingSettings
from server.extensions import blob_store
from server.services.forwarding import queue_missing, take_over_outbox_file
from server.services.submissions import (
    IncomingFile,
    IncomingSubmission,
    Receipt,
    receive_submission,
)
from server.storage import forwarding as queue
from server.storage.app_users import find_by_login
from server.storage.models import ForwardItem, SubmissionVersion, utcnow
from server.storage.transaction import writing
from sync import Instance, Outbox
from tests.support.collect import instance_xml
from tests.support.factories import make_app_user, publish_form
from tests.support.xlsforms import photo_form


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
    forward: bool = True,
) -> Receipt:
    parts = [IncomingFile(name, io.BytesIO(data)) for name, data in (files or {}).items()]
    with writing(session):
        phone = find_by_login(session, login)
        assert phone is not None
        incoming = IncomingSubmission(xml=xml, files=parts, incomplete=incomplete)
        return receive_submission(session, blob_store(app), phone, incoming, forward=forward)


def queued(session: Session) -> list[tuple[str, str]]:
    """(instanceID, state) of every queue row, oldest version first."""
    session.rollback()
    return [(e.instance_id, e.state) for e in queue.queue_entries(session)]


def due(session: Session) -> str | None:
    """The instanceID the forwarder would send now."""
    session.rollback()
    item = queue.next_due(session, utcnow())
    if item is None:
        return None
    version = session.get(SubmissionVersion, item.version_id)
    assert version is not None
    return version.instance_id


def mark_sent(session: Session, instance_id: str, files: tuple[str, ...] = ()) -> None:
    with writing(session):
        version_id = session.scalars(
            select(SubmissionVersion.id).where(SubmissionVersion.instance_id == instance_id)
        ).one()
        queue.record_outcome(session, version_id, queue.SENT, 201, "ok", files)


def test_a_split_upload_is_queued_once_complete_in_the_same_write_unit(
    app: Flask, session: Session, login: str
) -> None:
    xml = instance_xml("hh", instance_id="uuid:a", fields={"photo": "a.jpg", "photo2": "b.jpg"})
    photo_a, photo_b = os.urandom(3000), os.urandom(3000)

    store(app, session, login, xml, {"a.jpg": photo_a}, incomplete=True)
    assert queued(session) == []

    store(app, session, login, xml, {"b.jpg": photo_b})
    assert queued(session) == [("uuid:a", "queued")]
    store(app, session, login, xml, {"b.jpg": photo_b})
    assert queued(session) == [("uuid:a", "queued")], "queued once"


def test_a_record_refused_or_rolled_back_leaves_no_queue_row(
    app: Flask, session: Session, login: str
) -> None:
    xml = instance_xml("hh", instance_id="uuid:a")

    def dying_request() -> None:
        with writing(session):
            phone = find_by_login(session, login)
            assert phone is not None
            incoming = IncomingSubmission(xml=xml)
            receive_submission(session, blob_store(app), phone, incoming, forward=True)
            raise RuntimeError("the request dies before its commit")

    with pytest.raises(RuntimeError):
        dying_request()

    assert queued(session) == []
    assert session.scalars(select(SubmissionVersion)).all() == []


def test_a_file_arriving_after_the_record_was_sent_sends_it_again(
    app: Flask, session: Session, login: str
) -> None:
    xml = instance_xml("hh", instance_id="uuid:a", fields={"photo": "a.jpg", "photo2": "b.jpg"})
    store(app, session, login, xml, {"a.jpg": os.urandom(2000)})
    mark_sent(session, "uuid:a", ("a.jpg",))
    store(app, session, login, xml, {"a.jpg": os.urandom(2000)})  # other bytes: the first stay
    assert queued(session) == [("uuid:a", "sent")]

    store(app, session, login, xml, {"b.jpg": os.urandom(2000)})

    assert queued(session) == [("uuid:a", "queued")]
    [item] = session.scalars(select(ForwardItem)).all()
    assert item.files_sent == '["a.jpg"]', "the upstream has a.jpg: only b.jpg goes"


def test_records_stored_before_forwarding_was_on_are_queued_by_the_scan_originals_first(
    app: Flask, session: Session, login: str
) -> None:
    original = instance_xml("hh", instance_id="uuid:a")
    edit = instance_xml("hh", instance_id="uuid:b", deprecated_id="uuid:a")
    store(app, session, login, original, forward=False)
    store(app, session, login, edit, forward=False)
    store(app, session, login, instance_xml("hh", instance_id="uuid:c"))

    assert queue_missing(session) == 2

    assert queued(session) == [("uuid:a", "queued"), ("uuid:b", "queued"), ("uuid:c", "queued")]
    assert queue_missing(session) == 0


def test_an_edit_waits_while_the_record_it_replaces_is_queued(
    app: Flask, session: Session, login: str
) -> None:
    store(app, session, login, instance_xml("hh", instance_id="uuid:a"))
    store(app, session, login, instance_xml("hh", instance_id="uuid:b", deprecated_id="uuid:a"))
    with writing(session):  # the original failed once: it waits a minute
        version_id = session.scalars(
            select(SubmissionVersion.id).where(SubmissionVersion.instance_id == "uuid:a")
        ).one()
        queue.record_failure(session, version_id, 503, "down", retry_in=60)

    assert due(session) is None, "the edit does not overtake its original"
    mark_sent(session, "uuid:a")
    assert due(session) == "uuid:b"


def test_one_holder_has_the_lease_until_it_lapses(session: Session) -> None:
    with writing(session):
        assert queue.take_lease(session, "forwarding", "node-1", 0.5)
    with writing(session):
        assert not queue.take_lease(session, "forwarding", "node-2", 0.5)
    with writing(session):
        assert queue.take_lease(session, "forwarding", "node-1", 0.5), "renewed by its holder"

    time.sleep(0.6)  # node-1 was killed: its lease lapses

    with writing(session):
        assert queue.take_lease(session, "forwarding", "node-2", 30)
    with writing(session):
        assert not queue.take_lease(session, "forwarding", "node-1", 30)
    with writing(session):
        queue.release_lease(session, "forwarding", "node-2")
    with writing(session):
        assert queue.take_lease(session, "forwarding", "node-1", 30), "released: free at once"


def test_an_earlier_releases_outbox_file_is_taken_over_without_sending_twice(
    app: Flask, session: Session, login: str, tmp_path: Path
) -> None:
    sent_xml = instance_xml("hh", instance_id="uuid:sent")
    waiting_xml = instance_xml("hh", instance_id="uuid:waiting")
    store(app, session, login, sent_xml, forward=False)
    store(app, session, login, waiting_xml, forward=False)
    outbox_path = tmp_path / "upstream-outbox.sqlite3"
    with Outbox(outbox_path) as outbox:
        for iid, xml in (("uuid:sent", sent_xml), ("uuid:waiting", waiting_xml)):
            outbox.enqueue(Instance(form_id="hh", instance_id=iid, xml=xml, files=[]))
        item = outbox.find("uuid:sent")
        assert item is not None
        outbox.mark_sent(item.id, 201, "ok", [], None)
    settings = ForwardingSettings("http://upstream.invalid", outbox_path, 1, 1)

    assert take_over_outbox_file(session, settings) == 1
    queue_missing(session)

    assert queued(session) == [("uuid:sent", "sent"), ("uuid:waiting", "queued")]
    assert not outbox_path.exists()
    assert outbox_path.with_name("upstream-outbox.sqlite3.taken-over").exists()
