"""The outbox on its own: schema upgrade, the order of edits, files that arrive late."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync import Instance, ItemState, NotOpenRosa, Outbox, Rejected, ServerUnreachable
from sync.outbox_items import SCHEMA

V2_SCHEMA = SCHEMA.replace("    issues TEXT,\n", "").split("CREATE TABLE skipped")[0]
V1_SCHEMA = V2_SCHEMA.replace("    deprecated_id TEXT,\n", "")


def instance(instance_id: str, deprecated_id: str | None = None) -> Instance:
    xml = f"<data id='hh'><meta><instanceID>{instance_id}</instanceID></meta></data>".encode()
    return Instance("hh", instance_id, xml, files=[("a.jpg", b"a")], deprecated_id=deprecated_id)


def test_an_outbox_of_the_first_schema_is_upgraded_and_keeps_its_items(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in filter(str.strip, V1_SCHEMA.split(";")):
            db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('device_id', 'rasoat-sync:old')")
        db.execute(
            "INSERT INTO item (form_id, instance_id, xml_name, xml, xml_sha256, created_at,"
            " updated_at) VALUES ('hh', 'uuid:1', 'x.xml', x'3c612f3e', '-', 'now', 'now')"
        )
        db.execute("PRAGMA user_version=1")
    db.close()

    with Outbox(path) as outbox:
        assert outbox.device_id == "rasoat-sync:old"
        assert [i.instance_id for i in outbox.items(ItemState.QUEUED)] == ["uuid:1"]
        outbox.enqueue(instance("uuid:2", deprecated_id="uuid:1"))
        assert outbox.ready_ids() == [outbox.item_id("hh", "uuid:1")]


def test_an_outbox_of_the_second_schema_gains_flags_and_skipped_folders(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in filter(str.strip, V2_SCHEMA.split(";")):
            db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('device_id', 'rasoat-sync:old')")
        db.execute("PRAGMA user_version=2")
    db.close()

    with Outbox(path) as outbox:
        item_id = outbox.enqueue(instance("uuid:1")).item_id
        outbox.mark_sent(item_id, 201, "ok", ["a.jpg"], issues="unknown village 1960399")
        outbox.note_scan({"/sd/instances/broken": "not readable XML"}, [])
        assert outbox.get(item_id).issues == "unknown village 1960399"
        assert [s.source for s in outbox.skipped()] == ["/sd/instances/broken"]
        outbox.note_scan({}, ["/sd/instances/broken"])
        assert outbox.skipped() == []


def test_an_edit_waits_while_the_record_it_replaces_is_queued(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite3") as outbox:
        [edit, original, other] = outbox.enqueue_all(
            [instance("uuid:2", deprecated_id="uuid:1"), instance("uuid:1"), instance("uuid:3")]
        )
        assert outbox.ready_ids() == [original.item_id, other.item_id]
        outbox.mark_sent(original.item_id, 201, "ok", ["a.jpg"])
        assert outbox.ready_ids() == [edit.item_id, other.item_id]


def test_files_that_arrive_later_are_added_and_send_the_item_again(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite3") as outbox:
        item_id = outbox.enqueue(instance("uuid:1")).item_id
        outbox.mark_sent(item_id, 201, "ok", ["a.jpg"])

        assert outbox.add_files(item_id, [("a.jpg", b"a"), ("b.jpg", b"bb")]) == 1
        item = outbox.get(item_id)
        assert item.state == ItemState.QUEUED and item.sent_at is None
        assert [(a.name, a.size, a.sent) for a in item.attachments] == [
            ("a.jpg", 1, True),
            ("b.jpg", 2, False),
        ]
        assert outbox.add_files(item_id, [("b.jpg", b"bb")]) == 0


def test_no_sync_error_message_shows_an_app_user_token() -> None:
    url = "http://commune.example/v1/key/Ab3$xYz_secret-TOKEN/projects/1/submission"
    errors = [
        ServerUnreachable(f"cannot reach {url}"),
        NotOpenRosa(f"cannot use {url}: Max retries exceeded with url: {url}"),
        Rejected(f"refused at '{url}'", 409),
    ]
    for error in errors:
        assert "secret-TOKEN" not in str(error)
        assert "/v1/key/***/projects/1/submission" in str(error)
