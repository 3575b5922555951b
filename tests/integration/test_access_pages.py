"""Who may use the downloads and actions of the pages, over real HTTP against `rasoat serve`
(the pages themselves: test_web_access's ROUTES): form versions and XLSForms, a record's files
in either sibling commune, table files, areas, form upload and state, phones, review, a held
record's apply and reject, pledges, lifting a lock, sign-out everywhere and sign-out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import Commitment
from tests.integration import test_web_access
from tests.integration.test_web_access import PEOPLE, Browser, csrf_of, signed_in
from tests.support import access_world
from tests.support.access_world import ADMIN, ALL, DISTRICT, HIEU, TUYEN, VIEWER, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world


Body = Callable[[World], dict[str, Any]]
WebRoute = tuple[str, Callable[[World], str], Body | None, dict[str, int]]


def form(**fields: Any) -> Body:
    return lambda _world: {"data": fields}


def upload(name: str, data: bytes, field: str = "file") -> Body:
    return lambda _world: {"files": {field: (name, data)}}


def record_file(attr: str) -> Callable[[World], str]:
    return lambda world: f"/submissions/household_survey/{getattr(world, attr)}/files/anh_nha.jpg"


def fixed(path: str) -> Callable[[World], str]:
    return lambda _world: path


def only(status: int, *people: str) -> dict[str, int]:
    return dict.fromkeys(people, status)


VERSION = "/forms/household_survey/versions/2026120404"  # the shipped version, forms/common.py
WEB = [  # (method, path, body, {person: status}; anyone else 403, signed out 302 to sign in)
    ("GET", fixed(VERSION), None, only(200, ADMIN, DISTRICT)),
    ("GET", fixed(f"{VERSION}/xlsform"), None, only(200, ADMIN, DISTRICT)),
    ("GET", record_file("record_19603"), None, only(200, ADMIN, DISTRICT, TUYEN)),
    ("GET", record_file("record_19612"), None, only(200, ADMIN, DISTRICT, HIEU)),
    (  # a raw export: the records each officer may read; an area inside their own only
        "GET",
        fixed("/submissions/export?form=household_survey&file=xlsx"),
        None,
        only(200, ADMIN, DISTRICT, TUYEN, HIEU),
    ),
    (
        "GET",
        fixed("/submissions/export?form=household_survey&area=19612&labels=true"),
        None,
        only(200, ADMIN, DISTRICT, HIEU),
    ),
    ("GET", fixed("/reports/followup?area=19612&format=csv"), None, only(200, *ALL) | {TUYEN: 403}),
    (
        "GET",
        fixed("/reports/commitments?area=19603&period=2026&format=xlsx"),
        None,
        only(200, *ALL) | {HIEU: 403},
    ),
    (
        "GET",
        fixed("/lists/due-visits?area=19612&format=xlsx"),
        None,
        only(200, ADMIN, DISTRICT, HIEU),
    ),
    (
        "GET",
        fixed("/lists/exited?area=19603&period=2026&format=csv"),
        None,
        only(200, ADMIN, DISTRICT, TUYEN),
    ),
    (
        "POST",
        fixed("/areas/1961201/households"),
        form(year=2026, households=120),
        only(302, ADMIN, DISTRICT),
    ),
    ("POST", fixed("/areas/import"), upload("vung.csv", b"\xff\xfe not text"), only(400, ADMIN)),
    ("POST", fixed("/forms"), upload("bieu.xlsx", b"not a workbook", "xlsform"), only(400, ADMIN)),
    ("POST", fixed("/forms/household_survey"), form(action="none-such"), only(400, ADMIN)),
    (
        "POST",
        fixed("/phones"),
        form(name="Máy mới", area="19612"),
        only(200, ADMIN, DISTRICT, HIEU),
    ),
    (
        "POST",
        lambda world: f"/submissions/household_survey/{world.record_19612}/review",
        form(state="approved", comment="đã xem"),
        only(302, ADMIN, DISTRICT, HIEU),
    ),
    (  # a record of 19612's own phone, never held: nothing to decide (test_writes_stay_in_area)
        "POST",
        lambda world: f"/submissions/household_survey/{world.record_19612}/apply",
        None,
        only(409, ADMIN, DISTRICT, HIEU),
    ),
    (
        "POST",
        lambda world: f"/submissions/household_survey/{world.record_19612}/reject",
        None,
        only(409, ADMIN, DISTRICT, HIEU),
    ),
    (
        "POST",
        fixed("/reports/commitments"),
        form(area="19612", year=2028, pledged=4),
        # A viewer's valid form is not saved: the page is shown again (see the next test).
        only(302, ADMIN, DISTRICT, HIEU) | {TUYEN: 403, VIEWER: 200},
    ),
    (
        "POST",
        lambda world: f"/phones/{world.revocable}/revoke",
        None,
        only(302, ADMIN, DISTRICT, HIEU) | {TUYEN: 404},
    ),
    # The Users page's writes, with a body each refuses before anything is written: an empty
    # new account (the form's own check), a person no one has (test_access_writes: the rest).
    ("POST", fixed("/users"), form(email="", name=""), only(400, ADMIN, DISTRICT, TUYEN, HIEU)),
    *(
        (
            "POST",
            fixed(f"/users/{change}"),
            form(email="ai@dau.vn", value="viewer"),
            only(404, ADMIN, DISTRICT, TUYEN, HIEU),
        )
        for change in ("role", "move", "disable", "enable", "reset-password")
    ),
    # Lifting the lock of an account that is not locked changes nothing (and is logged).
    ("POST", fixed("/audit/unlock"), form(email="xem@camlo.vn"), only(302, ADMIN)),
    # Support plans: an officer outside the area named is refused (403) before anything is
    # read; inside it, these bodies name no organisation (or a kind that does not exist) and
    # are refused (400), so each person's try changes nothing (test_access_writes: writes).
    ("GET", fixed("/plans/items/999999"), None, only(404, ADMIN, DISTRICT, TUYEN, HIEU)),
    (
        "POST",
        fixed("/plans/items/999999"),
        form(state="delivered"),
        only(404, ADMIN, DISTRICT, TUYEN, HIEU),
    ),
    (
        "POST",
        fixed("/organisations"),
        form(area="19612", kind="church", name="Nhà thờ", contact=""),
        only(400, ADMIN, DISTRICT, HIEU) | {TUYEN: 403},
    ),
    (
        "POST",
        fixed("/organisations/import"),
        upload("to_chuc.csv", b"area_code,kind,name,contact\n19612,church,X,\n"),
        only(400, ADMIN, DISTRICT, HIEU, TUYEN),
    ),
    (
        "POST",
        fixed("/plans/bulk"),
        form(area="19612", period=2026, indicator="water_source", organisation=999999),
        only(400, ADMIN, DISTRICT, HIEU) | {TUYEN: 403},
    ),
    (
        "POST",
        fixed("/plans/assign"),
        form(organisation=999999, period=2026, village="1961201"),
        only(400, ADMIN, DISTRICT, HIEU, TUYEN),
    ),
    (
        "POST",
        fixed("/plans/import"),
        lambda _world: {
            "data": {"area": "19612", "period": 2026},
            "files": {"file": ("ke_hoach.xlsx", b"not a workbook")},
        },
        only(400, ADMIN, DISTRICT, HIEU) | {TUYEN: 403},
    ),
    # Commendation: outside one's area the household is not named (400), as if it did not
    # exist; a commune officer or a viewer does not decide (403). Nothing is written.
    (
        "POST",
        fixed("/commendation/propose"),
        form(area="19612", period=2026, household="1961201-999"),
        only(400, ADMIN, DISTRICT, HIEU, TUYEN),
    ),
    (
        "POST",
        fixed("/commendation/decide"),
        form(area="19612", period=2026, household="1961201-999", decision="approved"),
        only(400, ADMIN, DISTRICT),
    ),
    # A dialogue naming an organisation no one has is refused whole (400) inside one's area.
    (
        "POST",
        fixed("/dialogues"),
        form(area="19612", period=2026, held_on="2026-11-20", problems="x", attendees="999999"),
        only(400, ADMIN, DISTRICT, HIEU),
    ),
    # Last: these two sign each person out (signed out, both send to the sign-in page).
    ("POST", fixed("/account/sign-out-everywhere"), None, only(302, *ALL)),
    ("POST", fixed("/logout"), None, only(302, *ALL)),
]


def any_csrf(browser: Browser) -> str:
    """The person's CSRF token (the page menu's sign-out form has it; signed out: sign-in)."""
    page = browser.get("/").content
    return csrf_of(page if b"csrf_token" in page else browser.get("/login").content)


def send_page(browser: Browser, world: World, method: str, path: str, body: Body | None) -> int:
    if method == "GET":
        return browser.get(path).status_code
    token = any_csrf(browser)
    parts = body(world) if body else {"data": {}}
    data = {**parts.get("data", {}), "csrf_token": token}
    response = browser.http.post(
        world.base + path, data=data, files=parts.get("files"), allow_redirects=False, timeout=30
    )
    return response.status_code


def test_every_download_and_action_of_the_pages_answers_each_role_and_area(
    world: World, session: Session
) -> None:
    people = {email: signed_in(world.base, email) for email in PEOPLE}
    anonymous = Browser(world.base)
    wrong = []
    for method, path_of, body, allowed in WEB:
        path = path_of(world)
        if (got := send_page(anonymous, world, method, path, body)) != 302:
            wrong.append(("signed out", method, path, got))
        for email, browser in people.items():
            expected = allowed.get(email, 403)
            if (got := send_page(browser, world, method, path, body)) != expected:
                wrong.append((email, method, path, got, expected))
    assert wrong == []


def test_a_viewers_pledge_is_not_saved(world: World, session: Session) -> None:
    viewer = signed_in(world.base, VIEWER)
    data = {"area": "19612", "year": "2029", "pledged": "77", "csrf_token": any_csrf(viewer)}
    assert viewer.post("/reports/commitments", data).status_code == 200
    session.rollback()
    assert session.scalars(select(Commitment).where(Commitment.year == 2029)).all() == []
