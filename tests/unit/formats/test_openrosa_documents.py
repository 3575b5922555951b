"""The XML documents Collect parses strictly: form list, manifest, OpenRosaResponse."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from server.formats import openrosa

LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"


def test_the_form_list_puts_every_element_in_the_form_list_namespace() -> None:
    body = openrosa.form_list(
        [
            openrosa.FormListEntry(
                "hh", "Phiếu hộ & gia đình", "2", "a" * 32, "http://x/f.xml", None
            ),
            openrosa.FormListEntry("fu", "", "", "b" * 32, "http://x/g.xml", "http://x/g/manifest"),
        ]
    )
    root = ET.fromstring(body)
    assert root.tag == f"{LIST}xforms"
    first, second = root.findall(f"{LIST}xform")
    assert first.findtext(f"{LIST}name") == "Phiếu hộ & gia đình"
    assert first.findtext(f"{LIST}hash") == "md5:" + "a" * 32
    assert first.find(f"{LIST}manifestUrl") is None
    assert second.findtext(f"{LIST}name") == "fu", "an untitled form is listed by its id"
    assert second.findtext(f"{LIST}manifestUrl") == "http://x/g/manifest"
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_an_empty_form_list_is_a_valid_document() -> None:
    root = ET.fromstring(openrosa.form_list([]))
    assert root.tag == f"{LIST}xforms"
    assert list(root) == []


def test_manifest_entries_carry_name_md5_hash_and_url() -> None:
    root = ET.fromstring(openrosa.manifest([openrosa.MediaFileEntry("v.csv", "c" * 32, "u")]))
    [media] = root.findall(f"{MANIFEST}mediaFile")
    assert media.findtext(f"{MANIFEST}filename") == "v.csv"
    assert media.findtext(f"{MANIFEST}hash") == "md5:" + "c" * 32
    assert media.findtext(f"{MANIFEST}downloadUrl") == "u"


def test_an_error_response_has_its_message_first_and_nature_error() -> None:
    root = ET.fromstring(openrosa.response("Lỗi <x>", error=True))
    assert root.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    message = root[0]
    assert message.text == "Lỗi <x>"
    assert message.get("nature") == "error"
