"""ODK's own form engine (@getodk/xforms-engine, via tests/support/engine.py) fills our forms the
way a phone would: what it writes is the instance XML tests post over OpenRosa."""

from __future__ import annotations

import time
from xml.etree import ElementTree as ET

import pytest

from server import xlsform
from server.config import REPO_ROOT
from tests.support import engine
from tests.support.collect import DEVICE_ID
from tests.support.xlsforms import xlsform as build_xlsform

HOUSEHOLD_CONTACT = REPO_ROOT / "forms" / "household_contact.xlsx"
VILLAGES_CSV = (
    "name,label,commune,urban\n"
    "1960001,Khu phố 1,19600,1\n"
    "1960301,Thôn Bản Chùa,19603,0\n"
    "1960302,Thôn An Mỹ,19603,0\n"
).encode()
MEDIA = {"villages.csv": VILLAGES_CSV}
VALID: list[engine.Answer] = [
    ("/data/village", "1960301"),
    ("/data/household_code", "CL-0001"),
    ("/data/head_name", "Nguyễn Văn An"),
    ("/data/phone", "0912345678"),
    ("/data/members", 4),
    ("/data/location", "16.7953 107.0051 12 5"),
    ("/data/note", "Nhà cấp 4"),
]


@pytest.fixture(autouse=True, scope="module")
def _engine_installed() -> None:
    engine.require_engine()


@pytest.fixture(scope="module")
def household_contact() -> bytes:
    return compile_form(HOUSEHOLD_CONTACT.read_bytes(), HOUSEHOLD_CONTACT.name)


def compile_form(data: bytes, filename: str) -> bytes:
    return xlsform.compile_xlsform(data, filename).xform


def replaced(answers: list[engine.Answer], **changes: engine.AnswerValue) -> list[engine.Answer]:
    return [(ref, changes.get(ref.rsplit("/", 1)[-1], value)) for ref, value in answers]


def text_of(root: ET.Element, path: str) -> str | None:
    node = root.find(path)
    return None if node is None else node.text


# --- the shipped demo form -------------------------------------------------------------------


def test_valid_answers_give_a_ready_instance_with_form_id_version_instance_id_and_answers(
    household_contact: bytes,
) -> None:
    result = engine.fill(household_contact, VALID, MEDIA)

    assert result.status == "ready", result.violations
    assert result.violations == []
    root = ET.fromstring(result.xml)
    assert root.tag == "data"
    assert root.get("id") == "household_contact"
    assert root.get("version") == "2026112601"
    instance_id = text_of(root, "meta/instanceID") or ""
    assert instance_id.startswith("uuid:")
    assert len(instance_id) == len("uuid:") + 36
    assert text_of(root, "village") == "1960301"
    assert text_of(root, "household_code") == "CL-0001"
    assert text_of(root, "head_name") == "Nguyễn Văn An"
    assert text_of(root, "members") == "4"
    assert text_of(root, "deviceid") == DEVICE_ID
    assert text_of(root, "location") == "16.7953 107.0051 12.0 5.0"  # the engine normalises
    assert result.values["/data/summary"] == "CL-0001 — Nguyễn Văn An"
    assert result.values["/data/meta/instanceName"] == "CL-0001 Nguyễn Văn An"
    assert result.values["/data/meta/instanceID"] == instance_id


def test_the_engine_writes_no_prolog_and_no_namespace_and_keeps_unanswered_questions_empty(
    household_contact: bytes,
) -> None:
    result = engine.fill(household_contact, VALID, MEDIA)

    assert result.xml.startswith(b'<data id="household_contact" version="2026112601">')
    assert b"xmlns" not in result.xml
    assert b"<house_photo/>" in result.xml  # optional, relevant, unanswered: an empty element


def test_more_than_thirty_members_is_pending_with_the_forms_constraint_message(
    household_contact: bytes,
) -> None:
    result = engine.fill(household_contact, replaced(VALID, members=40), MEDIA)

    assert result.status == "pending"
    [violation] = result.violations
    assert violation == engine.Violation("/data/members", "constraint", "Từ 1 đến 30 người")
    assert b"<members>40</members>" in result.xml  # the engine still holds what was typed


def test_violation_messages_come_in_the_language_asked_for(household_contact: bytes) -> None:
    answers = replaced(VALID, members=40, household_code="cl-12")

    result = engine.fill(household_contact, answers, MEDIA, language="en")

    assert result.messages() == {
        "/data/household_code": "Two capital letters, a dash and four digits, e.g. CL-0123",
        "/data/members": "Between 1 and 30 people",
    }


def test_a_malformed_household_code_is_pending_with_its_constraint_message(
    household_contact: bytes,
) -> None:
    result = engine.fill(household_contact, replaced(VALID, household_code="CL-01"), MEDIA)

    assert result.status == "pending"
    assert result.messages() == {
        "/data/household_code": "Mã hộ gồm 2 chữ in hoa, dấu gạch ngang và 4 chữ số, ví dụ CL-0123"
    }


def test_a_required_question_left_empty_is_pending_without_a_message(
    household_contact: bytes,
) -> None:
    answers = [(ref, value) for ref, value in VALID if ref != "/data/head_name"]

    result = engine.fill(household_contact, answers, MEDIA)

    assert result.status == "pending"
    assert result.violations == [engine.Violation("/data/head_name", "required", None)]


def test_a_village_missing_from_the_csv_is_refused_loudly_because_the_engine_drops_it(
    household_contact: bytes,
) -> None:
    # The engine itself silently keeps no value for a choice it does not offer (and a required
    # question then fails as "required"); the test client refuses, naming what was offered.
    with pytest.raises(engine.EngineError) as caught:
        engine.fill(household_contact, replaced(VALID, village="1969999"), MEDIA)

    message = str(caught.value)
    assert '/data/village: "1969999" is not among the choices' in message
    assert "1960001 1960301 1960302" in message


def test_a_form_whose_csv_is_not_given_cannot_be_loaded(household_contact: bytes) -> None:
    with pytest.raises(engine.EngineError, match=r"needs villages\.csv; attachments given: none"):
        engine.fill(household_contact, VALID, {})


def test_an_unknown_reference_is_refused_with_the_references_the_form_has(
    household_contact: bytes,
) -> None:
    with pytest.raises(engine.EngineError) as caught:
        engine.fill(household_contact, [("/data/household", "x")], MEDIA)

    assert "unknown reference /data/household;" in str(caught.value)
    assert "/data/household_code" in str(caught.value)


def test_a_calculated_node_cannot_be_answered(household_contact: bytes) -> None:
    with pytest.raises(engine.EngineError, match="summary is calculated by the form"):
        engine.fill(household_contact, [("summary", "x")], MEDIA)


def test_a_photo_answer_names_the_file_in_the_xml_and_comes_back_as_an_attachment(
    household_contact: bytes,
) -> None:
    photo = engine.Upload("nha.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")

    result = engine.fill(household_contact, [*VALID, ("/data/house_photo", photo)], MEDIA)

    assert result.status == "ready"
    assert b"<house_photo>nha.jpg</house_photo>" in result.xml
    assert result.attachments == {"nha.jpg": photo.data}


def test_many_records_are_filled_in_one_process_each_with_its_own_instance_id(
    household_contact: bytes,
) -> None:
    requests = [
        engine.EngineRequest(
            household_contact,
            replaced(VALID, household_code=f"CL-{n:04d}", members=n % 35 + 1),
            MEDIA,
        )
        for n in range(40)
    ]

    started = time.monotonic()
    results = engine.fill_many(requests)
    elapsed = time.monotonic() - started

    assert [r.status for r in results] == [
        "ready" if n % 35 + 1 <= 30 else "pending" for n in range(40)
    ]
    codes = [text_of(ET.fromstring(r.xml), "household_code") for r in results]
    assert codes == [f"CL-{n:04d}" for n in range(40)]
    assert len({r.values["/data/meta/instanceID"] for r in results}) == 40
    assert elapsed < 60, f"40 records took {elapsed:.1f} s"


def test_a_batch_with_a_bad_request_names_it(household_contact: bytes) -> None:
    good = engine.EngineRequest(household_contact, VALID, MEDIA)
    bad = engine.EngineRequest(household_contact, [("/data/nope", "1")], MEDIA)

    with pytest.raises(engine.EngineError, match=r"^request 1: unknown reference /data/nope"):
        engine.fill_many([good, bad])


# --- a small form: repeat, sum over it, choice_filter on a CSV, CSV lookup, relevance --------

SURVEY = [
    ["type", "name", "label", "choice_filter", "calculation", "relevant", "constraint"],
    ["select_one_from_file communes.csv", "commune", "Commune", "", "", "", ""],
    ["select_one_from_file villages.csv", "village", "Village", "commune=${commune}", "", "", ""],
    ["calculate", "urban", "", "", "instance('villages')/root/item[name=${village}]/urban", "", ""],
    ["text", "street", "Street (towns only)", "", "", "${urban} = '1'", ""],
    ["begin_repeat", "member", "Member", "", "", "", ""],
    ["text", "m_name", "Name", "", "", "", ""],
    ["integer", "m_age", "Age", "", "", "", ". >= 0 and . < 120"],
    ["end_repeat", "", "", "", "", "", ""],
    ["calculate", "total_age", "", "", "sum(${m_age})", "", ""],
    ["calculate", "member_count", "", "", "count(${member})", "", ""],
]
SMALL_MEDIA = {
    "communes.csv": b"name,label\nC1,Commune one\nC2,Commune two\n",
    "villages.csv": b"name,label,commune,urban\nV1,Town,C1,1\nV2,Hamlet,C1,0\nV3,Far away,C2,0\n",
}


@pytest.fixture(scope="module")
def small_form() -> bytes:
    return compile_form(build_xlsform(SURVEY, form_id="engine_check", version="7"), "e.xlsx")


def members(*people: tuple[str, int]) -> list[engine.Answer]:
    answers: list[engine.Answer] = [("/data/member", len(people))]
    for n, (name, age) in enumerate(people, start=1):
        answers += [(f"/data/member[{n}]/m_name", name), (f"/data/member[{n}]/m_age", age)]
    return answers


def test_a_repeat_a_sum_over_it_and_a_csv_lookup_are_computed_and_readable(
    small_form: bytes,
) -> None:
    answers = [
        ("commune", "C1"),
        ("village", "V1"),
        ("street", "Lê Lợi"),
        *members(("Ann", 40), ("Bo", 30), ("Cy", 5)),
    ]

    result = engine.fill(small_form, answers, SMALL_MEDIA)

    assert result.status == "ready"
    assert result.values["/data/urban"] == "1"
    assert result.values["/data/total_age"] == "75"
    assert result.values["/data/member_count"] == "3"
    root = ET.fromstring(result.xml)
    assert [text_of(m, "m_name") for m in root.findall("member")] == ["Ann", "Bo", "Cy"]
    assert text_of(root, "street") == "Lê Lợi"
    assert text_of(root, "total_age") == "75"


def test_an_emptied_repeat_counts_zero_but_the_engine_sums_it_to_blank_not_zero(
    small_form: bytes,
) -> None:
    # XPath 1.0 and JavaRosa (Collect) say sum() of no nodes is 0; xforms-engine 0.22 gives NaN,
    # written as an empty element. Servers must not trust phone calculates anyway.
    result = engine.fill(
        small_form, [("commune", "C2"), ("village", "V3"), *members()], SMALL_MEDIA
    )

    assert result.values["/data/member_count"] == "0"
    assert result.values["/data/total_age"] == ""
    assert b"<total_age/>" in result.xml
    assert ET.fromstring(result.xml).findall("member") == []


def test_a_choice_filter_offers_only_the_villages_of_the_chosen_commune(small_form: bytes) -> None:
    with pytest.raises(engine.EngineError, match=r'"V3" is not among .* choices now: V1 V2$'):
        engine.fill(small_form, [("commune", "C1"), ("village", "V3")], SMALL_MEDIA)


def test_a_non_relevant_question_is_left_out_of_the_xml_and_cannot_be_answered(
    small_form: bytes,
) -> None:
    result = engine.fill(small_form, [("commune", "C1"), ("village", "V2")], SMALL_MEDIA)

    assert result.values["/data/urban"] == "0"
    assert b"street" not in result.xml  # not even an empty <street/>
    with pytest.raises(engine.EngineError, match="/data/street is not relevant now"):
        engine.fill(
            small_form, [("commune", "C1"), ("village", "V2"), ("street", "x")], SMALL_MEDIA
        )


def test_an_answer_in_a_repeat_instance_that_does_not_exist_is_refused(small_form: bytes) -> None:
    with pytest.raises(engine.EngineError, match=r"unknown reference /data/member\[2\]/m_name"):
        engine.fill(small_form, [("/data/member[2]/m_name", "Bo")], SMALL_MEDIA)


def test_a_constraint_inside_a_repeat_is_reported_with_the_instance_reference(
    small_form: bytes,
) -> None:
    answers = [("commune", "C1"), ("village", "V2"), *members(("Ann", 40), ("Bo", 130))]

    result = engine.fill(small_form, answers, SMALL_MEDIA)

    assert result.status == "pending"
    assert result.violations == [engine.Violation("/data/member[2]/m_age", "constraint", None)]
