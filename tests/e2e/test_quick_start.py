"""From an empty database to a phone's first submission, the way README's quick start goes:
`rasoat serve --demo` migrates, publishes forms/, loads the demo and prints the phone's URL and
QR code; a restart keeps everything; `rasoat app-user` adds and revokes phones."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.config import REPO_ROOT
from tests.conftest import TEST_SECRET
from tests.support.collect import CollectClient, parse_form_list, parse_manifest
from tests.support.database import scratch_database
from tests.support.live_server import LiveServer, free_port, start_server

DEMO_START = 240  # seconds a first start with --demo may take before the server answers

pytestmark = pytest.mark.e2e
URL = re.compile(r"(http://127\.0\.0\.1:\d+/v1/key/[A-Za-z0-9]{64}/projects/1)")


@pytest.fixture
def environment(db_kind: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    with scratch_database(db_kind, tmp_path) as url:
        yield {
            "RASOAT_DATABASE_URL": url,
            "RASOAT_DATA_DIR": str(tmp_path / "data"),
            "RASOAT_SECRET_KEY": TEST_SECRET,
            "RASOAT_FORMS_DIR": str(REPO_ROOT / "forms"),
        }


def rasoat(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "server", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def household_contact_instance(photo: str) -> bytes:
    return (
        '<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms" id="household_contact" version="2026112601">'
        "<village>1960301</village><household_code>CL-0001</household_code>"
        "<head_name>Hồ Văn Lợi</head_name><members>5</members>"
        f"<house_photo>{photo}</house_photo>"
        "<meta><instanceID>uuid:0b6e0c52-quick-start</instanceID></meta></data>"
    ).encode()


def test_a_fresh_install_serves_the_shipped_form_to_the_demo_phone_and_keeps_its_record(
    environment: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    # Loading the demo takes about 10 s on a quiet machine and over a minute on a loaded one.
    server = start_server(environment, tmp_path, "--demo", port=port, timeout=DEMO_START)
    try:
        [url] = URL.findall(server.log())
        phone = CollectClient(url)
        listed = parse_form_list(phone.form_list().content)
        assert {e["formID"] for e in listed} == {
            "household_contact",
            "household_survey",
            "followup_visit",
            "household_screening",
        }, "every shipped form is published on the first start"
        [entry] = [e for e in listed if e["formID"] == "household_contact"]
        assert entry["version"] == "2026112601"
        form = phone.get(entry["downloadUrl"]).content
        assert entry["hash"] == "md5:" + hashlib.md5(form).hexdigest()
        [media] = parse_manifest(phone.get(entry["manifestUrl"]).content)
        villages = phone.get(media["downloadUrl"]).content
        assert media["hash"] == "md5:" + hashlib.md5(villages).hexdigest()
        assert villages.decode().splitlines() == [
            "name,label,commune,urban",
            "1960302,Thôn An Mỹ,19603,0",
            "1960301,Thôn Bản Chùa,19603,0",
            "1960303,Thôn Tân Hiệp,19603,0",
        ], "the demo phone is limited to Cam Tuyền, so it gets Cam Tuyền's villages only"

        upload = phone.submit(household_contact_instance("nha.jpg"), {"nha.jpg": b"\xff\xd8jpeg"})
        assert [r.status_code for r in upload.responses] == [204, 201]
        qr = Path(environment["RASOAT_DATA_DIR"]) / "qr"
        assert (qr / "can-bo-thon-ban-chua-demo.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (qr / "can-bo-thon-ban-chua-demo.svg").read_bytes()
    finally:
        server.stop()

    again = start_server(environment, tmp_path, "--demo", port=port, timeout=DEMO_START)
    try:
        assert URL.findall(again.log()) == [], "the demo is loaded into an empty database only"
        phone = CollectClient(url)
        assert parse_form_list(phone.form_list().content) == listed
        resent = phone.post(household_contact_instance("nha.jpg"), {"nha.jpg": b"\xff\xd8jpeg"})
        assert resent.status_code == 202, "the record survived the restart"
    finally:
        again.stop()


def test_app_user_commands_add_a_phone_with_a_working_url_and_revoke_it(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rasoat(environment, "areas", "import", str(REPO_ROOT / "server/demo/areas.csv"))
    server: LiveServer = start_server(environment, tmp_path)
    env = {**environment, "RASOAT_BASE_URL": server.base_url}
    try:
        out = rasoat(env, "app-user", "create", "--name", "Lê Thị Hoa", "--area", "19606")
        [url] = URL.findall(out)
        assert "le-thi-hoa" in out
        assert CollectClient(url).form_list().status_code == 200
        # Beside Collect's address, the browser link for a cadre without Android, each said for
        # whom, and both QR codes drawn within an 80-column terminal.
        assert "ODK Collect" in out and "trình duyệt" in out
        [browser] = re.findall(rf"{re.escape(server.base_url)}/f/[A-Za-z0-9_-]+", out)
        assert requests.get(browser, timeout=10).status_code == 200
        drawn = [line for line in out.splitlines() if "█" in line or "▀" in line or "▄" in line]
        assert len(drawn) > 40 and max(len(line) for line in drawn) <= 80
        qr = Path(environment["RASOAT_DATA_DIR"]) / "qr"
        assert (qr / "le-thi-hoa-trinh-duyet.png").read_bytes().startswith(b"\x89PNG")

        assert "revoked le-thi-hoa" in rasoat(env, "app-user", "revoke", "le-thi-hoa")
        assert CollectClient(url).form_list().status_code == 403
        assert requests.get(browser, timeout=10).status_code == 403
    finally:
        server.stop()


def test_an_unknown_area_is_refused_with_a_message_naming_it(
    environment: dict[str, str],
) -> None:
    with pytest.raises(subprocess.CalledProcessError) as caught:
        rasoat(environment, "app-user", "create", "--name", "X", "--area", "99999")
    assert "99999" in caught.value.stderr


def test_areas_are_imported_from_csv_and_a_bad_line_is_named(
    environment: dict[str, str], tmp_path: Path
) -> None:
    good = tmp_path / "areas.csv"
    good.write_text(
        "\ufeffcode,name,level,parent_code,urban,households_2026\n"
        "46,Tỉnh Thừa Thiên Huế,province,,,\n4601,Xã A,commune,46,,\n"
        "460101,Thôn 1,village,4601,,120\n",
        encoding="utf-8",
    )
    assert "3 new areas" in rasoat(environment, "areas", "import", str(good))

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code,urban\n47,Tỉnh B,province,,\n4701,Xã C,xã,47,\n")
    with pytest.raises(subprocess.CalledProcessError) as caught:
        rasoat(environment, "areas", "import", str(bad))
    assert "line 3, column level" in caught.value.stderr
