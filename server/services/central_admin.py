"""ODK Central's app users and form assignments over rasoat's phones (odk-central-api.md §6),
under the phones page's rules: only officers keep phones, each only inside their own area.

- **The area of a new app user.** Central's app users have none; ours write only inside theirs
  (docs/architecture.md, "Writes stay inside the sender's area"). A client may name it in the
  extension field `areaCode` of `POST .../app-users`; without it the app user gets the caller's
  own area (an administrator without an area makes one that writes anywhere, as on the page).
  An area outside the caller's is refused (403), an unknown code is a 400 naming `areaCode`.
- **What an app user may use.** Central's new app user may use no form until one is assigned
  (pyodk's `create_app_users` assigns them next), so one created here starts with none. A
  phone set up on the page for "every form" counts as assigned to each form of its project;
  taking one form away leaves it the others.
- **Revoking** (`DELETE .../app-users/{id}`) ends its token for good, as the page's revoke;
  Central then no longer lists it, so neither do we (the phones page still shows it, revoked).
- **Tokens.** Only a token's hashes are stored (services/app_users), so its value is in the
  answer of the request that creates it and nowhere else; Central lists it every time.

Every change is audited under the page's words (`app_user.create`, `app_user.revoke`,
`app_user.forms`). The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.errors import Forbidden, InvalidInput, NotFound
from server.services import app_users
from server.services.accounts import StaffMember, record_action
from server.storage import app_users as app_user_queries
from server.storage import form_assignments as queries
from server.storage import forms as form_queries
from server.storage.areas import find_area, find_area_by_code, is_within
from server.storage.models import AppUser, Area, Form, Project

# Who keeps phones, as on the phones page (web/phones.OFFICERS).
KEEPERS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)


@dataclass(frozen=True)
class CentralRole:
    """A role of Central's `/v1/roles`; rasoat's app users hold only the app user's."""

    id: int
    system: str
    name: str
    verbs: tuple[str, ...]


# Central's fixed id and system name of the app user's role (pyodk assigns role 2 by number).
APP_USER_ROLE = CentralRole(2, "app-user", "App User", ("form.read", "submission.create"))
ROLES = (APP_USER_ROLE,)


@dataclass(frozen=True)
class AppUserFacts:
    app_user: AppUser
    area_code: str | None
    token: str | None = None  # only in the answer that creates it


@dataclass(frozen=True)
class Assignment:
    actor_id: int
    role_id: int
    xml_form_id: str


def roles() -> tuple[CentralRole, ...]:
    return ROLES


def role(id_or_name: str) -> CentralRole:
    """By number (`2`) or by system name (`app-user`), as Central looks roles up."""
    for known in ROLES:
        if id_or_name in (str(known.id), known.system):
            return known
    raise NotFound(what=f"role {id_or_name}")


def _keeper(session: Session, member: StaffMember, project_id: int) -> Project:
    if member.role not in KEEPERS:
        raise Forbidden()
    project = form_queries.find_project(session, project_id)
    if project is None:
        raise NotFound(what=f"project {project_id}")
    return project


def _inside(area: Area | None, scope: Area | None) -> bool:
    return scope is None or (area is not None and is_within(area, scope))


def app_users_of(session: Session, member: StaffMember, project_id: int) -> list[AppUserFacts]:
    """The project's app users in use whose area lies within the caller's."""
    _keeper(session, member, project_id)
    return [
        AppUserFacts(app_user, area.code if area else None)
        for app_user, area in queries.active_with_areas(session, project_id)
        if _inside(area, member.scope)
    ]


def create_app_user(
    session: Session,
    member: StaffMember,
    project_id: int,
    *,
    display_name: str,
    area_code: str | None,
    realm: str,
) -> AppUserFacts:
    """A new app user of the caller's area (or of `area_code` within it), using no form yet."""
    _keeper(session, member, project_id)
    if not display_name.strip():
        raise InvalidInput(field="displayName", detail="give the app user a name")
    code = area_code if area_code is not None else (member.scope.code if member.scope else None)
    if code:
        area = find_area_by_code(session, code)
        if area is None:
            raise InvalidInput(field="areaCode", detail=f"no area has the code {code}")
        if not _inside(area, member.scope):
            raise Forbidden()
    elif member.scope is not None:
        raise Forbidden()  # an app user without an area writes into every commune
    new = app_users.create_app_user(
        session, project_id=project_id, display_name=display_name, realm=realm, area_code=code
    )
    app_user = app_user_queries.find_by_login(session, new.login)
    assert app_user is not None  # created just above, in this unit
    queries.limit_to_listed(session, app_user, ())
    record_action(session, member, "app_user.create", f"app user {new.login}")
    return AppUserFacts(app_user, code or None, new.token)


def _app_user(session: Session, member: StaffMember, project_id: int, actor_id: int) -> AppUser:
    """An app user in use within the caller's area; any other is not found (as on the page)."""
    app_user = queries.find_active(session, project_id, actor_id)
    area = find_area(session, app_user.area_id) if app_user and app_user.area_id else None
    if app_user is None or not _inside(area, member.scope):
        raise NotFound(what=f"app user {actor_id}")
    return app_user


def revoke_app_user(session: Session, member: StaffMember, project_id: int, actor_id: int) -> None:
    _keeper(session, member, project_id)
    app_user = _app_user(session, member, project_id, actor_id)
    app_user_queries.revoke(session, app_user)
    record_action(session, member, "app_user.revoke", f"app user {app_user.login}")


def form_in_project(session: Session, project_id: int, xml_form_id: str) -> Form:
    """The project's form of this id, else NotFound (no scoping: forms are everyone's)."""
    form = form_queries.find_form(session, project_id, xml_form_id)
    if form is None:
        raise NotFound(what=f"form {xml_form_id}")
    return form


def assignments(
    session: Session, member: StaffMember, project_id: int, xml_form_id: str | None = None
) -> list[Assignment]:
    """The app user role of each app user (within the caller's area) on each form it may use;
    of one form when it is named (Central's `/forms/{id}/assignments`)."""
    _keeper(session, member, project_id)
    wanted = form_in_project(session, project_id, xml_form_id).xml_form_id if xml_form_id else None
    forms = [f.xml_form_id for f in form_queries.forms_of(session, project_id)]
    listed: dict[int, list[str]] = {}
    for app_user_id, listed_form in queries.listed_pairs(session, project_id):
        listed.setdefault(app_user_id, []).append(listed_form)
    found = []
    for facts in app_users_of(session, member, project_id):
        user = facts.app_user
        for form_id in forms if user.all_forms else listed.get(user.id, []):
            if wanted in (None, form_id):
                found.append(Assignment(user.id, APP_USER_ROLE.id, form_id))
    return found


def assign(
    session: Session, member: StaffMember, address: tuple[int, str], role_id: str, actor_id: int
) -> None:
    """The app user may use the form from now on (already may: nothing changes)."""
    project_id, xml_form_id = address
    _keeper(session, member, project_id)
    form, _ = form_in_project(session, project_id, xml_form_id), role(role_id)
    app_user = _app_user(session, member, project_id, actor_id)
    if app_user.all_forms or queries.is_listed(session, app_user, form):
        return
    queries.list_form(session, app_user, form)
    record_action(
        session, member, "app_user.forms", f"app user {app_user.login}", f"+ form {xml_form_id}"
    )


def unassign(
    session: Session, member: StaffMember, address: tuple[int, str], role_id: str, actor_id: int
) -> None:
    """The app user may no longer use the form; one that may use every form keeps the others.
    An app user that may not use it is told so (404, as Central for an assignment it lacks)."""
    project_id, xml_form_id = address
    _keeper(session, member, project_id)
    form, _ = form_in_project(session, project_id, xml_form_id), role(role_id)
    app_user = _app_user(session, member, project_id, actor_id)
    if app_user.all_forms:
        others: Sequence[int] = [
            f for f in queries.form_ids_of_project(session, project_id) if f != form.id
        ]
        queries.limit_to_listed(session, app_user, others)
    elif queries.is_listed(session, app_user, form):
        queries.unlist_form(session, app_user, form)
    else:
        raise NotFound(what=f"assignment of app user {actor_id} to form {xml_form_id}")
    record_action(
        session, member, "app_user.forms", f"app user {app_user.login}", f"− form {xml_form_id}"
    )
