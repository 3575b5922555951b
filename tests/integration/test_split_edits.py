"""An edit split over several POSTs, as Collect sends an edited record with large photos: the
photos the phone sends in a later POST replace the ones the edit took over from the version it
replaces (found by the crash test, bench/crash.py: the new photo was answered 201 and lost)."""

from __future__ import annotations

import hashlib
import os

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from server.extensions import blob_store
from tests.integration.test_collect_replay import stored_files, stored_versions
from tests.support.collect import CollectClient, instance_xml
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form


@pytest.fixture
def phone(live_server: LiveServer, session: Session) -> CollectClient:
    token = make_app_user(session).token
    return CollectClient(f"{live_server.base_url}/v1/key/{token}/projects/1")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_changed_photo_in_the_last_post_of_a_split_edit_replaces_the_old_one(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    fields = {"photo": "a.jpg", "photo2": "b.jpg"}
    old_a, old_b, new_b = (os.urandom(100_000) for _ in range(3))
    original = instance_xml("hh", instance_id="uuid:original", fields=fields)
    sent = phone.submit(original, {"a.jpg": old_a, "b.jpg": old_b})
    assert [r.status_code for r in sent.responses] == [204, 201, 201]

    edit = instance_xml("hh", instance_id="uuid:edit", deprecated_id="uuid:original", fields=fields)
    upload = phone.submit(edit, {"a.jpg": old_a, "b.jpg": new_b})

    assert [r.status_code for r in upload.responses] == [204, 201, 201]
    [_, stored_edit] = stored_versions(session)
    assert stored_files(session, stored_edit) == {"a.jpg": sha(old_a), "b.jpg": sha(new_b)}
    assert blob_store(app).read(sha(new_b)) == new_b
    [stored_original, _] = stored_versions(session)
    assert stored_files(session, stored_original) == {"a.jpg": sha(old_a), "b.jpg": sha(old_b)}


def test_a_file_already_received_for_a_record_is_not_replaced_by_other_bytes(
    app: Flask, session: Session, phone: CollectClient
) -> None:
    publish_form(app, session, photo_form("hh"))
    xml = instance_xml("hh", fields={"photo": "a.jpg"})
    first, other = os.urandom(1000), os.urandom(1000)
    assert phone.post(xml, {"a.jpg": first}).status_code == 201

    assert phone.post(xml, {"a.jpg": other}).status_code == 202

    [version] = stored_versions(session)
    assert stored_files(session, version) == {"a.jpg": sha(first)}
