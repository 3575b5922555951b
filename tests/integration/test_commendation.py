"""The year's commendation review over real HTTP against `rasoat serve`: a commune officer
proposes a household that left poverty, an upper officer approves or declines it (declining
needs a note), the approved households come out as the signed XLSX an emulation council uses,
with the supports they received and the organisations that helped; a commune officer cannot
decide, a sibling commune's officer cannot name the household, bad input is named by its
field, and every proposal and decision is in the audit log."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.vocabulary import CommendationState, OrganisationKind, PlanState
from server.extensions import blob_store
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.models import (
    Area,
    AuditEvent,
    Commendation,
    Household,
    Organisation,
    PlanItem,
    Responsibility,
)
from tests.integration import test_web_access
from tests.integration.test_web_access import Browser, csrf_of, signed_in
from tests.support.factories import make_app_user
from tests.support.surveys import NOT_POOR, POOR, survey

site = test_web_access.site  # 1960301-001 left poverty in 2026 (poor in 2025, not in 2026)
TUYEN, HIEU, HUYEN = "tuyen@camlo.vn", "hieu@camlo.vn", "huyen@camlo.vn"
EXITED = "1960301-001"
EXITED_19612 = "1961201-001"  # left poverty in 2026 too, in the sibling commune 19612


@pytest.fixture
def review_site(app: Flask, session: Session, site: str) -> str:
    """Beside site's households: an exited household of 19612, and what helped 1960301-001 in
    the plan of 2025 (a delivered well, an item not delivered) and who was in charge of it."""
    phone = find_by_login(session, make_app_user(session, name="Máy khen thưởng").login)
    for year, answers in ((2025, POOR), (2026, NOT_POOR)):
        xml, _ = survey(
            answers,
            review_year=year,
            household_code=EXITED_19612,
            commune="19612",
            village="1961201",
        )
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    commune = session.scalars(select(Area.id).where(Area.code == "19603")).one()
    household = session.scalars(select(Household.id).where(Household.code == EXITED)).one()
    bank = Organisation(area_id=commune, kind=OrganisationKind.VBSP, name="NHCSXH Cam Lộ")
    union = Organisation(area_id=commune, kind=OrganisationKind.WOMENS_UNION, name="Hội Phụ nữ xã")
    idle = Organisation(area_id=commune, kind=OrganisationKind.SCHOOL, name="Trường tiểu học")
    session.add_all([bank, union, idle])
    session.flush()
    session.add_all(
        [
            PlanItem(
                household_id=household,
                period=2025,
                indicator="water_source",
                support="Khoan giếng nước sạch",
                organisation_id=bank.id,
                state=PlanState.DELIVERED,
            ),
            PlanItem(
                household_id=household,
                period=2025,
                indicator="latrine",
                support="Xây nhà tiêu",
                organisation_id=idle.id,
                state=PlanState.PLANNED,
            ),
            Responsibility(organisation_id=union.id, period=2025, household_id=household),
        ]
    )
    session.commit()
    return site


def post(browser: Browser, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    token = csrf_of(browser.get("/commendation?area=19603&period=2026").content)
    return browser.http.post(
        browser.base + path,
        data={"area": "19603", "period": 2026, **data, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )


def state_of(session: Session, code: str) -> CommendationState | None:
    session.rollback()  # see what the server committed
    query = select(Commendation.state).join(Household).where(Household.code == code)
    return session.scalar(query)


def test_a_proposed_household_is_approved_by_an_upper_officer_only(
    review_site: str, session: Session
) -> None:
    tuyen, hieu, huyen = (signed_in(review_site, who) for who in (TUYEN, HIEU, HUYEN))
    exited_list = tuyen.get("/lists/exited?area=19603&period=2026")
    assert "to-commendation" in exited_list.text  # the list of the year leads to its review
    page = tuyen.get("/commendation?area=19603&period=2026")
    assert page.status_code == 200 and EXITED in page.text and "propose-form" in page.text
    assert "decide-form" not in page.text  # a commune officer does not decide
    # The sibling commune's officer cannot name 19603's household, nor see its page.
    outside = post(hieu, "/commendation/propose", {"household": EXITED, "note": "x"})
    assert outside.status_code == 400 and "household" in outside.text
    assert hieu.get("/commendation?area=19603&period=2026").status_code == 403
    assert state_of(session, EXITED) is None

    answer = post(tuyen, "/commendation/propose", {"household": EXITED, "note": "Vươn lên"})
    assert answer.status_code == 302, answer.text[:600]
    assert state_of(session, EXITED) is CommendationState.PROPOSED
    again = post(tuyen, "/commendation/propose", {"household": EXITED})
    assert again.status_code == 400 and "household" in again.text

    # A commune officer cannot approve, even in their own commune.
    assert (
        post(
            tuyen, "/commendation/decide", {"household": EXITED, "decision": "approved"}
        ).status_code
        == 403
    )
    assert state_of(session, EXITED) is CommendationState.PROPOSED
    answer = post(huyen, "/commendation/decide", {"household": EXITED, "decision": "approved"})
    assert answer.status_code == 302, answer.text[:600]
    assert state_of(session, EXITED) is CommendationState.APPROVED

    session.rollback()
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"commendation_proposed", "commendation_approved"} <= actions


def test_declining_needs_a_note_and_a_declined_household_may_be_proposed_again(
    review_site: str, session: Session
) -> None:
    hieu, huyen = signed_in(review_site, HIEU), signed_in(review_site, HUYEN)
    token = csrf_of(hieu.get("/commendation?area=19612&period=2026").content)
    proposed = hieu.http.post(
        hieu.base + "/commendation/propose",
        data={"area": "19612", "period": 2026, "household": EXITED_19612, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert proposed.status_code == 302, proposed.text[:600]
    no_note = post(
        huyen, "/commendation/decide", {"household": EXITED_19612, "decision": "declined"}
    )
    assert no_note.status_code == 400 and "note" in no_note.text
    wrong = post(huyen, "/commendation/decide", {"household": EXITED_19612, "decision": "maybe"})
    assert wrong.status_code == 400 and "decision" in wrong.text
    empty = post(huyen, "/commendation/decide", {"household": "", "decision": "approved"})
    assert empty.status_code == 400 and "household" in empty.text
    not_exited = post(huyen, "/commendation/propose", {"household": "1960301-002"})
    assert not_exited.status_code == 400 and "household" in not_exited.text
    assert state_of(session, EXITED_19612) is CommendationState.PROPOSED
    declined = post(
        huyen,
        "/commendation/decide",
        {"household": EXITED_19612, "decision": "declined", "note": "Chưa đủ hồ sơ"},
    )
    assert declined.status_code == 302
    assert state_of(session, EXITED_19612) is CommendationState.DECLINED
    page = huyen.get("/commendation?area=468&period=2026")
    assert "Chưa đủ hồ sơ" in page.text
    again = post(huyen, "/commendation/propose", {"household": EXITED_19612, "note": "Đã bổ sung"})
    assert again.status_code == 302
    assert state_of(session, EXITED_19612) is CommendationState.PROPOSED


def test_the_approved_households_come_out_as_a_signed_xlsx_with_who_helped_them(
    review_site: str, session: Session
) -> None:
    tuyen, huyen = signed_in(review_site, TUYEN), signed_in(review_site, HUYEN)
    assert (
        post(tuyen, "/commendation/propose", {"household": EXITED, "note": "Vươn lên"}).status_code
        == 302
    )
    assert (
        post(
            huyen, "/commendation/decide", {"household": EXITED, "decision": "approved"}
        ).status_code
        == 302
    )
    answer = huyen.get("/commendation/approved?area=468&period=2026&format=xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [tuple(c for c in r) for r in sheet.iter_rows(values_only=True)]
    texts = [str(c) for r in rows for c in r if c is not None]
    heading = next(r for r in rows if "STT" in r)
    assert [c for c in heading if c] == [
        "STT",
        "Mã hộ",
        "Họ và tên chủ hộ",
        "Thôn",
        "Xã",
        "Năm thoát nghèo",
        "Hỗ trợ đã nhận",
        "Tổ chức đã giúp đỡ",
        "Ghi chú",
    ]
    (household,) = [r for r in rows if EXITED in r]
    cells = dict(zip(heading, household, strict=False))
    assert str(cells["STT"]) == "1" and str(cells["Năm thoát nghèo"]) == "2026"
    assert cells["Hỗ trợ đã nhận"] == "Khoan giếng nước sạch"  # the delivered item only
    assert cells["Tổ chức đã giúp đỡ"] == "NHCSXH Cam Lộ; Hội Phụ nữ xã"
    assert cells["Ghi chú"] == "Vươn lên"
    assert EXITED_19612 not in texts  # not approved
    assert any("THỦ TRƯỞNG ĐƠN VỊ" in t for t in texts)  # the signature block of a report
    assert any("ngày" in t and "tháng" in t for t in texts)
    # A viewer reads no list of households.
    assert (
        signed_in(review_site, "xem@camlo.vn")
        .get("/commendation/approved?area=468&period=2026")
        .status_code
        == 403
    )
