"""Both survey forms filled by ODK's own form engine, the way a phone does it: download the form
and the phone's own choice lists from the server, answer, send over OpenRosa, and find the
expected household review (and follow-up visit) in the registry."""

from __future__ import annotations

import csv
import io
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.score_table_file import scoring_table
from server.domain.standards import standard_for_year
from server.domain.vocabulary import OrganisationKind, PlanState, Role
from server.formats.instance import local_name
from server.services.users import create_user
from server.storage import plans
from server.storage import registry as queries
from server.storage.areas import find_area_by_code
from server.storage.models import AuditEvent, FollowupVisit, PlanItem, Submission
from server.storage.screenings import find_screening
from tests.integration.test_web_access import signed_in
from tests.support import engine
from tests.support.collect import CollectClient, parse_form_list, parse_manifest
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.scoring import answers_worth

pytestmark = pytest.mark.e2e

FAMILY = [  # head 46, spouse 44 without an insurance card, a son of 14 out of school
    {
        "m_name": "Hồ Văn Lợi",
        "m_sex": "male",
        "m_relation": "head",
        "m_birth_year": 1980,
        "m_education": "primary",
        "m_work": "self_employed",
        "m_health_insurance": "yes",
    },
    {
        "m_name": "Trần Thị Hoa",
        "m_sex": "female",
        "m_relation": "spouse",
        "m_birth_year": 1982,
        "m_education": "primary",
        "m_work": "unstable_no_contract",
        "m_health_insurance": "no",
    },
    {
        "m_name": "Hồ Văn Nam",
        "m_sex": "male",
        "m_relation": "child",
        "m_birth_year": 2012,
        "m_in_school": "no",
        "m_health_insurance": "yes",
        "m_malnourished": "no",
    },
]
GOOD_HOME = {
    "has_house": "yes",
    "non_durable_parts": 0,
    "floor_area_m2": 60,
    "water_source": "piped",
    "latrine": "septic",
    "uses_internet": "yes",
    "info_devices": ["tv"],
    "hears_loudspeaker": "yes",
}


class Phone:
    """A phone with the forms and lists it downloaded, filling records with ODK's engine."""

    def __init__(self, client: CollectClient) -> None:
        self.client = client
        self.forms: dict[str, tuple[bytes, dict[str, bytes]]] = {}

    def download(self) -> None:
        for entry in parse_form_list(self.client.form_list().content):
            xform = self.client.get(entry["downloadUrl"]).content
            media = (
                {
                    m["filename"]: self.client.get(m["downloadUrl"]).content
                    for m in parse_manifest(self.client.get(entry["manifestUrl"]).content)
                }
                if "manifestUrl" in entry
                else {}
            )
            self.forms[entry["formID"]] = (xform, media)

    def references(self, form_id: str) -> dict[str, str]:
        root = ET.fromstring(self.forms[form_id][0])
        return {
            nodeset.rsplit("/", 1)[-1]: nodeset
            for node in root.iter()
            if local_name(node.tag) == "bind" and (nodeset := node.get("nodeset", ""))
        }

    def fill_and_send(self, form_id: str, answers: list[tuple[str, Any]]) -> engine.EngineResult:
        xform, media = self.forms[form_id]
        result = engine.fill(xform, answers, media)
        assert result.status == "ready", result.violations
        upload = self.client.submit(result.xml)
        assert [r.status_code for r in upload.responses] == [204, 201]
        return result


def survey_answers(phone: Phone, year: int, income: int, home: dict[str, Any]) -> list[Any]:
    ref = phone.references("household_survey")
    repeat = ref["m_name"].rsplit("/", 1)[0]
    answers: list[tuple[str, Any]] = [
        (ref["review_year"], year),
        (ref["commune"], "19603"),
        (ref["village"], "1960301"),
        (ref["household_code"], "1960301-007"),
        (ref["head_name"], "Hồ Văn Lợi"),
        (ref["ethnicity"], "bru_van_kieu"),
        (repeat, len(FAMILY)),
    ]
    for index, person in enumerate(FAMILY, 1):
        answers += [(f"{repeat}[{index}]/{k}", v) for k, v in person.items()]
    answers.append((ref["household_income_month"], income))
    return answers + [(ref[name], value) for name, value in home.items()]


@pytest.fixture
def phone(app: Flask, session: Session, live_server: LiveServer) -> Phone:
    engine.require_engine()
    make_areas(session)
    for name in ("household_survey", "followup_visit"):
        path = REPO_ROOT / "forms" / f"{name}.xlsx"
        publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="19603")
    handset = Phone(CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1"))
    handset.download()
    return handset


def test_a_household_filled_in_odk_engine_lands_as_the_class_the_cadre_was_shown(
    phone: Phone, session: Session
) -> None:
    poor_home = {**GOOD_HOME, "water_source": "unprotected_well"}
    result = phone.fill_and_send(
        "household_survey", survey_answers(phone, 2026, 3_000_000, poor_home)
    )

    shown = {ref.rsplit("/", 1)[-1]: v for ref, v in result.values.items()}
    assert (shown["provisional_class"], shown["deficiency_count"]) == ("poor", "4")
    session.rollback()
    household = queries.find_household(session, "1960301-007")
    assert household is not None
    review = queries.find_review(session, household.id, 2026)
    assert review is not None
    assert (review.household_class, review.income_per_person) == ("poor", 1_000_000)
    assert queries.deficiencies_of(session, review.id) == {
        "employment",
        "health_insurance",
        "child_schooling",
        "water_source",
    }
    assert review.phone_disagreement is None, "the engine and the server agree"


def test_a_household_that_left_poverty_is_visited_with_the_follow_up_form(
    phone: Phone, session: Session
) -> None:
    phone.fill_and_send(
        "household_survey", survey_answers(phone, 2025, 3_000_000, {**GOOD_HOME, "latrine": "none"})
    )
    phone.fill_and_send("household_survey", survey_answers(phone, 2026, 9_000_000, GOOD_HOME))
    phone.download()  # the phone's follow-up list now holds the household
    households = phone.forms["followup_visit"][1]["followup_households.csv"].decode()
    assert "1960301-007,1960301-007 — Hồ Văn Lợi — Thôn Bản Chùa" in households

    ref = phone.references("followup_visit")
    phone.fill_and_send(
        "followup_visit",
        [
            (ref["household"], "1960301-007"),
            (ref["income_change"], "decreased"),
            (ref["household_income_month"], 4_000_000),
            (ref["member_count"], 3),
            (ref["work_change"], "worse"),
            (ref["shocks"], ["illness", "crop_loss"]),
            (ref["hi_card_valid"], "yes"),
            (ref["hi_card_expiry"], "2027-12-31"),
            (ref["loan_active"], "no"),
            (ref["livelihood_support"], "no"),
            (ref["recheck_deficient"], ["health_insurance"]),
            (ref["relapse_risk"], "high"),
            (ref["support_needed"], ["health_insurance", "livelihood"]),
        ],
    )

    session.rollback()
    [visit] = session.scalars(select(FollowupVisit)).all()
    assert visit.shocks == "crop_loss illness"
    assert visit.at_risk
    assert visit.risk_reasons.split() == ["cadre_high", "income_near_line", "shock"]
    household = queries.find_household(session, "1960301-007")
    assert household is not None
    assert household.relapse_risk
    assert all(s.issues is None for s in session.scalars(select(Submission)))


# --- the 2027 list, under NĐ 351/2025 ------------------------------------------------------------

# Nobody lacks anything as a person: the deficiencies come from NĐ 351's new indicators only.
SOUND_FAMILY = [
    {**person, "m_education": "higher", "m_work": "stable_contract", "m_health_insurance": "yes"}
    for person in FAMILY[:2]
] + [{**FAMILY[2], "m_birth_year": 2015, "m_in_school": "yes"}]
HOME_2027 = {
    key: value
    for key, value in GOOD_HOME.items()
    if key not in ("uses_internet", "info_devices", "hears_loudspeaker")
}
TWO = {
    "internet_access": "shared_public",
    "digital_services": ["none"],
    "waste_treatment": "collected",
}
THREE = {**TWO, "waste_treatment": "burned"}
RURAL, URBAN = ("19603", "1960301"), ("19600", "1960001")  # Thôn Bản Chùa; Khu phố 1 (urban)
BOUNDARIES_2027 = [
    # (place, household number, income of 3 people, NĐ 351 answers, class, income per person)
    (RURAL, 11, 6_600_000, THREE, "poor", 2_200_000),  # exactly on the rural line
    (RURAL, 12, 6_600_000, TWO, "near_poor", 2_200_000),  # 2 deficiencies, not 3
    (RURAL, 13, 6_600_001, THREE, "middle", 2_200_000),  # a third of a đồng above it
    (URBAN, 21, 8_400_000, THREE, "poor", 2_800_000),  # exactly on the urban line
    (URBAN, 22, 8_400_000, TWO, "near_poor", 2_800_000),
    (URBAN, 23, 8_400_001, THREE, "middle", 2_800_000),
    (URBAN, 24, 6_600_003, THREE, "poor", 2_200_001),  # above the rural line, poor in town
]


@pytest.fixture
def district_phone(app: Flask, session: Session, live_server: LiveServer) -> Phone:
    """A phone for the whole district, so it offers villages and town quarters."""
    engine.require_engine()
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="468")
    handset = Phone(CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1"))
    handset.download()
    return handset


def sound_family_2027(
    ref: dict[str, str], commune: str, village: str, code: str
) -> list[tuple[str, Any]]:
    """The place, the head and the sound family of a 2027 record (the review year is left at
    the form's default: the 2027 list)."""
    repeat = ref["m_name"].rsplit("/", 1)[0]
    filled: list[tuple[str, Any]] = [
        (ref["commune"], commune),
        (ref["village"], village),
        (ref["household_code"], code),
        (ref["head_name"], "Hồ Văn Lợi"),
        (ref["ethnicity"], "kinh"),
        (repeat, len(SOUND_FAMILY)),
    ]
    for index, person in enumerate(SOUND_FAMILY, 1):
        filled += [(f"{repeat}[{index}]/{k}", v) for k, v in person.items()]
    return filled


def test_2027_households_on_both_sides_of_the_nd351_lines_land_as_the_cadre_was_shown(
    district_phone: Phone, session: Session
) -> None:
    ref = district_phone.references("household_survey")
    shown = {}
    for (commune, village), number, income, answers, _, _ in BOUNDARIES_2027:
        code = f"{village}-{number:03d}"
        filled = sound_family_2027(ref, commune, village, code)
        filled.append((ref["household_income_month"], income))
        filled += [(ref[name], value) for name, value in {**HOME_2027, **answers}.items()]
        result = district_phone.fill_and_send("household_survey", filled)
        shown[code] = {ref.rsplit("/", 1)[-1]: v for ref, v in result.values.items()}

    session.rollback()
    for (_, village), number, _, answers, klass, per_person in BOUNDARIES_2027:
        code = f"{village}-{number:03d}"
        assert shown[code]["standard_code"] == "nd351_2027"
        assert shown[code]["provisional_class"] == klass, code
        household = queries.find_household(session, code)
        assert household is not None
        review = queries.find_review(session, household.id, 2027)
        assert review is not None
        assert (review.standard_code, review.household_class) == ("nd351_2027", klass), code
        assert review.income_per_person == per_person
        assert review.deficiency_count == (3 if answers is THREE else 2)
        assert review.phone_disagreement is None, "the engine and the server agree"
    assert all(s.issues is None for s in session.scalars(select(Submission)))


# --- the support plan on the follow-up visit ---------------------------------------------------

OFFICER = "tuyen@camlo.vn"  # the commune officer of 19603
PASSWORD = "mật-khẩu-thật-dài"


def plan_items_for(session: Session, code: str) -> dict[str, int]:
    """Four open 2025 items of the household (its review year when poor) and one of another
    household, by role: those the visit ticks, those it leaves, one closed meanwhile."""
    commune = find_area_by_code(session, "19603")
    household = queries.find_household(session, code)
    assert commune is not None and household is not None
    organisation = plans.add_organisation(
        session, commune.id, OrganisationKind.COMMUNE_COMMITTEE, "UBND xã Cam Tuyền", ""
    )

    def item(household_id: int, support: str, indicator: str = "", **more: Any) -> int:
        new = plans.NewItem(household_id, 2025, indicator, support, organisation, None, **more)
        return plans.add_item(session, new)

    ids = {
        "latrine": item(household.id, "Hỗ trợ xây nhà tiêu", "latrine"),
        "water": item(household.id, "Lắp bể nước", "water_source"),
        "seeds": item(household.id, "Giống ngô"),
        "closed": item(household.id, "Bò giống", state=PlanState.NOT_POSSIBLE, reason="hết vốn"),
    }
    session.commit()
    return ids


def states_of(session: Session, ids: dict[str, int]) -> dict[str, tuple[PlanState, str]]:
    items = session.scalars(select(PlanItem).where(PlanItem.id.in_(ids.values())))
    by_id = {item.id: (item.state, item.reason) for item in items}
    return {role: by_id[item_id] for role, item_id in ids.items()}


def plan_changes(session: Session) -> list[tuple[str, str | None]]:
    query = select(AuditEvent.target, AuditEvent.details)
    rows = session.execute(query.where(AuditEvent.action == "plan_item_changed"))
    return [(target, details) for target, details in rows]


def edited(xml: bytes, new_id: str, ticked: str) -> bytes:
    """The record edited as Collect edits one: a new instanceID, the old one deprecated, and
    `ticked` (item ids) as the delivered items."""
    root = ET.fromstring(xml)
    instance = next(e for e in root.iter() if local_name(e.tag) == "instanceID")
    old_id, instance.text = instance.text, new_id
    meta = next(e for e in root.iter() if local_name(e.tag) == "meta")
    ET.SubElement(meta, instance.tag.replace("instanceID", "deprecatedID")).text = old_id
    next(e for e in root.iter() if local_name(e.tag) == "delivered_items").text = ticked
    return ET.tostring(root)


def delivered_in_table(base_url: str, app: Flask, session: Session) -> dict[str, str]:
    create_user(
        session,
        email=OFFICER,
        display_name="Cán bộ xã",
        password=PASSWORD,
        role=Role.COMMUNE_OFFICER,
        area_code="19603",
    )
    session.commit()
    officer = signed_in(base_url, OFFICER)
    text = officer.get("/plans/by-indicator?area=19603&period=2025&format=csv").text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    delivered = next(i for i, name in enumerate(rows[0]) if name.startswith("Đã hỗ trợ"))
    return {row[0]: row[delivered] for row in rows[1:] if row}


def test_a_follow_up_visit_marks_the_plan_items_that_arrived_and_the_plan_counts_them(
    app: Flask, phone: Phone, session: Session, live_server: LiveServer
) -> None:
    phone.fill_and_send(
        "household_survey", survey_answers(phone, 2025, 3_000_000, {**GOOD_HOME, "latrine": "none"})
    )
    phone.fill_and_send("household_survey", survey_answers(phone, 2026, 9_000_000, GOOD_HOME))
    session.rollback()
    ids = plan_items_for(session, "1960301-007")
    phone.download()
    listed = phone.forms["followup_visit"][1]["plan_items.csv"].decode()
    assert f"{ids['latrine']},Hỗ trợ xây nhà tiêu (UBND xã Cam Tuyền),1960301-007," in listed
    assert str(ids["closed"]) not in [line.split(",")[0] for line in listed.splitlines()]

    ref = phone.references("followup_visit")
    result = phone.fill_and_send(
        "followup_visit",
        [
            (ref["household"], "1960301-007"),
            (ref["delivered_items"], [str(ids["latrine"])]),
            (ref["impossible_items"], [str(ids["water"])]),
            (ref["impossible_reason"], "Giếng khoan chưa có điện"),
            (ref["income_change"], "same"),
            (ref["member_count"], 3),
            (ref["work_change"], "same"),
            (ref["hi_card_valid"], "no"),
            (ref["loan_active"], "no"),
            (ref["livelihood_support"], "no"),
            (ref["relapse_risk"], "low"),
        ],
    )

    session.rollback()
    assert states_of(session, ids) == {
        "latrine": (PlanState.DELIVERED, ""),
        "water": (PlanState.NOT_POSSIBLE, "Giếng khoan chưa có điện"),
        "seeds": (PlanState.PLANNED, ""),
        "closed": (PlanState.NOT_POSSIBLE, "hết vốn"),
    }
    assert all(s.issues is None for s in session.scalars(select(Submission)))
    changes = plan_changes(session)
    assert sorted(t for t, _ in changes) == sorted(
        [f"plan item {ids['latrine']}", f"plan item {ids['water']}"]
    )
    assert all("follow-up visit" in (d or "") for _, d in changes)
    table = delivered_in_table(live_server.base_url, app, session)
    assert table["Nhà tiêu hợp vệ sinh"] == "1"
    assert table["Nguồn nước sinh hoạt"] == "0"

    # The same record again is a duplicate; an edit that ticks the delivered item again, the
    # item closed meanwhile and another's id moves nothing twice and flags the record.
    again = phone.client.submit(result.xml)
    assert [r.status_code for r in again.responses] == [204, 202]
    ticked = f"{ids['latrine']} {ids['closed']} 99999"
    edit = edited(result.xml, "uuid:0f4b7d0e-5c1a-4e55-9a57-3a1c2d9b7e61", ticked)
    assert [r.status_code for r in phone.client.submit(edit).responses] == [204, 201]

    session.rollback()
    assert (states_of(session, ids)["closed"], states_of(session, ids)["latrine"]) == (
        (PlanState.NOT_POSSIBLE, "hết vốn"),
        (PlanState.DELIVERED, ""),
    )
    assert len(plan_changes(session)) == 2
    [record] = session.scalars(select(Submission).where(Submission.issues.is_not(None))).all()
    assert f"{ids['closed']}, 99999" in (record.issues or "")
    assert session.scalars(select(FollowupVisit)).all(), "the visit itself is applied"
# --- the scoring method (Phiếu B) -------------------------------------------------------------

SCORED = [
    # (place, household number, list year, points above the cut-off, answers, class)
    (RURAL, 31, 2027, 0, THREE, "poor"),  # exactly on the rural cut-off, 3 deficiencies
    (RURAL, 32, 2027, 0, TWO, "near_poor"),  # on it with 2
    (RURAL, 33, 2027, 5, THREE, "not_poor"),  # the next score the sample table gives
    (URBAN, 41, 2027, 0, THREE, "poor"),  # exactly on the urban cut-off
    (URBAN, 42, 2027, 5, TWO, "not_poor"),
]


def test_scored_households_on_both_sides_of_the_cut_offs_land_as_the_cadre_was_shown(
    district_phone: Phone, session: Session
) -> None:
    nd351 = standard_for_year(2027)
    assert nd351.scoring is not None
    ref = district_phone.references("household_survey")
    shown = {}
    for (commune, village), number, _, above, answers, _ in SCORED:
        urban = (commune, village) == URBAN
        table = scoring_table(nd351.scoring, urban=urban)
        code = f"{village}-{number:03d}"
        filled = sound_family_2027(ref, commune, village, code)
        filled.append((ref["income_method"], "score"))
        points = answers_worth(table, nd351.scoring.cutoff(urban) + above)
        filled += [(ref[name], value) for name, value in points.items()]
        filled += [(ref[name], value) for name, value in {**HOME_2027, **answers}.items()]
        result = district_phone.fill_and_send("household_survey", filled)
        shown[code] = {ref.rsplit("/", 1)[-1]: v for ref, v in result.values.items()}

    session.rollback()
    for (commune, village), number, year, above, answers, klass in SCORED:
        code = f"{village}-{number:03d}"
        cutoff = nd351.scoring.cutoff((commune, village) == URBAN)
        assert shown[code]["score_a"] == str(cutoff + above), code
        assert shown[code]["provisional_class"] == klass, code
        household = queries.find_household(session, code)
        assert household is not None
        review = queries.find_review(session, household.id, year)
        assert review is not None
        assert review.household_class == klass, code
        assert review.income_per_person is None, "a scored household has no income asked"
        assert review.deficiency_count == (3 if answers is THREE else 2)
        assert review.phone_disagreement is None, "the engine and the server agree"
    assert all(s.issues is None for s in session.scalars(select(Submission)))


# --- the quick screening (Phiếu A) ------------------------------------------------------------


@pytest.fixture
def screening_phone(app: Flask, session: Session, live_server: LiveServer) -> Phone:
    engine.require_engine()
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_screening.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="19603")
    handset = Phone(CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1"))
    handset.download()
    return handset


SCREENED = [
    # (household number, on the list or applied, signs, result)
    (51, "no", ["car", "pension"], "clearly_not_poor"),
    (52, "yes", ["car"], "needs_survey"),  # listed: always the full survey
    (53, "no", ["none"], "needs_survey"),
]


def test_screened_households_land_with_the_result_the_cadre_was_shown(
    screening_phone: Phone, session: Session
) -> None:
    ref = screening_phone.references("household_screening")
    shown = {}
    for number, listed, signs, _ in SCREENED:
        code = f"1960301-{number:03d}"
        result = screening_phone.fill_and_send(
            "household_screening",
            [
                (ref["commune"], "19603"),
                (ref["village"], "1960301"),
                (ref["household_code"], code),
                (ref["head_name"], "Hồ Văn Lợi"),
                (ref["listed_or_applied"], listed),
                (ref["signs"], signs),
            ],
        )
        shown[code] = {r.rsplit("/", 1)[-1]: v for r, v in result.values.items()}

    session.rollback()
    for number, listed, signs, expected in SCREENED:
        code = f"1960301-{number:03d}"
        assert shown[code]["screening_result"] == expected, code
        screening = find_screening(session, code, 2027)
        assert screening is not None, code
        assert (screening.outcome, screening.listed_or_applied) == (expected, listed == "yes")
        assert screening.signs == " ".join(sorted(set(signs) - {"none"}))
    assert all(s.issues is None for s in session.scalars(select(Submission)))
