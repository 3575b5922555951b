"""Records posted over OpenRosa are classified under the standard of their list year: NĐ 351
for the 2027 list, NĐ 07 for corrections of 2026; a list year without a standard is stored and
flagged with the reason, never classified under a neighbouring standard."""

from __future__ import annotations

import io

import pytest
import requests
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import Role
from server.services.users import create_user
from server.storage import registry as queries
from server.storage.models import HouseholdReview, Submission
from tests.support.collect import CollectClient
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.surveys import NEAR_POOR, survey

# NĐ 351's questions instead of NĐ 07's devices; 4 members at 2,200,000 each (rural line).
LIST_2027 = {
    **{k: v for k, v in NEAR_POOR.items() if k not in ("uses_internet", "info_devices")},
    "review_year": 2027,
    "hears_loudspeaker": None,
    "household_income_month": 8_800_000,
    "internet_access": "none",
    "digital_services": "none",
    "waste_treatment": "burned",
}


@pytest.fixture
def phone(app: Flask, session: Session, live_server: LiveServer) -> CollectClient:
    make_areas(session)
    path = REPO_ROOT / "forms" / "household_survey.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    new = make_app_user(session, area_code="19603")
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


def review_of(session: Session, code: str, period: int) -> HouseholdReview | None:
    session.rollback()
    household = queries.find_household(session, code)
    return queries.find_review(session, household.id, period) if household else None


def test_a_2027_record_is_classified_under_nd351_with_its_new_indicators(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(LIST_2027, standard_code="nd351_2027")
    assert phone.post(xml).status_code == 201
    review = review_of(session, "1960301-001", 2027)
    assert review is not None
    assert (review.standard_code, review.household_class) == ("nd351_2027", "poor")
    assert review.income_per_person == 2_200_000
    assert queries.deficiencies_of(session, review.id) == {
        "digital_services",
        "internet_access",
        "waste_treatment",
    }
    assert review.phone_disagreement is None


def test_the_same_household_for_the_2026_list_is_still_judged_by_nd07(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey({**LIST_2027, "review_year": 2026}, standard_code="nd07_2022")
    assert phone.post(xml).status_code == 201
    review = review_of(session, "1960301-001", 2026)
    assert review is not None
    # 2,200,000 is above NĐ 07's rural line (1,500,000) and NĐ 351's answers are not read.
    assert (review.standard_code, review.household_class) == ("nd07_2022", "middle")
    assert queries.deficiencies_of(session, review.id) == set()


def test_a_phone_that_judged_the_list_year_by_another_standard_is_recorded(
    phone: CollectClient, session: Session
) -> None:
    xml, _ = survey(LIST_2027, standard_code="nd07_2022")
    assert phone.post(xml).status_code == 201
    review = review_of(session, "1960301-001", 2027)
    assert review is not None
    assert review.standard_code == "nd351_2027", "the server classifies by the list year"
    assert "standard_code: phone nd07_2022, server nd351_2027" in (review.phone_disagreement or "")


@pytest.mark.parametrize("list_year", [2031, 2015])
def test_a_list_year_without_a_standard_is_stored_and_flagged_not_classified(
    phone: CollectClient, session: Session, list_year: int
) -> None:
    xml, _ = survey(LIST_2027, review_year=list_year)
    assert phone.post(xml).status_code == 201, "kept, never bounced"
    session.rollback()
    [submission] = session.scalars(select(Submission)).all()
    assert submission.issues == (
        f"Không có chuẩn nghèo cho danh sách năm {list_year} (các chuẩn hiện có áp dụng cho "
        "danh sách các năm 2016–2030); phiếu được lưu nhưng chưa phân loại. / No poverty "
        f"standard applies to the {list_year} list (the standards cover the lists of "
        "2016–2030); the record is kept but not classified."
    )
    assert session.scalars(select(HouseholdReview)).all() == []


PASSWORD = "mật-khẩu-dài-đủ"
ND351_CAPTION = (
    "Chuẩn nghèo đa chiều quốc gia giai đoạn 2026–2030 (áp dụng từ năm 2027) (ngưỡng tạm, chờ "
    "văn bản hướng dẫn; mức sống trung bình = 1,5 × chuẩn nghèo là lựa chọn thiết kế)"
)
# 2026 is the transition year: NĐ 07 classifies it, and its tables say so in the form's words.
ND07_CAPTION = "Chuẩn nghèo đa chiều giai đoạn 2022–2025, áp dụng cho năm 2026"


def test_every_table_of_a_list_year_names_its_standard_in_the_words_of_its_data_file(
    phone: CollectClient, session: Session, live_server: LiveServer
) -> None:
    for answers in (LIST_2027, {**LIST_2027, "review_year": 2026}):
        xml, _ = survey(answers)
        assert phone.post(xml).status_code == 201
    create_user(
        session,
        email="huyen@camlo.vn",
        display_name="Huyện",
        password=PASSWORD,
        role=Role.UPPER_OFFICER,
        area_code="468",
    )
    session.commit()
    api = f"{live_server.base_url}/v1"
    signed_in = requests.post(
        f"{api}/sessions", json={"email": "huyen@camlo.vn", "password": PASSWORD}, timeout=10
    )
    auth = {"Authorization": f"Bearer {signed_in.json()['token']}"}

    def subtitle(path: str) -> str:
        response = requests.get(f"{api}{path}", headers=auth, timeout=10)
        assert response.status_code == 200, response.text
        return str(response.json()["subtitle"])

    for period, caption in ((2027, ND351_CAPTION), (2026, ND07_CAPTION)):
        assert subtitle(f"/reports/summary?area=468&period={period}") == (
            f"Huyện Cam Lộ — năm {period} — {caption}"
        )
        assert subtitle(f"/lists/deficiencies?area=468&period={period}").endswith(
            f"— năm {period} — {caption}"
        )
        assert subtitle(f"/lists/exited?area=468&period={period}").endswith(caption)
    workbook = requests.get(
        f"{api}/reports/summary?area=468&period=2027&format=xlsx", headers=auth, timeout=10
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert sheet["A2"].value == f"Huyện Cam Lộ — năm 2027 — {ND351_CAPTION}"
