"""Properties of reading instances, checked with hypothesis: what `build_instance` writes,
`parse_instance` reads back exactly; and no byte string makes the parser fail other than by
refusing it with InvalidInstance."""

from __future__ import annotations

from functools import cache
from xml.etree.ElementTree import Element

from hypothesis import given, settings
from hypothesis import strategies as st

from server.errors import InvalidInstance
from server.formats.instance import local_name, parse_instance
from server.formats.instance_builder import build_instance
from server.xlsform import compile_xlsform
from tests.support.xlsforms import photo_form


@cache
def xform() -> bytes:
    return compile_xlsform(photo_form("hh", version="7"), "hh.xlsx").xform


# Text XML 1.0 can carry and gives back unchanged: no control characters (a parser turns a
# carriage return into a line feed), no lone surrogates.
answers = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\n\t<>&'\""),
    max_size=200,
)
ids = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=80
).map(lambda s: f"uuid:{s}")


def text_of(root: Element, name: str) -> str:
    [node] = [n for n in root.iter() if local_name(n.tag) == name]
    return node.text or ""


@settings(max_examples=200)
@given(answers, answers, ids, st.none() | ids)
def test_an_instance_written_for_any_answers_is_read_back_exactly(
    code: str, photo: str, instance_id: str, deprecated_id: str | None
) -> None:
    xml = build_instance(
        xform(),
        {"household_code": code, "photo": photo},
        instance_id=instance_id,
        deprecated_id=deprecated_id,
    )

    parsed = parse_instance(xml)

    assert (parsed.form_id, parsed.version) == ("hh", "7")
    assert (parsed.instance_id, parsed.deprecated_id) == (instance_id, deprecated_id)
    assert text_of(parsed.root, "household_code") == code
    assert text_of(parsed.root, "photo") == photo
    assert not parsed.encrypted


def acceptable(xml: bytes) -> None:
    try:
        said = parse_instance(xml).form_id
    except InvalidInstance as refused:
        said = refused.message
    assert said


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_any_bytes_are_either_read_or_refused_with_a_message(data: bytes) -> None:
    acceptable(data)


@settings(max_examples=300)
@given(st.data())
def test_a_damaged_instance_is_either_read_or_refused_with_a_message(data: st.DataObject) -> None:
    xml = bytearray(build_instance(xform(), {"household_code": "CL-1"}, instance_id="uuid:1"))
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        at = data.draw(st.integers(min_value=0, max_value=len(xml) - 1))
        xml[at : at + 1] = data.draw(st.binary(max_size=3))
    acceptable(bytes(xml))
