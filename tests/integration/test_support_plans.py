"""Support plans over real HTTP against `rasoat serve`: organisations created and imported,
plan items created in bulk from the deficiency list with filters, the gap table a household
enters and leaves, overdue items, an item edited, the plan's XLSX exported, changed and
imported back, bad files refused whole with their line and column named, an officer refused
outside their commune, and every change in the audit log."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import requests
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import PlanState
from server.extensions import blob_store
from server.services.submissions import IncomingSubmission, receive_submission
from server.storage.app_users import find_by_login
from server.storage.models import AuditEvent, Household, Organisation, PlanItem
from server.storage.plans import NewItem, add_item
from tests.integration import test_web_access
from tests.integration.test_web_access import Browser, csrf_of, signed_in
from tests.support.collect import with_device_id
from tests.support.factories import make_app_user, publish_form
from tests.support.surveys import NOT_POOR, POOR, survey

site = test_web_access.site  # areas, the household survey, 1960301-001 and -002, the people
TUYEN, HIEU = "tuyen@camlo.vn", "hieu@camlo.vn"  # commune officers of 19603 and of 19612
MERIT_HOUSEHOLD = "1960302-003"  # poor, of a person of merit, in commune 19603
OTHER_COMMUNE = "1961201-001"  # poor, in the sibling commune 19612
LATER = "2027-03-31"
SECOND_EXIT = "1960302-011"  # poor in 2025, not in 2026: on commune 19603's follow-up list


@pytest.fixture
def plans_site(app: Flask, session: Session, site: str) -> str:
    """Beside site's households: a poor merit household of 19603 and a poor one of 19612."""
    phone = find_by_login(session, make_app_user(session, name="Máy kế hoạch").login)
    records = (
        survey(POOR, household_code=MERIT_HOUSEHOLD, village="1960302", groups="nguoi_co_cong"),
        survey(POOR, household_code=OTHER_COMMUNE, commune="19612", village="1961201"),
    )
    for xml, _ in records:
        receive_submission(session, blob_store(app), phone, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    session.commit()
    return site


def post(
    browser: Browser, path: str, data: dict[str, object], files: dict[str, object] | None = None
):  # type: ignore[no-untyped-def]
    token = csrf_of(browser.get("/plans?area=19603&period=2026").content)
    return browser.http.post(
        browser.base + path,
        data={**data, "csrf_token": token},
        files=files,
        allow_redirects=False,
        timeout=30,
    )


def organisation(browser: Browser, session: Session, name: str, area: str = "19603") -> int:
    answer = post(
        browser,
        "/organisations",
        {"area": area, "kind": "commune_committee", "name": name, "contact": "0233 3871 234"},
    )
    assert answer.status_code == 302, answer.text[:600]
    session.rollback()
    found = session.scalar(select(Organisation.id).where(Organisation.name == name))
    assert found is not None
    return found


def household_id(session: Session, code: str) -> int:
    session.rollback()
    found = session.scalar(select(Household.id).where(Household.code == code))
    assert found is not None, code
    return found


def items_of(session: Session, code: str) -> list[PlanItem]:
    session.rollback()  # see what the server committed
    query = select(PlanItem).join(Household).where(Household.code == code).order_by(PlanItem.id)
    return list(session.scalars(query))


def count_items(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(PlanItem)) or 0


def bulk(browser: Browser, organisation_id: int, **filters: object):  # type: ignore[no-untyped-def]
    data = {
        "area": "19603",
        "period": 2026,
        "indicator": "water_source",
        "household_class": "",
        "group": "",
        "organisation": organisation_id,
        "planned_date": LATER,
        **filters,
    }
    return post(browser, "/plans/bulk", data)


def gap_codes(browser: Browser) -> set[str]:
    text = browser.get("/plans/gap?area=19603&period=2026&format=csv").text
    return set(re.findall(r"19603\d\d-\d\d\d", text))


def test_an_organisation_is_created_and_a_csv_of_them_imported_or_refused_whole(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    organisation(tuyen, session, "UBND xã Cam Tuyền")
    good = (
        "area_code,kind,name,contact\n"
        "19603,Hội Liên hiệp Phụ nữ,Hội Phụ nữ xã,\n"
        "1960301,youth_union,Chi đoàn thôn,\n"
    )
    answer = post(tuyen, "/organisations/import", {}, {"file": ("to_chuc.csv", good.encode())})
    assert answer.status_code == 302
    session.rollback()
    before = session.scalar(select(func.count()).select_from(Organisation))
    bad = "area_code,kind,name,contact\n19603,school,Trường tiểu học,\n19603,church,Nhà thờ,\n"
    answer = post(tuyen, "/organisations/import", {}, {"file": ("to_chuc.csv", bad.encode())})
    assert answer.status_code == 400
    assert "line 3, column kind" in answer.text
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Organisation)) == before == 3
    page = tuyen.get("/organisations?area=19603")
    assert page.status_code == 200 and "Hội Phụ nữ xã" in page.text and "Chi đoàn thôn" in page.text
    # The sibling commune's organisations are not 19603's officer's to add.
    outside = "area_code,kind,name,contact\n19612,school,Trường Cam Hiếu,\n"
    answer = post(tuyen, "/organisations/import", {}, {"file": ("x.csv", outside.encode())})
    assert answer.status_code == 400 and "line 2, column area_code" in answer.text


def test_bulk_creation_follows_the_filters_and_skips_what_is_planned_already(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert bulk(tuyen, committee, group="merit").status_code == 302
    assert [i.indicator for i in items_of(session, MERIT_HOUSEHOLD)] == ["water_source"]
    assert items_of(session, "1960301-002") == []
    assert bulk(tuyen, committee).status_code == 302
    merit_items = items_of(session, MERIT_HOUSEHOLD)
    assert len(merit_items) == 1  # planned already: no second item
    (item,) = items_of(session, "1960301-002")
    assert item.planned_date == date(2027, 3, 31) and item.state == PlanState.PLANNED
    assert item.support.startswith("")  # the standard's support for water
    assert items_of(session, OTHER_COMMUNE) == []  # another commune: never in 19603's plan
    assert items_of(session, "1960301-001") == []  # not poor in 2026
    # Near-poor only: none of these poor households.
    assert (
        bulk(tuyen, committee, indicator="latrine", household_class="near_poor").status_code == 302
    )
    assert all(i.indicator == "water_source" for i in items_of(session, MERIT_HOUSEHOLD))


def test_a_household_is_in_the_gap_table_until_something_is_planned_for_it(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert gap_codes(tuyen) == {"1960301-002", MERIT_HOUSEHOLD}
    assert bulk(tuyen, committee, group="merit").status_code == 302
    assert gap_codes(tuyen) == {"1960301-002"}
    assert bulk(tuyen, committee, indicator="internet").status_code == 302
    assert gap_codes(tuyen) == set()


def test_an_open_item_past_its_date_is_overdue_until_delivered(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    past = (date.today() - timedelta(days=3)).isoformat()
    assert bulk(tuyen, committee, planned_date=past).status_code == 302
    overdue = tuyen.get("/plans/overdue?area=19603&period=2026&format=csv").text
    assert "1960301-002" in overdue and MERIT_HOUSEHOLD in overdue
    (item,) = items_of(session, "1960301-002")
    answer = post(tuyen, f"/plans/items/{item.id}", {"state": "delivered", "planned_date": past})
    assert answer.status_code == 302
    overdue = tuyen.get("/plans/overdue?area=19603&period=2026&format=csv").text
    assert "1960301-002" not in overdue and MERIT_HOUSEHOLD in overdue
    by_indicator = tuyen.get("/plans/by-indicator?area=19603&period=2026&format=csv").text
    assert "Nguồn nước" in by_indicator or "nước" in by_indicator.lower()


def test_an_item_is_edited_by_the_rules_of_its_states(plans_site: str, session: Session) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert bulk(tuyen, committee).status_code == 302
    (item,) = items_of(session, "1960301-002")
    page = tuyen.get(f"/plans/items/{item.id}")
    assert page.status_code == 200 and "1960301-002" in page.text
    refused = post(tuyen, f"/plans/items/{item.id}", {"state": "not_possible", "reason": ""})
    assert refused.status_code == 400 and "reason" in refused.text
    wrong_date = post(
        tuyen, f"/plans/items/{item.id}", {"state": "planned", "planned_date": "31/03/2027"}
    )
    assert wrong_date.status_code == 400 and "planned_date" in wrong_date.text
    answer = post(
        tuyen,
        f"/plans/items/{item.id}",
        {"state": "in_progress", "planned_date": "2027-04-30", "amount": "1500000", "unit": "đồng"},
    )
    assert answer.status_code == 302
    (item,) = items_of(session, "1960301-002")
    assert (item.state, item.planned_date, item.amount) == (
        PlanState.IN_PROGRESS,
        date(2027, 4, 30),
        1_500_000,
    )
    assert post(tuyen, f"/plans/items/{item.id}", {"state": "delivered"}).status_code == 302
    back = post(tuyen, f"/plans/items/{item.id}", {"state": "planned"})
    assert back.status_code == 400  # a delivered support stays delivered
    assert items_of(session, "1960301-002")[0].state == PlanState.DELIVERED


def sheet_of(browser: Browser) -> bytes:
    answer = browser.get("/plans/sheet?area=19603&period=2026")
    assert answer.status_code == 200, answer.text[:400]
    return answer.content


def edited(
    data: bytes, changes: dict[tuple[int, str], object], extra: list[list[object]] = ()
) -> bytes:  # type: ignore[assignment]
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    codes = [c.value for c in sheet[2]]
    for (row, code), value in changes.items():
        sheet.cell(row=row, column=codes.index(code) + 1, value=value)
    for values in extra:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser: Browser, data: bytes):  # type: ignore[no-untyped-def]
    return post(
        browser,
        "/plans/import",
        {"area": "19603", "period": 2026},
        {"file": ("ke_hoach.xlsx", data)},
    )


def test_the_plan_goes_out_as_xlsx_and_comes_back_changed(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert bulk(tuyen, committee).status_code == 302
    data = sheet_of(tuyen)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("item", "household") and len(rows) == 4  # two items
    new_row = [
        "",
        MERIT_HOUSEHOLD,
        "",
        "",
        "Tặng bò giống",
        committee,
        "",
        "2027-06-01",
        1,
        "con",
        "planned",
        "",
    ]
    changed = edited(data, {(3, "state"): "Đã hỗ trợ"}, [new_row])
    answer = upload(tuyen, changed)
    assert answer.status_code == 302, answer.text[:800]
    first = rows[2][1]
    assert items_of(session, str(first))[0].state == PlanState.DELIVERED
    cows = [i for i in items_of(session, MERIT_HOUSEHOLD) if i.support == "Tặng bò giống"]
    assert len(cows) == 1 and cows[0].planned_date == date(2027, 6, 1) and cows[0].unit == "con"
    # Once more, unchanged: nothing new, nothing moves.
    before = count_items(session)
    assert upload(tuyen, sheet_of(tuyen)).status_code == 302
    assert count_items(session) == before


@pytest.mark.parametrize(
    ("cell", "value", "named"),
    [
        ("household", "1960399-999", "line 4, column B (household)"),
        ("household", OTHER_COMMUNE, "line 4, column B (household)"),  # another commune's
        ("organisation", 999999, "line 4, column F (organisation)"),
        ("planned_date", "31/03/2027", "line 4, column H (planned_date)"),
        ("state", "finished", "line 4, column K (state)"),
    ],
)
def test_a_bad_cell_refuses_the_whole_plan_file_naming_its_line_and_column(
    plans_site: str, session: Session, cell: str, value: object, named: str
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert bulk(tuyen, committee).status_code == 302
    data = sheet_of(tuyen)
    # Line 3 is good and would be written (delivered); line 4 is bad: nothing is written.
    bad = edited(data, {(3, "state"): "delivered", (4, cell): value})
    before = [
        (i.id, i.state)
        for i in items_of(session, "1960301-002") + items_of(session, MERIT_HOUSEHOLD)
    ]
    answer = upload(tuyen, bad)
    assert answer.status_code == 400
    assert named in answer.text, answer.text[:2000]
    after = [
        (i.id, i.state)
        for i in items_of(session, "1960301-002") + items_of(session, MERIT_HOUSEHOLD)
    ]
    assert after == before


def test_an_officer_plans_only_inside_their_commune(plans_site: str, session: Session) -> None:
    tuyen, hieu = signed_in(plans_site, TUYEN), signed_in(plans_site, HIEU)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    hieu_committee = organisation(hieu, session, "UBND xã Cam Hiếu", area="19612")
    assert bulk(tuyen, committee).status_code == 302
    (item,) = items_of(session, "1960301-002")
    # 19612's officer: not 19603's plan, nor its items, nor its organisation, nor its file.
    assert bulk(hieu, hieu_committee).status_code == 403
    assert hieu.get("/plans?area=19603&period=2026").status_code == 403
    assert hieu.get(f"/plans/items/{item.id}").status_code == 404
    assert post(hieu, f"/plans/items/{item.id}", {"state": "delivered"}).status_code == 404
    own = {"area": "19612", "organisation": committee}
    answer = bulk(hieu, committee, **own)
    assert answer.status_code == 400 and "organisation" in answer.text
    answer = post(
        hieu, "/organisations", {"area": "19603", "kind": "school", "name": "Trường", "contact": ""}
    )
    assert answer.status_code == 403
    before = count_items(session)
    answer = post(
        hieu,
        "/plans/import",
        {"area": "19603", "period": 2026},
        {"file": ("ke_hoach.xlsx", sheet_of(tuyen))},
    )
    assert answer.status_code == 403
    assert count_items(session) == before
    assert items_of(session, "1960301-002")[0].state == PlanState.PLANNED
    # Within 19612 the officer plans its own household, with its own organisation.
    assert bulk(hieu, hieu_committee, area="19612").status_code == 302
    assert [i.indicator for i in items_of(session, OTHER_COMMUNE)] == ["water_source"]


def test_every_change_and_every_list_read_is_in_the_audit_log(
    plans_site: str, session: Session
) -> None:
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert bulk(tuyen, committee).status_code == 302
    (item,) = items_of(session, "1960301-002")
    assert post(tuyen, f"/plans/items/{item.id}", {"state": "in_progress"}).status_code == 302
    assert upload(tuyen, sheet_of(tuyen)).status_code == 302
    assign = {
        "organisation": committee,
        "period": 2026,
        "household": MERIT_HOUSEHOLD,
        "sponsor": "y",
        "committed": "Sửa nhà",
    }
    assert post(tuyen, "/plans/assign", assign).status_code == 302
    tuyen.get("/plans/gap?area=19603&period=2026")
    sponsored = tuyen.get("/plans/sponsored?area=19603&period=2026&format=csv").text
    assert MERIT_HOUSEHOLD in sponsored and "Sửa nhà" in sponsored
    session.rollback()
    events = session.execute(select(AuditEvent.action, AuditEvent.target)).all()
    actions = {a for a, _ in events}
    assert {
        "organisation_created",
        "plan_items_created",
        "plan_item_changed",
        "plan_imported",
        "responsibility_assigned",
    } <= actions
    targets = {t for a, t in events if a == "download"}
    assert {
        "plan sheet (download)",
        "plan gap (view)",
        "sponsored merit households (download)",
    } <= targets
    assert f"plan item {item.id}" in {t for a, t in events if a == "plan_item_changed"}


def test_a_household_supported_in_2025_shows_its_2026_review_in_the_effect_table(
    plans_site: str, session: Session
) -> None:
    """1960301-001 lacked clean water in 2025, poor; in 2026 it has piped water, not poor."""
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    assert bulk(tuyen, committee, period=2025).status_code == 302
    (item,) = items_of(session, "1960301-001")
    assert post(tuyen, f"/plans/items/{item.id}", {"state": "delivered"}).status_code == 302
    answer = tuyen.get("/plans/effect?area=19603&period=2025&format=csv")
    assert answer.status_code == 200
    lines = answer.text.splitlines()
    water = next(line for line in lines if line.startswith("Nguồn nước") or "nước" in line)
    # households supported, reviewed in 2026, left poverty, still poor, closed, still lacking
    assert water.split(",")[1:] == ["1", "1", "1", "0", "1", "0"], water
    viewer = signed_in(plans_site, "xem@camlo.vn")
    assert viewer.get("/plans/effect?area=19603&period=2025").status_code == 200


# --- the phones' follow-up lists, narrowed to a cadre's own households --------------------------

CADRE = "Nguyễn Thị Lan"  # a village cadre, the name her phone carries too
FOLLOWUP_MEDIA = "forms/followup_visit/attachments"


def phone_list(base: str, token: str, name: str) -> str:
    url = with_device_id(f"{base}/v1/key/{token}/projects/1/{FOLLOWUP_MEDIA}/{name}")
    answer = requests.get(url, headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def test_a_cadre_named_responsible_gets_only_their_households_on_the_phone(
    app: Flask, plans_site: str, session: Session
) -> None:
    """1960301-001 and 1960302-011 of commune 19603 left poverty in 2026; the cadre is named
    for the first; her phone lists it and its items only, the commune's phone both."""
    path = REPO_ROOT / "forms" / "followup_visit.xlsx"
    publish_form(app, session, path.read_bytes(), filename=path.name)
    sender = find_by_login(session, make_app_user(session, name="Máy rà soát").login)
    for year, answers in ((2025, POOR), (2026, NOT_POOR)):
        xml, _ = survey(answers, review_year=year, household_code=SECOND_EXIT, village="1960302")
        receive_submission(session, blob_store(app), sender, IncomingSubmission(xml=xml))  # type: ignore[arg-type]
    session.commit()
    cadre = make_app_user(session, name=" nguyễn thị  LAN ", area_code="19603")
    commune = make_app_user(session, name="Máy xã Cam Tuyền", area_code="19603")
    tuyen = signed_in(plans_site, TUYEN)
    committee = organisation(tuyen, session, "UBND xã Cam Tuyền")
    ids = {code: household_id(session, code) for code in ("1960301-001", SECOND_EXIT)}
    for code, household in ids.items():
        add_item(session, NewItem(household, 2025, "", f"Giống lúa cho {code}", committee, None))
    session.commit()
    before = phone_list(plans_site, cadre.token, "followup_households.csv")
    assert "1960301-001" in before and SECOND_EXIT in before, "named for nobody yet: all"

    assign = {"organisation": committee, "period": 2026, "household": "1960301-001", "cadre": CADRE}
    assert post(tuyen, "/plans/assign", assign).status_code == 302

    lists = {
        (who, name): phone_list(plans_site, phone.token, name)
        for who, phone in (("cadre", cadre), ("commune", commune))
        for name in ("followup_households.csv", "plan_items.csv")
    }
    assert "1960301-001" in lists["cadre", "followup_households.csv"]
    assert SECOND_EXIT not in lists["cadre", "followup_households.csv"]
    assert "Giống lúa cho 1960301-001" in lists["cadre", "plan_items.csv"]
    assert SECOND_EXIT not in lists["cadre", "plan_items.csv"]
    for name in ("followup_households.csv", "plan_items.csv"):
        assert "1960301-001" in lists["commune", name] and SECOND_EXIT in lists["commune", name]

    # Named for a whole village, she gets its households as well.
    village = {"organisation": committee, "period": 2026, "village": "1960302", "cadre": CADRE}
    assert post(tuyen, "/plans/assign", village).status_code == 302
    assert SECOND_EXIT in phone_list(plans_site, cadre.token, "followup_households.csv")
