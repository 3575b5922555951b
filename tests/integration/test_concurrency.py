"""Many phones at once, over real HTTP against `rasoat serve` (gunicorn, several workers and
threads): the same instanceID from 20 clients is stored exactly once, and of parallel edits of
one record exactly one wins (openrosa.md §3.4–§3.5, issue 8 point 2)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from server.storage.models import Blob, Submission, SubmissionAttachment, SubmissionVersion
from tests.support.collect import CollectClient, instance_xml, response_message
from tests.support.factories import make_app_user, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import photo_form

CLIENTS = 20
ROUNDS = 3


@pytest.fixture
def server_url(app: Flask, live_server: LiveServer, session: Session) -> str:
    publish_form(app, session, photo_form("hh"))
    new = make_app_user(session)
    return f"{live_server.base_url}/v1/key/{new.token}/projects/1"


def all_at_once(
    server_url: str, uploads: Sequence[tuple[bytes, dict[str, bytes]]]
) -> list[requests.Response]:
    """POST every upload from its own client, released together by a barrier."""
    barrier = threading.Barrier(len(uploads))

    def send(upload: tuple[bytes, dict[str, bytes]]) -> requests.Response:
        phone = CollectClient(server_url)
        phone.head_submission()  # open the connection first, so the POSTs start together
        barrier.wait(timeout=30)
        return phone.post(*upload)

    with ThreadPoolExecutor(max_workers=len(uploads)) as pool:
        return list(pool.map(send, uploads))


def statuses(responses: Sequence[requests.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def rows(session: Session, model: type[Any], *where: ColumnElement[bool]) -> int:
    session.rollback()  # a fresh snapshot: SQLite keeps a read transaction's view
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def current_xml(session: Session, instance_id: str) -> bytes:
    session.rollback()
    query = select(SubmissionVersion.xml).where(
        SubmissionVersion.instance_id == instance_id, SubmissionVersion.current.is_(True)
    )
    return session.scalars(query).one()


def rounds(test: Callable[[int], None]) -> None:
    """Races are won by chance: run each scenario a few times with fresh instanceIDs."""
    for number in range(ROUNDS):
        test(number)


def test_twenty_identical_copies_posted_at_once_are_stored_once_and_all_acknowledged(
    server_url: str, session: Session
) -> None:
    def scenario(number: int) -> None:
        xml = instance_xml("hh", instance_id=f"uuid:same-{number}", fields={"household_code": "A"})
        responses = all_at_once(server_url, [(xml, {})] * CLIENTS)
        assert statuses(responses) == {201: 1, 202: CLIENTS - 1}, [r.text for r in responses]
        instance = SubmissionVersion.instance_id == f"uuid:same-{number}"
        assert rows(session, SubmissionVersion, instance) == 1
        assert current_xml(session, f"uuid:same-{number}") == xml

    rounds(scenario)
    assert rows(session, Submission) == ROUNDS


def test_of_two_different_contents_under_one_instance_id_one_is_stored_and_the_other_gets_409(
    server_url: str, session: Session
) -> None:
    def scenario(number: int) -> None:
        instance_id = f"uuid:contested-{number}"
        a = instance_xml("hh", instance_id=instance_id, fields={"household_code": "A"})
        b = instance_xml("hh", instance_id=instance_id, fields={"household_code": "B"})
        uploads: list[tuple[bytes, dict[str, bytes]]] = [(a, {}), (b, {})] * (CLIENTS // 2)
        responses = all_at_once(server_url, uploads)
        stored = current_xml(session, instance_id)
        assert stored in (a, b)
        for (xml, _), response in zip(uploads, responses, strict=True):
            if xml == stored:
                assert response.status_code in (201, 202), response.text
            else:
                assert response.status_code == 409, response.text
                assert instance_id in response_message(response)
        assert statuses(responses)[201] == 1
        assert rows(session, SubmissionVersion, SubmissionVersion.instance_id == instance_id) == 1

    rounds(scenario)
    assert rows(session, Submission) == ROUNDS


def test_copies_with_the_same_photo_posted_at_once_keep_one_attachment_and_one_file(
    server_url: str, session: Session, data_dir: Path
) -> None:
    photo = b"\xff\xd8" + bytes(range(256)) * 400
    xml = instance_xml("hh", instance_id="uuid:photo", fields={"photo": "a.jpg"})

    responses = all_at_once(server_url, [(xml, {"a.jpg": photo})] * CLIENTS)

    assert set(statuses(responses)) <= {201, 202}
    assert rows(session, SubmissionAttachment) == 1
    assert rows(session, Blob) == 1
    files = [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in files] == [
        hashlib.sha256(photo).hexdigest()
    ]


def test_of_parallel_edits_of_one_record_exactly_one_wins_and_the_others_get_409(
    server_url: str, session: Session
) -> None:
    phone = CollectClient(server_url)

    def scenario(number: int) -> None:
        original = f"uuid:original-{number}"
        assert phone.post(instance_xml("hh", instance_id=original)).status_code == 201
        edits = [
            instance_xml(
                "hh",
                instance_id=f"uuid:edit-{number}-{i}",
                deprecated_id=original,
                fields={"household_code": f"edit {i}"},
            )
            for i in range(CLIENTS)
        ]
        responses = all_at_once(server_url, [(xml, {}) for xml in edits])
        assert statuses(responses) == {201: 1, 409: CLIENTS - 1}, [r.text for r in responses]
        [winner] = [i for i, r in enumerate(responses) if r.status_code == 201]
        for response in responses:
            if response.status_code == 409:
                assert original in response_message(response)
        assert current_xml(session, f"uuid:edit-{number}-{winner}") == edits[winner]
        assert rows(session, SubmissionVersion, SubmissionVersion.current.is_(True)) == number + 1

    rounds(scenario)
    assert rows(session, Submission) == ROUNDS
    assert rows(session, SubmissionVersion) == 2 * ROUNDS


def test_copies_of_one_edit_posted_at_once_make_one_new_version(
    server_url: str, session: Session
) -> None:
    phone = CollectClient(server_url)

    def scenario(number: int) -> None:
        original, edited = f"uuid:v1-{number}", f"uuid:v2-{number}"
        assert phone.post(instance_xml("hh", instance_id=original)).status_code == 201
        edit = instance_xml("hh", instance_id=edited, deprecated_id=original)
        responses = all_at_once(server_url, [(edit, {})] * CLIENTS)
        assert statuses(responses) == {201: 1, 202: CLIENTS - 1}, [r.text for r in responses]
        assert current_xml(session, edited) == edit

    rounds(scenario)
    assert rows(session, SubmissionVersion) == 2 * ROUNDS
