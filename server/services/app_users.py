"""App users: the phones (or cadres) that fill forms in the field.

The token is the phone's only credential, so only its SHA-256 is stored; it is shown once,
when the phone is set up (a lost QR code means issuing a new token). Digest logins use the
same token as password, stored as HA1 = MD5(login:realm:token), which is all Digest needs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.errors import Forbidden, InvalidInput, InvalidToken, NotFound
from server.formats import collect_settings
from server.services.areas import area_by_code
from server.storage import accounts as account_queries
from server.storage import app_users as queries
from server.storage import forms as form_queries
from server.storage.areas import find_area, find_area_by_code, is_within, villages_within
from server.storage.models import AppUser, Area

# The app user a request acts as (a phone, or an officer's web form), under the name the
# surfaces know it by: they read its login, name and project and hand it back to services.
Phone: TypeAlias = AppUser

TOKEN_LENGTH = 64
_TOKEN_ALPHABET = string.ascii_letters + string.digits
# Who may fill forms in the browser as their own app user (services/web_form_users).
WEB_FORM_ROLES = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)
# Central's tokens also use "!" and "$"; accept them so Central-style URLs keep working.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9!$]{64}$")


@dataclass(frozen=True)
class NewAppUser:
    """What the person setting up a phone needs; the token is never shown again."""

    login: str
    display_name: str
    project_id: int
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def digest_ha1(login: str, realm: str, token: str) -> str:
    raw = f"{login}:{realm}:{token}".encode()
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "phone"


def _free_login(session: Session, name: str) -> str:
    base = _slug(name)
    login, n = base, 1
    while queries.login_taken(session, login):
        n += 1
        login = f"{base}-{n}"
    return login


def create_app_user(
    session: Session,
    *,
    project_id: int,
    display_name: str,
    realm: str,
    area_code: str | None = None,
    form_ids: Sequence[str] = (),
) -> NewAppUser:
    """Create a phone login; `form_ids` empty means every form of the project."""
    display_name = display_name.strip()
    if not display_name:
        raise InvalidInput(field="name")
    if form_queries.find_project(session, project_id) is None:
        raise NotFound(what=f"project {project_id}")
    area_id = None
    if area_code:
        area_id = area_by_code(session, area_code).id
    forms = [_form_id(session, project_id, xml_form_id) for xml_form_id in form_ids]
    token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    login = _free_login(session, display_name)
    queries.add_app_user(
        session,
        project_id=project_id,
        display_name=display_name,
        credentials=credentials(login, realm, token),
        area_id=area_id,
        form_ids=forms,
    )
    return NewAppUser(login, display_name, project_id, token)


def credentials(login: str, realm: str, token: str) -> queries.Credentials:
    """What is stored of a token: its SHA-256 (token URLs) and Digest's HA1 (login + token)."""
    return queries.Credentials(login, token_digest(token), digest_ha1(login, realm, token))


def _form_id(session: Session, project_id: int, xml_form_id: str) -> int:
    form = form_queries.find_form(session, project_id, xml_form_id)
    if form is None:
        raise NotFound(what=f"form {xml_form_id}")
    return form.id


def revoke_app_user(session: Session, project_id: int, login: str) -> AppUser:
    app_user = queries.find_by_login(session, login)
    if app_user is None or app_user.project_id != project_id:
        raise NotFound(what=f"app user {login}")
    queries.revoke(session, app_user)
    return app_user


def authenticate_token(session: Session, token: str, project_id: int) -> AppUser:
    """The active app user holding this token for this project, else InvalidToken (403)."""
    app_user = app_user_for_token(session, token)
    if app_user.project_id != project_id:
        raise InvalidToken()
    return app_user


def app_user_for_token(session: Session, token: str) -> AppUser:
    """The active app user holding this token (the web form's link has no project), else
    InvalidToken (403)."""
    if not _TOKEN_SHAPE.match(token):
        raise InvalidToken()
    app_user = queries.find_by_token_digest(session, token_digest(token))
    if app_user is None or not _usable(session, app_user):
        raise InvalidToken()
    return app_user


def find_digest_user(session: Session, login: str) -> AppUser | None:
    app_user = queries.find_by_login(session, login)
    return app_user if app_user is not None and _usable(session, app_user) else None


def _usable(session: Session, app_user: AppUser) -> bool:
    """Not revoked, and for an officer's web-form app user: the person is still active, still
    of a role that fills forms, still of the area the app user was given, and still holds the
    key version it was issued for ("sign out everywhere" and every change of role, area or
    state move it). Checked on every request: the token dies with the person's rights."""
    if app_user.revoked_at is not None:
        return False
    if app_user.user_id is None:
        return True  # a phone: its token lives until it is revoked
    person = account_queries.find_user(session, app_user.user_id)
    return (
        person is not None
        and person.disabled_at is None
        and Role(person.role) in WEB_FORM_ROLES
        and person.area_id == app_user.area_id
        and app_user.key_version is not None
        and person.key_version == app_user.key_version
    )


def collect_server_url(base_url: str, project_id: int, token: str) -> str:
    return f"{base_url}/v1/key/{token}/projects/{project_id}"


def collect_qr_payload(base_url: str, new: NewAppUser, project_name: str) -> str:
    """The text of the QR code that sets up ODK Collect for this app user in one scan."""
    url = collect_server_url(base_url, new.project_id, new.token)
    payload = collect_settings.settings(url, project_name, new.display_name)
    return collect_settings.encode(payload)


@dataclass(frozen=True)
class PhoneRow:
    login: str
    display_name: str
    area_name: str | None
    created_at: datetime  # UTC; the page shows it in local time
    revoked: bool
    forms: tuple[str, ...] = ()  # the forms it may use, unless `every_form`
    # A phone set up on the page with no form ticked uses every form; one created over the API
    # uses none until a form is assigned to it (services/central_admin).
    every_form: bool = True


# A province has ~10,000 villages: beyond this a person types the code instead of picking it.
MAX_AREA_CHOICES = 2000


def phone_area_choices(session: Session, scope: Area | None) -> list[tuple[str, str]] | None:
    """(code, label) of the areas within `scope` a new phone may be given: the person's own
    area first, then each commune followed by its villages (indented); None when there are
    too many to list on one page."""
    pairs = villages_within(session, scope)
    if len(pairs) > MAX_AREA_CHOICES:
        return None
    choices = [(scope.code, scope.name)] if scope is not None else []
    seen = {code for code, _ in choices}
    for village, above in pairs:
        if above.code not in seen and is_within(above, scope):
            choices.append((above.code, above.name))
            seen.add(above.code)
        if village.code not in seen:
            choices.append((village.code, f"— {village.name}"))
            seen.add(village.code)
    return choices


def phones_within(session: Session, scope: Area | None) -> list[PhoneRow]:
    """The phones whose area lies within `scope` (all, for a person without one)."""
    rows = []
    forms = queries.assigned_forms(session)
    for app_user, area in queries.with_areas(session):
        if scope is not None and (area is None or not is_within(area, scope)):
            continue
        rows.append(
            PhoneRow(
                app_user.login,
                app_user.display_name,
                area.name if area else None,
                app_user.created_at,
                app_user.revoked_at is not None,
                () if app_user.all_forms else tuple(forms.get(app_user.id, ())),
                app_user.all_forms,
            )
        )
    return rows


def create_phone_for(
    session: Session,
    scope: Area | None,
    *,
    display_name: str,
    area_code: str | None,
    realm: str,
    form_ids: Sequence[str] = (),
) -> NewAppUser:
    """A phone created by a person: it must lie within their own area; `form_ids` empty means
    every form."""
    if scope is not None:
        area = find_area_by_code(session, area_code or "")
        if area is None or not is_within(area, scope):
            raise Forbidden()
    return create_app_user(
        session,
        project_id=1,
        display_name=display_name,
        realm=realm,
        area_code=area_code or None,
        form_ids=form_ids,
    )


def revoke_phone_for(session: Session, scope: Area | None, login: str) -> None:
    app_user = queries.find_by_login(session, login)
    area = find_area(session, app_user.area_id) if app_user and app_user.area_id else None
    if app_user is None or (scope is not None and (area is None or not is_within(area, scope))):
        raise NotFound(what=f"phone {login}")
    revoke_app_user(session, app_user.project_id, login)
