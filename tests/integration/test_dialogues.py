"""Policy dialogues over real HTTP against `rasoat serve`: a dialogue recorded with the
organisations that attended and the problems raised, its follow-up items in the named
households' plan, the dialogue listed for its area and year with its items' progress; a bad
date, no problems, no attendees, a bad line or a household outside the officer's area refuses
the whole record, the field or line named, nothing written; and the record is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent, Dialogue, DialogueAttendee, Household, PlanItem
from tests.integration import test_support_plans
from tests.integration.test_support_plans import TUYEN, organisation, post
from tests.integration.test_web_access import signed_in

site = test_support_plans.site
plans_site = test_support_plans.plans_site
HOUSEHOLD = "1960301-002"  # poor, of commune 19603


def counts(session: Session) -> tuple[int, int]:
    session.rollback()  # see what the server committed
    dialogues = session.scalar(select(func.count()).select_from(Dialogue)) or 0
    items = session.scalar(select(func.count()).select_from(PlanItem)) or 0
    return dialogues, items


def record(browser, **fields: object):  # type: ignore[no-untyped-def]
    return post(
        browser,
        "/dialogues",
        {"area": "19603", "period": 2026, "held_on": "2026-11-20", "problems": "x", **fields},
    )


def test_a_dialogue_is_recorded_and_its_follow_up_items_are_in_the_plan(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    health = organisation(tuyen, session, "Trạm y tế xã")
    follow_ups = (
        f"{HOUSEHOLD} | Hướng dẫn làm thẻ BHYT | {health} | 2027-03-31\n"
        f"\n1960302-003 | Hỗ trợ sửa nhà | {committee}\n"
    )
    answer = record(
        tuyen,
        attendees=[committee, health],
        problems="Người dân chưa biết thủ tục vay vốn, thẻ BHYT hết hạn",
        follow_ups=follow_ups,
    )
    assert answer.status_code == 302, answer.text[:800]
    session.rollback()
    (dialogue,) = session.scalars(select(Dialogue))
    attendees = session.scalars(select(DialogueAttendee.organisation_id))
    assert sorted(attendees) == sorted([committee, health])
    query = select(PlanItem).join(Household).where(Household.code == HOUSEHOLD)
    (item,) = session.scalars(query)
    assert (item.support, item.organisation_id, str(item.planned_date)) == (
        "Hướng dẫn làm thẻ BHYT",
        health,
        "2027-03-31",
    )
    plan = tuyen.get("/plans?area=19603&period=2026&format=csv").text
    assert "Hướng dẫn làm thẻ BHYT" in plan and "Hỗ trợ sửa nhà" in plan
    listed = tuyen.get("/dialogues?area=19603&period=2026&format=csv").text
    assert "2026-11-20" in listed and "thủ tục vay vốn" in listed and "Trạm y tế xã" in listed
    page = tuyen.get("/dialogues?area=19603&period=2026")
    assert page.status_code == 200 and "dialogue-form" in page.text
    assert "dialogue_recorded" in set(session.scalars(select(AuditEvent.action)))
    assert dialogue.period == 2026


def test_a_bad_field_or_line_refuses_the_whole_dialogue_and_names_it(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    before = counts(session)
    good = f"{HOUSEHOLD} | Hướng dẫn vay vốn | {committee}"
    cases: dict[str, dict[str, Any]] = {
        "held_on": {"held_on": "20/11/2026", "attendees": [committee]},
        "problems": {"problems": "  ", "attendees": [committee]},
        "attendees": {"attendees": []},
        "follow_ups, line 2": {
            "attendees": [committee],
            "follow_ups": f"{good}\n1960301-999 | Hỗ trợ | {committee}",
        },
        "follow_ups, line 1": {"attendees": [committee], "follow_ups": f"{HOUSEHOLD} | Hỗ trợ"},
    }
    for field, fields in cases.items():
        answer = record(tuyen, **fields)
        assert answer.status_code == 400, (field, answer.text[:400])
        assert field in answer.text, field
        assert counts(session) == before, field
    # A household of the sibling commune is not 19603's to plan: not named, nothing written.
    outside = record(tuyen, attendees=[committee], follow_ups=f"1961201-001 | Hỗ trợ | {committee}")
    assert outside.status_code == 400 and "follow_ups, line 1" in outside.text
    assert counts(session) == before
