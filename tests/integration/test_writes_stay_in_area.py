"""Writes stay inside the sender's area (issue 13, finding 1), over real HTTP against `rasoat
serve`: a phone of commune 19603 (or the web form of an officer of 19603) that sends a record
naming a village or a household of the sibling commune 19612, or an edit of a 19612 record, is
answered 201 and its record is stored, but 19612's registry is unchanged and the record is
flagged "outside the sender's area". The officers of both communes see it (the other communes'
officers do not) and either may apply it (then it is applied as any record, audited) or reject
it (audited, never applied); `rasoat reclassify` keeps held records out too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.vocabulary import HouseholdClass, ReviewState, Role
from server.services.users import create_user
from server.storage.models import (
    AuditEvent,
    FollowupVisit,
    Household,
    HouseholdReview,
    Submission,
    User,
)
from tests.conftest import TEST_SECRET
from tests.integration import test_web_access
from tests.integration.test_access_pages import any_csrf
from tests.integration.test_web_access import PASSWORD, Browser, signed_in
from tests.integration.test_web_form_pages import page_config
from tests.support import access_world
from tests.support.access_world import ADMIN, DISTRICT, HIEU, TUYEN, VIEWER, World
from tests.support.collect import CollectClient
from tests.support.surveys import NOT_POOR, POOR, survey, visit
from tests.support.web_form import require_bundle

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

OTHER_COMMUNE = "an@camlo.vn"  # an officer of Thanh An (19606), a third sibling commune
OUTSIDE = "Ngoài địa bàn của người gửi"
VILLAGE_19612 = {"commune": "19612", "village": "1961201"}
EXITED_19612 = "1961201-001"  # reviewed by 19612's phone in 2025 (poor) and 2026 (not poor)


@pytest.fixture
def people(world: World, session: Session) -> dict[str, Browser]:
    create_user(
        session,
        email=OTHER_COMMUNE,
        display_name="Cán bộ Thanh An",
        password=PASSWORD,
        role=Role.COMMUNE_OFFICER,
        area_code="19606",
    )
    session.commit()
    emails = (ADMIN, DISTRICT, TUYEN, HIEU, VIEWER, OTHER_COMMUNE)
    return {email: signed_in(world.base, email) for email in emails}


def phone(world: World, name: str = "phone 19603") -> CollectClient:
    token, project = world.tokens[name]
    return CollectClient(f"{world.base}/v1/key/{token}/projects/{project}")


def submission_of(session: Session, instance_id: str) -> Submission:
    session.rollback()  # see what the server committed
    return session.scalars(select(Submission).where(Submission.instance_id == instance_id)).one()


def household(session: Session, code: str) -> Household | None:
    session.rollback()
    return session.scalars(select(Household).where(Household.code == code)).first()


def reviews_of(session: Session, code: str) -> dict[int, int]:
    """period → submission id of the household's reviews."""
    session.rollback()
    query = (
        select(HouseholdReview.period, HouseholdReview.submission_id)
        .join(Household, Household.id == HouseholdReview.household_id)
        .where(Household.code == code)
    )
    return dict(session.execute(query).all())


def assert_flagged(record: Submission) -> None:
    assert record.review_state == ReviewState.HAS_ISSUES
    assert record.issues is not None and record.issues.startswith(OUTSIDE)
    assert "Outside the sender's area" in record.issues


def audited(session: Session, email: str, action: str, instance_id: str) -> list[AuditEvent]:
    session.rollback()
    user = session.scalars(select(User).where(User.email == email)).one()
    query = select(AuditEvent).where(
        AuditEvent.user_id == user.id,
        AuditEvent.action == action,
        AuditEvent.target.contains(instance_id),
    )
    return list(session.scalars(query))


def record_page(instance_id: str, form_id: str = "household_survey") -> str:
    return f"/submissions/{form_id}/{instance_id}"


def decide(browser: Browser, instance_id: str, decision: str) -> int:
    data = {"csrf_token": any_csrf(browser)}
    return browser.post(f"{record_page(instance_id)}/{decision}", data).status_code


def test_a_phone_s_survey_naming_a_village_of_another_commune_is_stored_but_not_applied(
    world: World, session: Session
) -> None:
    xml, instance_id = survey(POOR, household_code="1961201-050", **VILLAGE_19612)

    response = phone(world).post(xml)

    assert response.status_code == 201, response.text
    assert household(session, "1961201-050") is None
    assert_flagged(submission_of(session, instance_id))
    # The cadre reads on the phone that the record waits for an officer, and why.
    assert "phiếu có vấn đề" in response.text and "19612" in response.text
    assert response.headers["X-Rasoat-Review-State"] == "has_issues"


def test_a_phone_s_survey_naming_a_household_of_another_commune_changes_nothing_of_it(
    world: World, session: Session
) -> None:
    before = reviews_of(session, EXITED_19612)
    xml, instance_id = survey(
        POOR,
        review_year=2027,  # a later period: it would take the household back into poverty
        household_code=EXITED_19612,
        head_name="Người mạo danh",
        **VILLAGE_19612,
    )

    response = phone(world).post(xml)

    assert response.status_code == 201, response.text
    found = household(session, EXITED_19612)
    assert found is not None and found.head_name == "Lê Thị Hiếu"
    assert reviews_of(session, EXITED_19612) == before
    assert sorted(before) == [2025, 2026]
    assert_flagged(submission_of(session, instance_id))


def test_a_phone_s_follow_up_visit_to_a_household_of_another_commune_is_not_applied(
    world: World, session: Session
) -> None:
    xml = visit(EXITED_19612, relapse_risk="high")
    instance_id = xml.split(b"<instanceID>")[1].split(b"</instanceID>")[0].decode()

    response = phone(world).post(xml, filename="Followup_2026-11-26_10-00-00.xml")

    assert response.status_code == 201, response.text
    assert session.scalars(select(FollowupVisit)).all() == []
    found = household(session, EXITED_19612)
    assert found is not None and not found.relapse_risk
    assert_flagged(submission_of(session, instance_id))


def test_an_officer_s_web_form_writes_only_inside_the_officer_s_own_area(
    world: World, session: Session
) -> None:
    require_bundle()
    page = signed_in(world.base, TUYEN).get("/f/staff/household_survey")
    assert page.status_code == 200
    prefix = page_config(page.text)["formUrl"].removesuffix("/forms/household_survey.xml")
    xml, instance_id = survey(POOR, household_code="1961201-051", **VILLAGE_19612)
    inside, inside_id = survey(POOR, household_code="1960301-051")

    response = CollectClient(world.base + prefix).post(xml)
    own = CollectClient(world.base + prefix).post(inside)

    assert (response.status_code, own.status_code) == (201, 201)
    assert household(session, "1961201-051") is None
    assert_flagged(submission_of(session, instance_id))
    assert household(session, "1960301-051") is not None, "its own commune: applied"
    assert submission_of(session, inside_id).review_state == ReviewState.RECEIVED


def test_the_officers_of_both_communes_see_a_held_record_and_no_other_commune_does(
    world: World, session: Session, people: dict[str, Browser]
) -> None:
    xml, instance_id = survey(POOR, household_code="1961201-052", **VILLAGE_19612)
    assert phone(world).post(xml).status_code == 201

    pages = {email: b.get(record_page(instance_id)).status_code for email, b in people.items()}
    lists = {
        email: instance_id in b.get("/submissions?form=household_survey").text
        for email, b in people.items()
        if email != VIEWER
    }

    assert pages == {
        ADMIN: 200,
        DISTRICT: 200,
        TUYEN: 200,
        HIEU: 200,
        VIEWER: 403,
        OTHER_COMMUNE: 403,
    }
    assert lists == {ADMIN: True, DISTRICT: True, TUYEN: True, HIEU: True, OTHER_COMMUNE: False}
    shown = people[HIEU].get(record_page(instance_id)).text
    assert OUTSIDE in shown and "Đưa vào sổ hộ" in shown and "Từ chối" in shown


def test_an_officer_of_the_named_commune_applies_a_held_record_and_it_is_audited(
    world: World, session: Session, people: dict[str, Browser]
) -> None:
    xml, instance_id = survey(POOR, household_code="1961201-053", **VILLAGE_19612)
    assert phone(world).post(xml).status_code == 201
    assert decide(people[OTHER_COMMUNE], instance_id, "apply") == 403

    assert decide(people[HIEU], instance_id, "apply") == 302

    applied = household(session, "1961201-053")
    assert applied is not None and applied.head_name == POOR["head_name"]
    assert list(reviews_of(session, "1961201-053")) == [2026]
    record = submission_of(session, instance_id)
    assert (record.review_state, record.issues) == (ReviewState.RECEIVED, None)
    assert len(audited(session, HIEU, "submission.apply", instance_id)) == 1
    assert decide(people[TUYEN], instance_id, "apply") == 409, "decided already"
    assert people[TUYEN].get(record_page(instance_id)).status_code == 200, "the sender's too"


def test_an_officer_of_the_sender_s_commune_rejects_a_held_record_and_it_is_never_applied(
    world: World, session: Session, people: dict[str, Browser]
) -> None:
    xml, instance_id = survey(POOR, household_code="1961201-054", **VILLAGE_19612)
    assert phone(world).post(xml).status_code == 201

    assert decide(people[TUYEN], instance_id, "reject") == 302

    assert household(session, "1961201-054") is None
    assert submission_of(session, instance_id).review_state == ReviewState.REJECTED
    assert len(audited(session, TUYEN, "submission.reject", instance_id)) == 1
    assert decide(people[HIEU], instance_id, "apply") == 409
    assert household(session, "1961201-054") is None


def test_an_edit_by_another_commune_s_phone_is_held_and_the_earlier_version_stays_applied(
    world: World, session: Session, people: dict[str, Browser]
) -> None:
    code = "1961201-002"  # world.record_19612, sent by 19612's own phone
    before = reviews_of(session, code)
    edit, _ = survey(
        NOT_POOR,  # would take the household off the poverty list
        deprecated_id=world.record_19612,
        household_code=code,
        head_name="Người mạo danh",
        **VILLAGE_19612,
    )

    response = phone(world).post(edit)

    assert response.status_code == 201, response.text
    found = household(session, code)
    assert found is not None and found.head_name == POOR["head_name"]
    assert reviews_of(session, code) == before
    assert_flagged(submission_of(session, world.record_19612))
    for email in (TUYEN, HIEU):  # the editor's officers see it, and the record's own
        assert people[email].get(record_page(world.record_19612)).status_code == 200

    assert decide(people[HIEU], world.record_19612, "apply") == 302
    found = household(session, code)
    assert found is not None and found.head_name == "Người mạo danh", "applied when decided"


def test_an_edit_cannot_move_another_commune_s_household_into_the_editor_s_own(
    world: World, session: Session
) -> None:
    before = reviews_of(session, "1961201-002")
    edit, _ = survey(POOR, deprecated_id=world.record_19612, household_code="1960301-077")

    response = phone(world).post(edit)  # names a village of 19603, the phone's own commune

    assert response.status_code == 201, response.text
    assert household(session, "1960301-077") is None
    assert reviews_of(session, "1961201-002") == before
    assert_flagged(submission_of(session, world.record_19612))


def test_an_edit_by_the_record_s_own_commune_is_applied_as_before(
    world: World, session: Session
) -> None:
    code = "1961201-002"
    edit, _ = survey(
        POOR,
        deprecated_id=world.record_19612,
        household_code=code,
        head_name="Lê Văn Sửa",
        **VILLAGE_19612,
    )

    assert phone(world, "phone 19612").post(edit).status_code == 201

    found = household(session, code)
    assert found is not None and found.head_name == "Lê Văn Sửa"
    assert submission_of(session, world.record_19612).review_state == ReviewState.RECEIVED


def test_reclassify_keeps_held_records_out_unless_an_officer_applied_them(
    world: World, session: Session, people: dict[str, Browser], database_url: str, data_dir: Path
) -> None:
    held, held_id = survey(POOR, household_code="1961201-055", **VILLAGE_19612)
    applied, applied_id = survey(POOR, household_code="1961201-056", **VILLAGE_19612)
    edit, _ = survey(
        NOT_POOR, deprecated_id=world.record_19612, household_code="1961201-002", **VILLAGE_19612
    )
    for xml in (held, applied, edit):
        assert phone(world).post(xml).status_code == 201
    assert decide(people[HIEU], applied_id, "apply") == 302
    before = reviews_of(session, "1961201-002")

    env = {
        **os.environ,
        "RASOAT_DATABASE_URL": database_url,
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_SECRET_KEY": TEST_SECRET,
    }
    subprocess.run(
        [sys.executable, "-m", "server", "reclassify", "--period", "2026"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )

    assert household(session, "1961201-055") is None
    assert_flagged(submission_of(session, held_id))
    assert list(reviews_of(session, "1961201-056")) == [2026]
    assert reviews_of(session, "1961201-002") == before, "the earlier version stays applied"
    session.rollback()
    review = session.scalars(
        select(HouseholdReview).where(HouseholdReview.submission_id == before[2026])
    ).one()
    assert review.household_class == HouseholdClass.POOR
    assert_flagged(submission_of(session, world.record_19612))
