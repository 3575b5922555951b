"""Choice lists generated per phone: each phone gets its own area's villages, and the manifest
hash changes only when that phone's list changes (so Collect re-downloads only then)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from server.services.areas import import_areas_csv
from tests.support.collect import CollectClient, parse_manifest
from tests.support.factories import make_app_user, make_areas, publish_form
from tests.support.live_server import LiveServer
from tests.support.xlsforms import xlsform

VILLAGE_FORM = xlsform(
    [
        ["type", "name", "label", "choice_filter"],
        ["select_one_from_file communes.csv", "commune", "Xã", ""],
        ["select_one_from_file villages.csv", "village", "Thôn", "commune=${commune}"],
    ],
    form_id="where",
)


def phone_for(live_server: LiveServer, session: Session, area: str | None) -> CollectClient:
    new = make_app_user(session, area_code=area)
    return CollectClient(f"{live_server.base_url}/v1/key/{new.token}/projects/1")


def lists(phone: CollectClient) -> dict[str, tuple[str, list[str]]]:
    manifest = parse_manifest(phone.get(f"{phone.server_url}/forms/where/manifest").content)
    return {
        m["filename"]: (m["hash"], phone.get(m["downloadUrl"]).text.splitlines()) for m in manifest
    }


def test_a_phone_gets_the_villages_and_communes_of_its_own_area_only(
    app: Flask, session: Session, live_server: LiveServer
) -> None:
    make_areas(session)
    publish_form(app, session, VILLAGE_FORM)

    commune_phone = lists(phone_for(live_server, session, "19603"))
    district_phone = lists(phone_for(live_server, session, "468"))

    assert commune_phone["communes.csv"][1] == ["name,label", "19603,Xã Cam Tuyền"]
    assert commune_phone["villages.csv"][1][1:] == [
        "1960302,Thôn An Mỹ,19603,0",
        "1960301,Thôn Bản Chùa,19603,0",
        "1960303,Thôn Tân Hiệp,19603,0",
    ]
    assert len(district_phone["communes.csv"][1]) == 1 + 8, "the town and 7 communes with villages"
    assert "1960001,Khu phố 1,19600,1" in district_phone["villages.csv"][1]


def test_the_list_hash_changes_only_when_that_phones_list_changes(
    app: Flask, session: Session, live_server: LiveServer
) -> None:
    make_areas(session)
    publish_form(app, session, VILLAGE_FORM)
    tuyen, hieu = phone_for(live_server, session, "19603"), phone_for(live_server, session, "19612")
    before = (lists(tuyen)["villages.csv"][0], lists(hieu)["villages.csv"][0])

    import_areas_csv(
        session, "code,name,level,parent_code,urban\n1960304,Thôn Mới,village,19603,\n"
    )
    session.commit()

    assert lists(tuyen)["villages.csv"][0] != before[0]
    assert lists(hieu)["villages.csv"][0] == before[1]
