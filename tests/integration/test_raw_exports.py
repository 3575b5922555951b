"""Raw exports of a form's records over real HTTP against `rasoat serve` (issue 16, part 6):
Central's `submissions.csv.zip` and `.csv` and our `submissions.xlsx`, fetched with plain
requests over HTTP Basic, read back (files, BOM, KEY/PARENT_KEY, sheets); names or labels,
split select-multiples, group prefixes; each officer's area as the OData feed's; audited; and
`rasoat export` writing the same file."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import requests
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.cli import main
from server.storage.models import AuditEvent
from tests.integration import test_web_access
from tests.integration.test_central_api import FORM, basic
from tests.support import access_world
from tests.support.access_world import ADMIN, HIEU, TUYEN, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

EXPORT = f"projects/1/forms/{FORM}/submissions"
MEMBERS = f"{FORM}-member"
BOM = b"\xef\xbb\xbf"


def fetch(world: World, suffix: str, email: str = ADMIN, **params: str) -> requests.Response:
    url = f"{world.base}/v1/{EXPORT}{suffix}"
    response = requests.get(
        url, headers=basic(email), params=params, timeout=60, allow_redirects=False
    )
    assert response.status_code == 200, response.text[:500]
    return response


def tables_of_zip(body: bytes) -> dict[str, list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    tables = {}
    for name in archive.namelist():
        data = archive.read(name)
        assert data.startswith(BOM), name
        tables[name] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return tables


def heading(rows: list[dict[str, str]], ending: str) -> str:
    return next(h for h in rows[0] if h.endswith(ending))


def test_the_csv_zip_holds_a_file_per_table_joined_by_keys_as_central_s(world: World) -> None:
    response = fetch(world, ".csv.zip")
    assert response.headers["Content-Type"] == "application/zip"
    assert f'filename="{FORM}.csv.zip"' in response.headers["Content-Disposition"]
    tables = tables_of_zip(response.content)
    assert set(tables) == {f"{FORM}.csv", f"{MEMBERS}.csv"}
    records, members = tables[f"{FORM}.csv"], tables[f"{MEMBERS}.csv"]
    headings = list(records[0])
    assert headings[0] == "SubmissionDate" and "KEY" in headings
    assert headings[-9:][0] == "SubmitterID" and headings[-1] == "FormVersion"
    assert "area-household_code" in headings  # the group as a prefix, as Central's groupPaths
    keys = {row["KEY"] for row in records}
    assert {world.record_19603, world.record_19612} <= keys
    assert list(members[0])[-2:] == ["PARENT_KEY", "KEY"]
    assert {row["PARENT_KEY"] for row in members} <= keys
    of_19603 = [row for row in members if row["PARENT_KEY"] == world.record_19603]
    assert [row["KEY"] for row in of_19603] == [
        f"{world.record_19603}/members/member[{n}]" for n in range(1, 5)
    ]
    assert len({row["KEY"] for row in members}) == len(members)


def test_the_csv_alone_is_the_submissions_file_without_group_prefixes_when_asked(
    world: World,
) -> None:
    body = fetch(world, ".csv", groupPaths="false").content
    assert body.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert "household_code" in rows[0] and "area-household_code" not in rows[0]
    assert {world.record_19603, world.record_19612} <= {row["KEY"] for row in rows}


def test_labels_and_split_multiples_change_headings_and_values(world: World) -> None:
    names = tables_of_zip(fetch(world, ".csv.zip").content)
    labelled = tables_of_zip(
        fetch(world, ".csv.zip", labels="true", splitSelectMultiples="true").content
    )
    members = names[f"{MEMBERS}.csv"]
    assert "m_sex" in members[0]
    assert {row["m_sex"] for row in members} <= {"male", "female", ""}
    shown = labelled[f"{MEMBERS}.csv"]
    assert "Giới tính" in shown[0] and "m_sex" not in shown[0]
    assert {row["Giới tính"] for row in shown} <= {"Nam", "Nữ", ""}

    records = names[f"{FORM}.csv"]
    devices = heading(records, "info_devices")
    assert {row[devices] for row in records if row["KEY"] == world.record_19603} == {"tv"}
    split = labelled[f"{FORM}.csv"]
    tv, radio = heading(split, "/Ti vi"), heading(split, "/Đài, radio")
    row = next(r for r in split if r["KEY"] == world.record_19603)
    assert (row[tv], row[radio]) == ("1", "0")
    names_split = tables_of_zip(fetch(world, ".csv.zip", splitSelectMultiples="true").content)
    assert heading(names_split[f"{FORM}.csv"], "info_devices/tv")


def test_the_xlsx_has_a_sheet_per_table_joined_by_the_same_keys(world: World) -> None:
    response = fetch(world, ".xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [FORM, MEMBERS]
    records = list(book[FORM].iter_rows(values_only=True))
    members = list(book[MEMBERS].iter_rows(values_only=True))
    key = records[0].index("KEY")
    keys = {row[key] for row in records[1:]}
    assert world.record_19603 in keys
    parent, own = members[0][-2:], None
    assert parent == ("PARENT_KEY", "KEY")
    assert {row[-2] for row in members[1:]} <= keys
    own = [row[-1] for row in members[1:] if row[-2] == world.record_19603]
    assert len(own) == 4
    year = records[0].index("area-review_year")
    assert all(isinstance(row[year], int) for row in records[1:])  # typed, as the feed


def test_an_officer_s_export_holds_only_the_records_of_their_commune(world: World) -> None:
    def keys(email: str, **params: str) -> tuple[set[str], set[str]]:
        tables = tables_of_zip(fetch(world, ".csv.zip", email, **params).content)
        records = {row["KEY"] for row in tables[f"{FORM}.csv"]}
        return records, {row["PARENT_KEY"] for row in tables[f"{MEMBERS}.csv"]}

    hieu, hieu_parents = keys(HIEU)
    assert world.record_19612 in hieu and world.record_19603 not in hieu
    assert hieu_parents <= hieu
    tuyen, _ = keys(TUYEN)
    assert world.record_19603 in tuyen and world.record_19612 not in tuyen
    narrowed, _ = keys(ADMIN, area="19612")
    assert narrowed == hieu
    refused = requests.get(
        f"{world.base}/v1/{EXPORT}.csv.zip",
        headers=basic(HIEU),
        params={"area": "19603"},
        timeout=30,
    )
    assert refused.status_code == 403 and refused.json()["code"] == 403.1


def test_an_export_is_audited_as_a_download_of_personal_data(
    world: World, session: Session
) -> None:
    fetch(world, ".xlsx", TUYEN)
    session.rollback()
    targets = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "download")
    ).all()
    assert f"submissions {FORM} (xlsx)" in targets


def test_bad_options_are_refused_naming_the_parameter(world: World) -> None:
    response = requests.get(
        f"{world.base}/v1/{EXPORT}.csv.zip",
        headers=basic(ADMIN),
        params={"splitSelectMultiples": "maybe"},
        timeout=30,
    )
    assert response.status_code == 400 and "splitSelectMultiples" in response.text
    unknown = requests.get(
        f"{world.base}/v1/projects/1/forms/khong_co/submissions.csv.zip",
        headers=basic(ADMIN),
        timeout=30,
    )
    assert unknown.status_code == 404


def test_rasoat_export_writes_the_same_files(app: Flask, world: World, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    zipped = tmp_path / "out.csv.zip"
    result = runner.invoke(
        main,
        [
            "export",
            "--form",
            FORM,
            "--format",
            "csv.zip",
            "--area",
            "19603",
            "--group-prefixes",
            "--out",
            str(zipped),
        ],
    )
    assert result.exit_code == 0, result.output
    tables = tables_of_zip(zipped.read_bytes())
    keys = {row["KEY"] for row in tables[f"{FORM}.csv"]}
    assert world.record_19603 in keys and world.record_19612 not in keys
    assert "area-household_code" in tables[f"{FORM}.csv"][0]

    workbook = tmp_path / "out.xlsx"
    result = runner.invoke(
        main,
        [
            "export",
            "--form",
            FORM,
            "--format",
            "xlsx",
            "--labels",
            "--split-multiples",
            "--out",
            str(workbook),
        ],
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames == [FORM, MEMBERS]
    first = next(book[MEMBERS].iter_rows(values_only=True))
    assert "Giới tính" in first and "household_code" not in first

    refused = runner.invoke(
        main, ["export", "--form", "khong_co", "--out", str(tmp_path / "x.zip")]
    )
    assert refused.exit_code != 0 and "khong_co" in refused.output


def test_the_submissions_page_offers_the_export_with_its_options(world: World) -> None:
    browser = test_web_access.signed_in(world.base, HIEU)
    page = browser.get(f"/submissions?form={FORM}").text
    assert 'id="export"' in page and 'name="splitSelectMultiples"' in page
    response = browser.http.get(
        f"{world.base}/submissions/export",
        params={"form": FORM, "file": "csv.zip", "groupPaths": "true", "labels": "true"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 200, response.text[:300]
    assert f'filename="{FORM}.csv.zip"' in response.headers["Content-Disposition"]
    tables = tables_of_zip(response.content)
    keys = {row["KEY"] for row in tables[f"{FORM}.csv"]}
    assert world.record_19612 in keys and world.record_19603 not in keys
    assert "Giới tính" in tables[f"{MEMBERS}.csv"][0]
    unlabelled = browser.http.get(
        f"{world.base}/submissions/export", params={"form": FORM}, timeout=60
    )
    members = tables_of_zip(unlabelled.content)[f"{MEMBERS}.csv"]
    assert "m_sex" in members[0]
    records = tables_of_zip(unlabelled.content)[f"{FORM}.csv"]
    assert "household_code" in records[0]  # no group prefix unless ticked
