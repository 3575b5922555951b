"""Who may write what, over real HTTP against `rasoat serve`: every route that writes, tried
across areas. Area A is commune 19603, area B its sibling 19612 (both in district 468).

- **Records** (the OpenRosa submission, by a phone's token or Digest, and the officers' web
  form, which posts to the same URLs with the key `web.<user id>`): each sender of one commune
  writes four kinds of record into the other (a new household in its village, its exited
  household for a later list year under another head's name, a follow-up visit to that
  household, an edit of one of its records). A cadre's finished record is never bounced: it is
  answered 201 and stored, the registry of the other commune is unchanged, and the record is
  held and flagged "outside the sender's area" (test_writes_stay_in_area: what officers do then).
- **Actions** of the pages and the JSON API (review, apply and reject, resident households, the
  area import, pledges, phones, forms, lifting a lock, signing out): each role limited to area A
  aims them at area B (or at what every area shares: the area tree, the forms) and is refused,
  or acts on its own keys only, with nothing of area B changed in the database.

Beside them, as controls that each write does write, stand an administrator without an area and
the district officer of 468 (whose area holds both communes). Every cell of both tables is a
fresh write: what it aims at is made for it, and the database is read before and after."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from flask import Flask
from requests.auth import HTTPDigestAuth
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain.vocabulary import CommendationState, OrganisationKind, ReviewState, Role
from server.formats.plan_sheet import write_plan
from server.services.users import create_user
from server.storage.models import (
    ApiSession,
    AppUser,
    AppUserForm,
    Area,
    AreaHouseholds,
    Commendation,
    Commitment,
    FollowupVisit,
    Form,
    FormVersion,
    Household,
    HouseholdReview,
    LoginFailure,
    Organisation,
    PlanItem,
    Responsibility,
    Submission,
    SubmissionComment,
    SubmissionVersion,
    User,
)
from tests.integration import test_web_access
from tests.integration.test_access_api import bearer
from tests.integration.test_access_pages import any_csrf
from tests.integration.test_web_access import PASSWORD, signed_in
from tests.integration.test_web_form_pages import page_config
from tests.support import access_world
from tests.support.access_world import ADMIN, DISTRICT, HIEU, TUYEN, World
from tests.support.collect import CollectClient
from tests.support.factories import make_app_user, publish_form, stage_draft
from tests.support.surveys import NOT_POOR, POOR, survey, visit
from tests.support.web_form import require_bundle
from tests.support.xlsforms import photo_form

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world

# The roles of area A. TUYEN is the commune officer of 19603 (test_web_access.PEOPLE); the others
# are limited to 19603 here so that their area, not their role, is what keeps them out of 19612.
ADMIN_A = "qtv.tuyen@camlo.vn"  # an administrator limited to commune 19603
DISTRICT_A = "huyen.tuyen@camlo.vn"  # a district officer limited to commune 19603
VIEWER_A = "xem.tuyen@camlo.vn"  # a viewer of commune 19603
OF_AREA_A = {ADMIN_A: Role.ADMINISTRATOR, DISTRICT_A: Role.UPPER_OFFICER, VIEWER_A: Role.VIEWER}
STAFF = (ADMIN_A, DISTRICT_A, TUYEN, VIEWER_A, ADMIN, DISTRICT)  # the last two: controls
OUTSIDE = "Ngoài địa bàn của người gửi"


@dataclass(frozen=True)
class Outcome:
    status: int
    changes: bool  # the write changes what it aims at
    held: bool = False  # a record stored, kept out of the registry and flagged


def refused(status: int) -> Outcome:
    return Outcome(status, changes=False)


def own_keys_only(status: int) -> Outcome:
    """Answered, but it acts on the caller's own keys: nothing of anyone else changes."""
    return Outcome(status, changes=False)


def written(status: int) -> Outcome:
    return Outcome(status, changes=True)


HELD = Outcome(201, changes=False, held=True)
APPLIED = written(201)


@dataclass
class Setup:
    """What a cell needs to make the thing it aims at."""

    world: World
    session: Session
    app: Flask
    numbers: Any = None

    def fresh(self) -> int:
        """A number no other cell of this run uses (codes, counts, names)."""
        if self.numbers is None:
            self.numbers = itertools.count(10)
        return int(next(self.numbers))

    def read(self) -> Session:
        self.session.rollback()  # see what the server committed
        return self.session


@pytest.fixture
def setup(world: World, session: Session, app: Flask) -> Setup:
    for email, role in OF_AREA_A.items():
        create_user(
            session,
            email=email,
            display_name=email,
            password=PASSWORD,
            role=role,
            area_code="19603",
        )
    session.commit()
    return Setup(world, session, app)


def phone_client(world: World, phone: str) -> CollectClient:
    token, project = world.tokens[phone]
    return CollectClient(f"{world.base}/v1/key/{token}/projects/{project}")


# --- Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    code: str
    village: str
    exited: str  # a household that left poverty in 2026 (on the commune's follow-up list)
    phone: str  # the commune's own phone (access_world)


COMMUNES = {
    "19603": Commune("19603", "1960301", "1960301-001", "phone 19603"),  # test_web_access.site
    "19612": Commune("19612", "1961201", "1961201-001", "phone 19612"),  # access_world
}


@dataclass(frozen=True)
class Record:
    """A record aimed at a household of the commune: its XML, its file name, the household's
    code, and the instanceID its submission is kept under (the edited one's, for an edit)."""

    xml: bytes
    filename: str
    household: str
    kept_as: str


def _where(commune: Commune) -> dict[str, str]:
    return {"commune": commune.code, "village": commune.village}


def new_household(into: Commune, setup: Setup) -> Record:
    code = f"{into.village}-{setup.fresh() + 100:03d}"
    xml, instance_id = survey(POOR, household_code=code, **_where(into))
    return Record(xml, "Household.xml", code, instance_id)


def exited_household_later(into: Commune, setup: Setup) -> Record:
    xml, instance_id = survey(
        POOR,  # for 2027: it would take the household back onto the poverty list
        review_year=2027,
        household_code=into.exited,
        head_name="Người mạo danh",
        **_where(into),
    )
    return Record(xml, "Household.xml", into.exited, instance_id)


def followup_visit(into: Commune, setup: Setup) -> Record:
    xml = visit(into.exited, relapse_risk="high")
    instance_id = xml.split(b"<instanceID>")[1].split(b"</instanceID>")[0].decode()
    return Record(xml, "Followup.xml", into.exited, instance_id)


def edit_of_its_record(into: Commune, setup: Setup) -> Record:
    """An edit (`deprecatedID`) of a record the commune's own phone sent just before."""
    code = f"{into.village}-{setup.fresh() + 500:03d}"
    first, first_id = survey(POOR, household_code=code, **_where(into))
    assert phone_client(setup.world, into.phone).post(first).status_code == 201
    edit, _ = survey(
        NOT_POOR,  # it would take the household off the poverty list
        deprecated_id=first_id,
        household_code=code,
        head_name="Người mạo danh",
        **_where(into),
    )
    return Record(edit, "Household.xml", code, first_id)


KINDS: dict[str, Callable[[Commune, Setup], Record]] = {
    "a new household in the other commune's village": new_household,
    "the other commune's exited household, for 2027, under another head": exited_household_later,
    "a follow-up visit to the other commune's exited household": followup_visit,
    "an edit of a record of the other commune": edit_of_its_record,
}


@dataclass(frozen=True)
class Way:
    """How a sender posts: the submission URL (a sample of it, for test_access_matrix) and a
    client for it."""

    url: str
    client: Callable[[Setup], CollectClient]


BY_TOKEN_URL = "/v1/key/" + "Q" * 64 + "/projects/1/submission"
BY_DIGEST_URL = "/submission"


def web_form_of(email: str) -> Way:
    """The officer's web form: the OpenRosa URLs of their key `web.<user id>`."""

    def client(setup: Setup) -> CollectClient:
        require_bundle()
        page = signed_in(setup.world.base, email).get("/f/staff/household_survey")
        assert page.status_code == 200, (email, page.status_code)
        prefix = page_config(page.text)["formUrl"].removesuffix("/forms/household_survey.xml")
        return CollectClient(setup.world.base + prefix)

    return Way(BY_TOKEN_URL, client)


def by_token(phone: str) -> Way:
    return Way(BY_TOKEN_URL, lambda setup: phone_client(setup.world, phone))


def by_digest(phone: str) -> Way:
    def client(setup: Setup) -> CollectClient:
        login, token = setup.world.digest[phone]
        return CollectClient(setup.world.base, auth=HTTPDigestAuth(login, token))

    return Way(BY_DIGEST_URL, client)


SENDERS: list[tuple[str, Way, str, Outcome]] = [
    # (sender, how it posts, the commune it writes into, the outcome of every kind of record)
    ("phone 19603, by token", by_token("phone 19603"), "19612", HELD),
    ("phone 19603, by Digest", by_digest("phone 19603"), "19612", HELD),
    ("phone 19612, by token", by_token("phone 19612"), "19603", HELD),
    (f"web form of {TUYEN} (19603)", web_form_of(TUYEN), "19612", HELD),
    (f"web form of {ADMIN_A}", web_form_of(ADMIN_A), "19612", HELD),
    (f"web form of {DISTRICT_A}", web_form_of(DISTRICT_A), "19612", HELD),
    # A viewer has no web-form key (test_web_access.ROUTES: /f/staff answers a viewer 403).
    # Controls: an administrator without an area writes anywhere, 468's officer within 468.
    (f"web form of {ADMIN}", web_form_of(ADMIN), "19612", APPLIED),
    (f"web form of {DISTRICT} (468)", web_form_of(DISTRICT), "19612", APPLIED),
]
RECORD_CELLS = [
    (sender, way, COMMUNES[into], kind, outcome)
    for sender, way, into, outcome in SENDERS
    for kind in KINDS
]


def registry_entry(session: Session, code: str) -> object:
    """What the registry holds of a household: its row, reviews and visits."""
    found = session.scalars(select(Household).where(Household.code == code)).first()
    if found is None:
        return None
    reviews = session.execute(
        select(
            HouseholdReview.period,
            HouseholdReview.submission_id,
            HouseholdReview.household_class,
            HouseholdReview.conflict,  # a second record of the period: marked for an officer
        )
        .where(HouseholdReview.household_id == found.id)
        .order_by(HouseholdReview.period)
    ).all()
    visits = session.scalars(
        select(FollowupVisit.submission_id).where(FollowupVisit.household_id == found.id)
    ).all()
    return (found.head_name, found.village_id, found.relapse_risk, list(reviews), sorted(visits))


def is_held(session: Session, instance_id: str) -> bool:
    record = session.scalars(select(Submission).where(Submission.instance_id == instance_id)).one()
    current = session.scalars(
        select(SubmissionVersion).where(
            SubmissionVersion.submission_id == record.id, SubmissionVersion.current.is_(True)
        )
    ).one()
    return (
        current.area_hold is not None
        and record.review_state == ReviewState.HAS_ISSUES
        and (record.issues or "").startswith(OUTSIDE)
    )


def test_a_record_written_into_the_sibling_commune_is_held_for_every_sender_and_kind(
    setup: Setup,
) -> None:
    wrong = []
    for sender, way, into, kind, expected in RECORD_CELLS:
        record = KINDS[kind](into, setup)
        before = registry_entry(setup.read(), record.household)
        response = way.client(setup).post(record.xml, filename=record.filename)
        after = registry_entry(setup.read(), record.household)
        got = Outcome(
            response.status_code,
            changes=after != before,
            held=response.status_code == 201 and is_held(setup.session, record.kept_as),
        )
        if got != expected:
            wrong.append((sender, kind, got, expected))
    assert wrong == [], "\n".join(map(str, wrong))


# --- Actions of the pages and the API -------------------------------------------------------

Body = dict[str, Any]  # requests' keyword arguments: data, files or json


@dataclass(frozen=True)
class Action:
    """A writing route aimed at area B: `target` makes what one cell aims at (a record, a
    phone, a locked person, a fresh number), `witness` reads what the write would change."""

    method: str
    path: Callable[[Any], str]
    body: Callable[[Any], Body]
    target: Callable[[Setup], Any]
    witness: Callable[[Session, Any], object]
    outcomes: dict[str, Outcome]  # every person of STAFF


def same(value: str) -> Callable[[Any], str]:
    return lambda _target: value


def fresh(setup: Setup) -> int:
    return setup.fresh()


def nothing(_setup: Setup) -> None:
    return None


def area_id(session: Session, code: str) -> int:
    return session.scalars(select(Area.id).where(Area.code == code)).one()


def households_of(code: str, year: int) -> Callable[[Session, Any], object]:
    def witness(session: Session, _target: Any) -> object:
        found = session.get(AreaHouseholds, (area_id(session, code), year))
        return found.households if found else None

    return witness


def pledge_of(code: str, year: int) -> Callable[[Session, Any], object]:
    def witness(session: Session, _target: Any) -> object:
        found = session.get(Commitment, (area_id(session, code), year))
        return found.pledged if found else None

    return witness


def record_of_19612(setup: Setup) -> str:
    """A fresh record of 19612, sent by 19612's own phone (applied, never held)."""
    xml, instance_id = survey(
        POOR, household_code=f"1961201-{setup.fresh() + 700:03d}", **_where(COMMUNES["19612"])
    )
    assert phone_client(setup.world, "phone 19612").post(xml).status_code == 201
    return instance_id


def held_record_of_19612(setup: Setup) -> str:
    """A record that 19612's phone sent naming a village of Thanh An (19606): held, and one for
    the officers of 19612 and 19606 to decide, not for those of 19603."""
    code = f"1960601-{setup.fresh() + 800:03d}"
    xml, instance_id = survey(POOR, household_code=code, commune="19606", village="1960601")
    assert phone_client(setup.world, "phone 19612").post(xml).status_code == 201
    return instance_id


def review_of(session: Session, instance_id: str) -> object:
    record = session.scalars(select(Submission).where(Submission.instance_id == instance_id)).one()
    comments = session.scalar(
        select(func.count()).where(SubmissionComment.submission_id == record.id)
    )
    versions = session.scalars(
        select(SubmissionVersion.area_hold).where(SubmissionVersion.submission_id == record.id)
    ).all()
    reviews = session.scalars(
        select(HouseholdReview.id).where(HouseholdReview.submission_id == record.id)
    ).all()
    return (record.review_state, record.issues, comments, list(versions), list(reviews))


def phone_of_19612(setup: Setup) -> str:
    return make_app_user(setup.session, name="Máy sẽ thu hồi", area_code="19612").login


def revoked(session: Session, login: str) -> object:
    return session.scalars(select(AppUser.revoked_at).where(AppUser.login == login)).one()


def phones_of_19612(session: Session, _target: Any) -> object:
    query = select(AppUser.login).where(AppUser.area_id == area_id(session, "19612"))
    return sorted(session.scalars(query))


def phones_without_an_area(session: Session, _target: Any) -> object:
    return sorted(session.scalars(select(AppUser.login).where(AppUser.area_id.is_(None))))


def actor(target: Any) -> int:
    """An app user's id (a placeholder where the matrices only name the route)."""
    return target if isinstance(target, int) else 0


def app_user_id_of_19612(setup: Setup, form_ids: tuple[str, ...] = ()) -> int:
    """A phone of 19612 set up for every form (or for `form_ids` only)."""
    login = make_app_user(
        setup.session, name="Máy 19612", area_code="19612", form_ids=form_ids
    ).login
    return setup.session.scalars(select(AppUser.id).where(AppUser.login == login)).one()


def forms_of_app_user(session: Session, app_user_id: int) -> object:
    app_user = session.get(AppUser, app_user_id)
    assert app_user is not None
    listed = select(AppUserForm.form_id).where(AppUserForm.app_user_id == app_user_id)
    return (app_user.all_forms, app_user.revoked_at, sorted(session.scalars(listed)))


CENTRAL_APP_USERS = "/v1/projects/1/app-users"
CENTRAL_ASSIGNMENTS = "/v1/projects/1/forms/household_survey/assignments/2"


def draft_of_a_new_form(setup: Setup) -> bytes:
    return photo_form(f"bieu_{setup.fresh()}")


def forms_and_versions(session: Session, _target: Any) -> object:
    return session.scalar(select(func.count()).select_from(FormVersion))


def open_form(setup: Setup) -> str:
    form_id = f"bieu_mo_{setup.fresh()}"
    publish_form(setup.app, setup.session, photo_form(form_id))
    return form_id


def form_state(session: Session, form_id: str) -> object:
    return session.scalars(select(Form.state).where(Form.xml_form_id == form_id)).one()


CENTRAL_FORMS = "/v1/projects/1/forms"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_with_a_draft(setup: Setup) -> str:
    """A published form with a version 2 kept as its draft."""
    form_id = open_form(setup)
    stage_draft(setup.app, setup.session, photo_form(form_id, "2"), filename=f"{form_id}.xlsx")
    return form_id


def published_version_of(session: Session, form_id: str) -> object:
    return session.scalars(
        select(Form.published_version_id).where(Form.xml_form_id == form_id)
    ).one()


def locked_person_of_19612(setup: Setup) -> str:
    """A commune officer of 19612 whose five wrong passwords locked the account just now."""
    email = f"khoa{setup.fresh()}@camlo.vn"
    create_user(
        setup.session,
        email=email,
        display_name=email,
        password=PASSWORD,
        role=Role.COMMUNE_OFFICER,
        area_code="19612",
    )
    now = datetime.now(UTC)
    setup.session.add_all(
        LoginFailure(email=email, address="203.0.113.7", at=now) for _ in range(5)
    )
    setup.session.commit()
    return email


def failures_of(session: Session, email: str) -> object:
    return session.scalar(select(func.count()).where(LoginFailure.email == email))


def keys_of_hieu(session: Session, _target: Any) -> object:
    """The keys of 19612's commune officer: their key version and API tokens."""
    user = session.scalars(select(User).where(User.email == HIEU)).one()
    tokens = session.scalars(select(ApiSession.token_sha256).where(ApiSession.user_id == user.id))
    return (user.key_version, sorted(tokens))


# --- support plans: an organisation and a poor household of 19612, made for one cell ----------


@dataclass(frozen=True)
class PlanTarget:
    n: int
    organisation: int  # an organisation of 19612
    household: str  # a fresh poor household of 19612, deficient in water (POOR)
    item: int | None = None  # a plan item of that household


def plan_target(setup: Setup, *, with_item: bool = False) -> PlanTarget:
    n = setup.fresh()
    code = f"1961201-{n + 500:03d}"
    xml, _ = survey(POOR, household_code=code, **_where(COMMUNES["19612"]))
    assert phone_client(setup.world, "phone 19612").post(xml).status_code == 201
    session = setup.read()
    organisation = Organisation(
        area_id=area_id(session, "19612"), kind=OrganisationKind.SCHOOL, name=f"Trường {n}"
    )
    session.add(organisation)
    session.flush()
    item = None
    if with_item:
        household = session.scalars(select(Household.id).where(Household.code == code)).one()
        planned = PlanItem(
            household_id=household,
            period=2026,
            indicator="water_source",
            support="Khoan giếng",
            organisation_id=organisation.id,
        )
        session.add(planned)
        session.flush()
        item = planned.id
    session.commit()
    return PlanTarget(n, organisation.id, code, item)


def plan_of(session: Session, target: PlanTarget) -> object:
    """The household's plan items (state, date) and responsibilities."""
    household = session.scalars(select(Household.id).where(Household.code == target.household))
    found = household.one()
    items = session.execute(
        select(PlanItem.id, PlanItem.state, PlanItem.planned_date).where(
            PlanItem.household_id == found
        )
    ).all()
    duties = session.scalar(select(func.count()).where(Responsibility.household_id == found))
    return (sorted(map(tuple, items)), duties)


def organisations_of_19612(session: Session, _target: Any) -> object:
    query = select(Organisation.name).where(Organisation.area_id == area_id(session, "19612"))
    return sorted(session.scalars(query))


def count_organisations(session: Session, _target: Any) -> object:
    return session.scalar(select(func.count()).select_from(Organisation))


def plan_file(target: PlanTarget) -> bytes:
    row = {
        "household": target.household,
        "indicator": "water_source",
        "support": "Khoan giếng",
        "organisation": target.organisation,
        "planned_date": "2027-03-31",
        "state": "planned",
    }
    return write_plan([row])


def item_path(target: Any) -> str:
    # write_requests names each route with a placeholder that is no item: any number does.
    return f"/plans/items/{target.item if isinstance(target, PlanTarget) else 1}"


# --- commendation: a household of 19612 that left poverty in 2026, made for one cell ---------


def exited_of_19612(setup: Setup, *, proposed: bool = False) -> str:
    """A fresh household of 19612, poor in 2025 and not in 2026 (maybe proposed already)."""
    code = f"1961201-{setup.fresh() + 700:03d}"
    for year, answers in ((2025, POOR), (2026, NOT_POOR)):
        xml, _ = survey(answers, household_code=code, review_year=year, **_where(COMMUNES["19612"]))
        assert phone_client(setup.world, "phone 19612").post(xml).status_code == 201
    session = setup.read()
    if proposed:
        household = session.scalars(select(Household.id).where(Household.code == code)).one()
        officer = session.scalars(select(User.id).where(User.email == HIEU)).one()
        session.add(
            Commendation(
                household_id=household,
                period=2026,
                state=CommendationState.PROPOSED,
                proposed_by=officer,
            )
        )
        session.commit()
    return code


def commendation_of(session: Session, code: str) -> object:
    query = select(Commendation.state, Commendation.decision_note).join(Household)
    return session.execute(query.where(Household.code == code)).all()


def hieu_signed_in(setup: Setup) -> None:
    """19612's officer holds a page session and an API token that no one else may end."""
    signed_in(setup.world.base, HIEU)
    bearer(setup.world.base, HIEU)


def form_fields(**fields: Any) -> Callable[[Any], Body]:
    return lambda _target: {"data": fields}


def officer_of_19612(setup: Setup) -> str:
    """A fresh commune officer of 19612 (one a cell may change without touching the others)."""
    email = f"cb{setup.fresh()}@camhieu.vn"
    create_user(
        setup.session,
        email=email,
        display_name=email,
        password=PASSWORD,
        role=Role.COMMUNE_OFFICER,
        area_code="19612",
    )
    setup.session.commit()
    return email


def disabled_officer_of_19612(setup: Setup) -> str:
    email = officer_of_19612(setup)
    user = setup.session.scalars(select(User).where(User.email == email)).one()
    user.disabled_at = datetime.now(UTC)
    setup.session.commit()
    return email


def new_email(setup: Setup) -> str:
    return f"moi{setup.fresh()}@camhieu.vn"


def account_of(session: Session, email: str) -> object:
    """What the Users page's writes change: the account's role, area, state and password."""
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        return None
    return (user.role, user.area_id, user.disabled_at, user.password_hash)


def change_of(value: str = "") -> Callable[[Any], Body]:
    return lambda email: {"data": {"email": email, "value": value}}


# The Users page: area A's administrator and officers reach no one of 19612 and may put no one
# there; the viewer has no Users page; the whole-province administrator and 468's officer do.
PEOPLE_OF_B_REFUSED = dict.fromkeys((ADMIN_A, DISTRICT_A, TUYEN, VIEWER_A), refused(403))


# A new village under 19612, and a resident-household count for one of 19612's villages.
AREAS_CSV = (
    "code,name,level,parent_code,urban,households_2026\n"
    "{new},Thôn Mới,village,19612,,\n"
    "1961202,Thôn Vĩnh An,village,19612,,{count}\n"
)
AREA_A_REFUSED = dict.fromkeys((ADMIN_A, DISTRICT_A, TUYEN, VIEWER_A), refused(403))  # all 4 roles
NOT_AN_EDITOR = refused(403)  # a role that may not make this write anywhere
NOT_IN_SCOPE = refused(403)  # an area outside one's own
# An app user outside one's area is not found (as the phones page's revoke).
APP_USER_OF_B = {
    ADMIN_A: refused(404),
    DISTRICT_A: refused(404),
    TUYEN: refused(404),
    VIEWER_A: NOT_AN_EDITOR,
    ADMIN: written(200),
    DISTRICT: written(200),
}

CENTRAL_RECORDS = "/v1/projects/1/forms/household_survey/submissions"


def new_record_of_19612(setup: Setup) -> Record:
    return new_household(COMMUNES["19612"], setup)


def edit_of_19612(setup: Setup) -> tuple[str, bytes, str]:
    """(the record, the XML of an edit of it, its household's code): a record 19612's phone
    sent just before, and an edit that would take the household off the poverty list."""
    record = edit_of_its_record(COMMUNES["19612"], setup)
    return record.kept_as, record.xml, record.household


def edited_record(edit: Any) -> str:
    """The record's URL (`edit` is a placeholder where the matrices only name the route)."""
    return f"{CENTRAL_RECORDS}/{edit[0] if isinstance(edit, tuple) else edit}"


# A record an officer limited to area A sends into area B over the API is stored and answered
# as from their web form, but held out of B's registry (test_writes_stay_in_area).
STORED_AND_HELD = Outcome(200, changes=False)

ACTIONS: dict[str, Action] = {
    "review a record of 19612 (state and comment)": Action(
        "POST",
        lambda record: f"/submissions/household_survey/{record}/review",
        form_fields(state="approved", comment="đã xem"),
        record_of_19612,
        review_of,
        {**AREA_A_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "apply a held record of 19612 and 19606": Action(
        "POST",
        lambda record: f"/submissions/household_survey/{record}/apply",
        form_fields(),
        held_record_of_19612,
        review_of,
        {**AREA_A_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "reject a held record of 19612 and 19606": Action(
        "POST",
        lambda record: f"/submissions/household_survey/{record}/reject",
        form_fields(),
        held_record_of_19612,
        review_of,
        {**AREA_A_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "review a record of 19612 through the Central API": Action(
        "PATCH",
        lambda record: f"{CENTRAL_RECORDS}/{record}",
        lambda _: {"json": {"reviewState": "approved"}},
        record_of_19612,
        review_of,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: written(200)},
    ),
    "comment on a record of 19612 through the Central API": Action(
        "POST",
        lambda record: f"{CENTRAL_RECORDS}/{record}/comments",
        lambda _: {"json": {"body": "đã xem"}},
        record_of_19612,
        review_of,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: written(200)},
    ),
    "create a record of a new household of 19612 through the Central API": Action(
        "POST",
        same(CENTRAL_RECORDS),
        lambda record: {"data": record.xml, "headers": {"Content-Type": "application/xml"}},
        new_record_of_19612,
        lambda session, record: registry_entry(session, record.household),
        {
            ADMIN_A: STORED_AND_HELD,
            DISTRICT_A: STORED_AND_HELD,
            TUYEN: STORED_AND_HELD,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(200),
            DISTRICT: written(200),
        },
    ),
    "upload a file to a record of 19612 through the Central API": Action(
        "POST",
        lambda record: f"{CENTRAL_RECORDS}/{record}/attachments/anh.jpg",
        lambda _: {"data": b"\xff\xd8\xff", "headers": {"Content-Type": "image/jpeg"}},
        record_of_19612,
        review_of,
        # The survey names no file: those who may see the record are told so (404), nothing is
        # written; test_central_api uploads a file a record names.
        {**AREA_A_REFUSED, ADMIN: refused(404), DISTRICT: refused(404)},
    ),
    "edit a record of 19612 through the Central API": Action(
        "PUT",
        edited_record,
        lambda edit: {"data": edit[1], "headers": {"Content-Type": "application/xml"}},
        edit_of_19612,
        lambda session, edit: registry_entry(session, edit[2]),
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: written(200)},
    ),
    "set the resident households of a village of 19612": Action(
        "POST",
        same("/areas/1961201/households"),
        lambda n: {"data": {"year": 2026, "households": n}},
        fresh,
        households_of("1961201", 2026),
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_AN_EDITOR,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "import areas: a village under 19612, households of a village of 19612": Action(
        "POST",
        same("/areas/import"),
        lambda n: {
            "files": {
                "file": ("vung.csv", AREAS_CSV.format(new=1961250 + n % 50, count=n).encode())
            }
        },
        fresh,
        lambda session, n: (
            households_of("1961202", 2026)(session, n),
            session.scalar(select(func.count()).select_from(Area)),
        ),
        # The area tree frames every area: only an administrator without an area changes it.
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: NOT_AN_EDITOR},
    ),
    "pledge for 19612 on the page": Action(
        "POST",
        same("/reports/commitments"),
        lambda n: {"data": {"area": "19612", "year": 2030, "pledged": n}},
        fresh,
        pledge_of("19612", 2030),
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: own_keys_only(200),  # a viewer's form is only shown again (test_access_pages)
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "pledge for 19612 through the API": Action(
        "PUT",
        same("/v1/areas/19612/commitments/2031"),
        lambda n: {"json": {"pledged": n}},
        fresh,
        pledge_of("19612", 2031),
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(200),
            DISTRICT: written(200),
        },
    ),
    "import pledges for 19603 and 19612 through the API": Action(
        "POST",
        same("/v1/commitments"),
        lambda n: {"data": f"area_code,year,pledged\n19603,2032,{n}\n19612,2032,{n}\n"},
        fresh,
        lambda session, n: (
            pledge_of("19603", 2032)(session, n),
            pledge_of("19612", 2032)(session, n),
        ),
        {  # outside one's area a line names no area: the whole file is refused (400), its line of
            # 19603 too
            ADMIN_A: refused(400),
            DISTRICT_A: refused(400),
            TUYEN: refused(400),
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(200),
            DISTRICT: written(200),
        },
    ),
    "add an organisation of 19612": Action(
        "POST",
        same("/organisations"),
        lambda n: {"data": {"area": "19612", "kind": "school", "name": f"Trường {n}"}},
        fresh,
        organisations_of_19612,
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "import organisations of 19603 and 19612": Action(
        "POST",
        same("/organisations/import"),
        lambda n: {
            "files": {
                "file": (
                    "to_chuc.csv",
                    f"area_code,kind,name\n19603,school,A {n}\n19612,school,B {n}\n".encode(),
                )
            }
        },
        fresh,
        count_organisations,
        {  # outside one's area a line names no area: the whole file is refused, 19603's line too
            ADMIN_A: refused(400),
            DISTRICT_A: refused(400),
            TUYEN: refused(400),
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "plan support in bulk for the households of 19612": Action(
        "POST",
        same("/plans/bulk"),
        lambda t: {
            "data": {
                "area": "19612",
                "period": 2026,
                "indicator": "water_source",
                "organisation": t.organisation,
            }
        },
        plan_target,
        plan_of,
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "assign an organisation of 19612 to a household of 19612": Action(
        "POST",
        same("/plans/assign"),
        lambda t: {
            "data": {
                "organisation": t.organisation,
                "period": 2026,
                "household": t.household,
                "sponsor": "y",
            }
        },
        plan_target,
        plan_of,
        {  # outside one's area the organisation is not named (400), as if it did not exist
            ADMIN_A: refused(400),
            DISTRICT_A: refused(400),
            TUYEN: refused(400),
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "change a plan item of a household of 19612": Action(
        "POST",
        item_path,
        lambda _t: {"data": {"state": "in_progress", "planned_date": "2027-01-31"}},
        lambda setup: plan_target(setup, with_item=True),
        plan_of,
        {  # an item outside one's area is not found
            ADMIN_A: refused(404),
            DISTRICT_A: refused(404),
            TUYEN: refused(404),
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "import a plan of 19612": Action(
        "POST",
        same("/plans/import"),
        lambda t: {
            "data": {"area": "19612", "period": 2026},
            "files": {"file": ("ke_hoach.xlsx", plan_file(t))},
        },
        plan_target,
        plan_of,
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "propose a household of 19612 for commendation": Action(
        "POST",
        same("/commendation/propose"),
        lambda code: {"data": {"area": "19612", "period": 2026, "household": code}},
        exited_of_19612,
        commendation_of,
        {  # outside one's area the household is not named (400), as if it did not exist
            ADMIN_A: refused(400),
            DISTRICT_A: refused(400),
            TUYEN: refused(400),
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "approve a proposed household of 19612": Action(
        "POST",
        same("/commendation/decide"),
        lambda code: {
            "data": {"area": "19612", "period": 2026, "household": code, "decision": "approved"}
        },
        lambda setup: exited_of_19612(setup, proposed=True),
        commendation_of,
        {  # a commune officer never decides (403); an upper officer of 19603 cannot name it
            ADMIN_A: refused(400),
            DISTRICT_A: refused(400),
            TUYEN: NOT_AN_EDITOR,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "record a dialogue of 19612 with a follow-up item for its household": Action(
        "POST",
        same("/dialogues"),
        lambda t: {
            "data": {
                "area": "19612",
                "period": 2026,
                "held_on": "2026-11-20",
                "problems": "Chưa biết thủ tục vay vốn",
                "attendees": t.organisation,
                "follow_ups": f"{t.household} | Hướng dẫn vay vốn | {t.organisation}",
            }
        },
        plan_target,
        plan_of,
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "create a phone of 19612": Action(
        "POST",
        same("/phones"),
        lambda n: {"data": {"name": f"Máy mới {n}", "area": "19612"}},
        fresh,
        phones_of_19612,
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(200),
            DISTRICT: written(200),
        },
    ),
    "create a phone without an area (it writes into every commune)": Action(
        "POST",
        same("/phones"),
        lambda n: {"data": {"name": f"Máy mới {n}", "area": ""}},
        fresh,
        phones_without_an_area,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: NOT_IN_SCOPE},
    ),
    "revoke a phone of 19612": Action(
        "POST",
        lambda login: f"/phones/{login}/revoke",
        form_fields(),
        phone_of_19612,
        revoked,
        {  # a phone outside one's area is not found (test_access_pages: the same for 19603's)
            ADMIN_A: refused(404),
            DISTRICT_A: refused(404),
            TUYEN: refused(404),
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: written(302),
        },
    ),
    "create an app user of 19612 through the Central API": Action(
        "POST",
        same(CENTRAL_APP_USERS),
        lambda n: {"json": {"displayName": f"Máy API {n}", "areaCode": "19612"}},
        fresh,
        phones_of_19612,
        {
            ADMIN_A: NOT_IN_SCOPE,
            DISTRICT_A: NOT_IN_SCOPE,
            TUYEN: NOT_IN_SCOPE,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(200),
            DISTRICT: written(200),
        },
    ),
    "create an app user without an area through the Central API": Action(
        "POST",
        same(CENTRAL_APP_USERS),
        lambda n: {"json": {"displayName": f"Máy API {n}", "areaCode": ""}},
        fresh,
        phones_without_an_area,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: NOT_IN_SCOPE},
    ),
    "revoke an app user of 19612 through the Central API": Action(
        "DELETE",
        lambda app_user: f"{CENTRAL_APP_USERS}/{actor(app_user)}",
        lambda _: {},
        app_user_id_of_19612,
        forms_of_app_user,
        APP_USER_OF_B,
    ),
    "take a form from an app user of 19612 through the Central API": Action(
        "DELETE",
        lambda app_user: f"{CENTRAL_ASSIGNMENTS}/{actor(app_user)}",
        lambda _: {},
        app_user_id_of_19612,
        forms_of_app_user,
        APP_USER_OF_B,
    ),
    "give a form to an app user of 19612 through the Central API": Action(
        "POST",
        lambda app_user: f"{CENTRAL_ASSIGNMENTS}/{actor(app_user)}",
        lambda _: {},
        lambda setup: app_user_id_of_19612(setup, ("followup_visit",)),
        forms_of_app_user,
        APP_USER_OF_B,
    ),
    "upload a form (every area's phones get it once published)": Action(
        "POST",
        same("/forms"),
        lambda xlsx: {"files": {"xlsform": ("bieu.xlsx", xlsx)}},
        draft_of_a_new_form,
        forms_and_versions,
        {**AREA_A_REFUSED, ADMIN: written(302), DISTRICT: NOT_AN_EDITOR},
    ),
    "create a form through the Central API (every area's phones get it once published)": Action(
        "POST",
        same(CENTRAL_FORMS),
        lambda xlsx: {
            "data": xlsx,
            "headers": {"Content-Type": XLSX},
            "params": {"ignoreWarnings": "true", "publish": "true"},
        },
        draft_of_a_new_form,
        forms_and_versions,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: NOT_AN_EDITOR},
    ),
    "keep a new version of a form as its draft through the Central API": Action(
        "POST",
        lambda form_id: f"{CENTRAL_FORMS}/{form_id}/draft",
        lambda form_id: {
            "data": photo_form(form_id, "2"),
            "headers": {"Content-Type": XLSX},
            "params": {"ignoreWarnings": "true"},
        },
        open_form,
        forms_and_versions,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: NOT_AN_EDITOR},
    ),
    "publish a form's draft through the Central API": Action(
        "POST",
        lambda form_id: f"{CENTRAL_FORMS}/{form_id}/draft/publish",
        lambda _: {},
        form_with_a_draft,
        published_version_of,
        {**AREA_A_REFUSED, ADMIN: written(200), DISTRICT: NOT_AN_EDITOR},
    ),
    "close a form (every area's phones stop sending it)": Action(
        "POST",
        lambda form_id: f"/forms/{form_id}",
        form_fields(action="close"),
        open_form,
        form_state,
        {**AREA_A_REFUSED, ADMIN: written(302), DISTRICT: NOT_AN_EDITOR},
    ),
    "lift the lock of an officer of 19612": Action(
        "POST",
        same("/audit/unlock"),
        lambda email: {"data": {"email": email}},
        locked_person_of_19612,
        failures_of,
        {
            # An administrator limited to an area reaches only its people: no such person.
            ADMIN_A: refused(404),
            DISTRICT_A: NOT_AN_EDITOR,
            TUYEN: NOT_AN_EDITOR,
            VIEWER_A: NOT_AN_EDITOR,
            ADMIN: written(302),
            DISTRICT: NOT_AN_EDITOR,
        },
    ),
    "create an account in 19612": Action(
        "POST",
        same("/users"),
        lambda email: {"data": {"email": email, "name": "Mới", "role": "viewer", "area": "19612"}},
        new_email,
        account_of,
        {**PEOPLE_OF_B_REFUSED, ADMIN: written(200), DISTRICT: written(200)},
    ),
    "change the role of 19612's officer": Action(
        "POST",
        same("/users/role"),
        change_of("viewer"),
        officer_of_19612,
        account_of,
        {**PEOPLE_OF_B_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "move 19612's officer to 19609": Action(
        "POST",
        same("/users/move"),
        change_of("19609"),
        officer_of_19612,
        account_of,
        {**PEOPLE_OF_B_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "disable 19612's officer": Action(
        "POST",
        same("/users/disable"),
        change_of(),
        officer_of_19612,
        account_of,
        {**PEOPLE_OF_B_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "enable 19612's disabled officer": Action(
        "POST",
        same("/users/enable"),
        change_of(),
        disabled_officer_of_19612,
        account_of,
        {**PEOPLE_OF_B_REFUSED, ADMIN: written(302), DISTRICT: written(302)},
    ),
    "reset the password of 19612's officer": Action(
        "POST",
        same("/users/reset-password"),
        change_of(),
        officer_of_19612,
        account_of,
        {**PEOPLE_OF_B_REFUSED, ADMIN: written(200), DISTRICT: written(200)},
    ),
    "sign out everywhere, naming 19612's officer": Action(
        "POST",
        same("/account/sign-out-everywhere"),
        lambda _: {"data": {"email": HIEU}},
        hieu_signed_in,
        keys_of_hieu,
        dict.fromkeys(STAFF, own_keys_only(302)),
    ),
    "sign out of the pages, naming 19612's officer": Action(
        "POST",
        same("/logout"),
        lambda _: {"data": {"email": HIEU}},
        hieu_signed_in,
        keys_of_hieu,
        dict.fromkeys(STAFF, own_keys_only(302)),
    ),
    "end the API token, naming 19612's officer": Action(
        "DELETE",
        same("/v1/sessions/current"),
        lambda _: {"json": {"email": HIEU}},
        hieu_signed_in,
        keys_of_hieu,
        dict.fromkeys(STAFF, own_keys_only(200)),
    ),
}
# Signing in (POST /login, POST /v1/sessions) writes the caller's own new session, or a failure
# that counts towards the named account's lock: test_lockout_recovery (test_access_matrix).


def act(base: str, email: str, action: Action, target: Any, *, csrf: bool = True) -> int:
    """The person, signed in afresh (a cell may sign them out), makes the write."""
    path = action.path(target)
    body = action.body(target)
    if path.startswith("/v1/"):
        headers = {**bearer(base, email), **body.get("headers", {})}
        sent = {k: v for k, v in body.items() if k != "headers"}
        response = requests.request(action.method, base + path, headers=headers, timeout=30, **sent)
        return response.status_code
    browser = signed_in(base, email)
    token = {"csrf_token": any_csrf(browser)} if csrf else {}
    data = {**body.get("data", {}), **token}
    response = browser.http.request(
        action.method,
        base + path,
        data=data,
        files=body.get("files"),
        allow_redirects=False,
        timeout=30,
    )
    return response.status_code


def test_every_writing_action_answers_each_role_of_area_a_as_it_should(setup: Setup) -> None:
    assert all(set(action.outcomes) == set(STAFF) for action in ACTIONS.values())
    wrong = []
    for name, action in ACTIONS.items():
        for email, expected in action.outcomes.items():
            target = action.target(setup)
            before = action.witness(setup.read(), target)
            status = act(setup.world.base, email, action, target)
            after = action.witness(setup.read(), target)
            got = Outcome(status, changes=after != before)
            if got != expected:
                wrong.append((name, email, got, expected))
    assert wrong == [], "\n".join(map(str, wrong))


def write_requests() -> list[tuple[str, str]]:
    """(method, path) of every write the two tables make (test_access_matrix)."""
    placeholder = "x"  # a record, a phone's login, a form id: any segment names the route
    records = {("POST", way.url) for _, way, _, _ in SENDERS}
    actions = {(action.method, action.path(placeholder)) for action in ACTIONS.values()}
    return sorted(records | actions)


def test_an_administrator_limited_to_an_area_is_offered_no_change_of_what_every_area_shares(
    setup: Setup,
) -> None:
    limited, whole = signed_in(setup.world.base, ADMIN_A), signed_in(setup.world.base, ADMIN)
    pages = {
        "/areas": "Nhập tệp CSV địa bàn",
        "/forms": 'id="upload-form"',
        "/forms/household_survey": 'id="state-form"',
        "/phones": "Không giới hạn địa bàn (mọi thôn)",
    }
    for path, offer in pages.items():
        assert offer in whole.get(path).text, path
        page = limited.get(path)
        assert page.status_code == 200 and offer not in page.text, path
    assert whole.get("/areas/import").status_code == 200
    assert limited.get("/areas/import").status_code == 403


def test_no_writing_action_of_the_pages_is_taken_without_its_csrf_token(setup: Setup) -> None:
    """Even the administrator without an area, whose writes the table shows to be written."""
    wrong = []
    for name, action in ACTIONS.items():
        if action.path(None).startswith("/v1/"):
            continue  # the API takes a bearer token, never a cookie (test_access_api)
        target = action.target(setup)
        before = action.witness(setup.read(), target)
        status = act(setup.world.base, ADMIN, action, target, csrf=False)
        got = Outcome(status, changes=action.witness(setup.read(), target) != before)
        if got != refused(400):
            wrong.append((name, got))
    assert wrong == [], "\n".join(map(str, wrong))
