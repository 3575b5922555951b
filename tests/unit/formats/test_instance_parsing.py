"""Reading instances the way Central does: by local name, namespaces ignored (openrosa.md §5)."""

from __future__ import annotations

import pytest

from server.errors import InvalidInstance
from server.formats.instance import parse_instance, values_at


def test_pyxform_style_meta_without_namespace_is_read() -> None:
    parsed = parse_instance(
        b'<data id="hh" version="3"><meta><instanceID> uuid:a </instanceID>'
        b"<instanceName>CL-1</instanceName></meta></data>"
    )
    assert (parsed.form_id, parsed.version, parsed.instance_id) == ("hh", "3", "uuid:a")
    assert parsed.instance_name == "CL-1"
    assert parsed.deprecated_id is None


def test_orx_meta_a_default_namespace_and_orx_version_are_read_by_local_name() -> None:
    parsed = parse_instance(
        b'<h xmlns="http://example.org/form" xmlns:orx="http://openrosa.org/xforms" id="f" '
        b'orx:version="7"><orx:meta><orx:instanceID>uuid:b</orx:instanceID>'
        b"<orx:deprecatedID>uuid:a</orx:deprecatedID></orx:meta></h>"
    )
    assert (parsed.version, parsed.instance_id, parsed.deprecated_id) == ("7", "uuid:b", "uuid:a")


def test_an_instance_without_meta_has_no_instance_id() -> None:
    assert parse_instance(b'<data id="hh"/>').instance_id is None


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b"<data id='x'><a></data>", "line 1, column"),
        (b"<data/>", "no id attribute"),
        (b'<!DOCTYPE d [<!ENTITY e "x">]><d id="x">&e;</d>', "DTDs and entities"),
        (b"\xff\xfe<d/>", "malformed XML"),
    ],
)
def test_unreadable_instances_are_refused_with_a_reason(xml: bytes, expected: str) -> None:
    with pytest.raises(InvalidInstance) as caught:
        parse_instance(xml)
    assert expected in caught.value.message_en


def test_values_at_finds_file_names_in_groups_and_repeats() -> None:
    parsed = parse_instance(
        b'<data id="f"><photo>a.jpg</photo><g><member><pic>b.jpg</pic></member>'
        b"<member><pic>c.jpg</pic></member><member><pic/></member></g></data>"
    )
    assert values_at(parsed.root, ["photo", "g/member/pic", "missing"]) == [
        "a.jpg",
        "b.jpg",
        "c.jpg",
    ]


def test_ten_thousand_levels_of_nesting_do_not_crash_the_parser() -> None:
    xml = b'<data id="deep">' + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</data>"
    assert parse_instance(xml).form_id == "deep"
