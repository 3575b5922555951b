"""Staff accounts and their lifecycle: create, list, change role, move, disable, enable, reset
the password. One service for the command line and the Users page.

`by` is the person acting, whose rights are checked (server/domain/roles.py): an administrator
without an area may do everything, one with an area only within it; an officer only within
their own area and only for the roles below theirs. `by` None is the machine's operator (the
command line without --by): unrestricted. A check that fails raises before anything is written,
and every change is in the audit log. A change of role or area, a disabling and a new password
take every way in away from the person at once: page sessions, API tokens, known devices and
their web-form key (storage.accounts.retire_keys, the path of "sign out everywhere").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from server.domain import roles as rules
from server.domain.vocabulary import Role
from server.errors import (
    AreaNotForRole,
    BeyondYourRights,
    EmailTaken,
    InvalidEmail,
    UnknownArea,
    UnknownPerson,
    UnknownRole,
    WeakPassword,
)
from server.services.accounts import StaffMember, active_member
from server.storage import accounts as account_queries
from server.storage import users as queries
from server.storage.areas import find_area, find_area_by_code
from server.storage.models import Area, User
from server.storage.users import PersonRow, add_user, find_user_by_email

MIN_PASSWORD_LENGTH = 10
# The audit events that are a sign-in (pages, API): the list's "last sign-in".
SIGN_IN_ACTIONS = ("sign_in", "session.create")
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class NewPassword:
    """A password the server made up, shown once (to be handed to the person), never stored."""

    email: str
    password: str | None


def _place(area: Area | None) -> rules.Place | None:
    return rules.Place(area.level, area.path) if area is not None else None


def _actor(by: StaffMember | None) -> rules.Actor | None:
    return None if by is None else rules.Actor(by.role, _place(by.scope))


def _by_id(by: StaffMember | None) -> int | None:
    return by.id if by is not None else None


def _audit(session: Session, by: StaffMember | None, action: str, email: str, details: str) -> None:
    details = details if by is not None else f"{details}; {COMMAND_LINE}"
    account_queries.record(session, _by_id(by), action, email, details)


def role_named(text: str, field: str = "role") -> Role:
    role = rules.parse_role(text)
    if role is None:
        raise UnknownRole(field=field, value=text, known=", ".join(r.value for r in Role))
    return role


def _area_named(session: Session, code: str | None, field: str = "area") -> Area | None:
    if code is None or not code.strip():
        return None
    area = find_area_by_code(session, code.strip())
    if area is None:
        raise UnknownArea(field=field, value=code)
    return area


def _email(text: str, field: str = "email") -> str:
    email = text.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
        raise InvalidEmail(field=field, value=text)
    return email


def _password_hash(password: str, email: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH or password.strip().lower() == email:
        raise WeakPassword(field=field, minimum=MIN_PASSWORD_LENGTH)
    # werkzeug's default is scrypt, a current memory-hard algorithm.
    return generate_password_hash(password)


def _generated_password() -> str:
    # 16 characters of an alphabet without look-alikes (0/O, 1/l/I): read out over the phone.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _check_grant(by: StaffMember | None, role: Role, area: Area | None) -> None:
    """May `by` give someone this role in this area? Else BeyondYourRights, or AreaNotForRole."""
    actor = _actor(by)
    if not rules.may_grant(actor, role):
        raise BeyondYourRights(
            field="role",
            reason_vi=f"không được cấp vai trò {role.value}",
            reason=f"you may not give the role {role.value}",
        )
    if not rules.may_place(actor, _place(area)):
        raise BeyondYourRights(
            field="area",
            reason_vi=f"{area.code if area else 'toàn tỉnh'} ngoài địa bàn của bạn",
            reason=f"{area.code if area else 'the whole province'} is outside your area",
        )
    if not rules.fits_area(role, _place(area)):
        raise AreaNotForRole(
            field="area",
            area=f"{area.name} ({area.level})" if area else "—",
            role=role.value,
            levels="/".join(rules.levels_for(role)),
        )


def _managed(session: Session, by: StaffMember | None, email: str) -> User:
    """The account `by` may change: one they manage (its role below theirs, its area in
    theirs), never their own; else UnknownPerson or BeyondYourRights."""
    user = find_user_by_email(session, email.strip().lower())
    if user is None:
        raise UnknownPerson(field="email", value=email)
    area = find_area(session, user.area_id) if user.area_id else None
    if by is not None and (
        user.id == by.id or not rules.may_act_on(_actor(by), Role(user.role), _place(area))
    ):
        raise BeyondYourRights(
            field="email",
            reason_vi=f"bạn không quản lý tài khoản {user.email}",
            reason=f"you do not manage the account {user.email}",
        )
    return user


def acting_person(session: Session, email: str) -> StaffMember:
    """The active person named by the command line's --by."""
    user = find_user_by_email(session, email.strip().lower())
    member = active_member(session, user.id) if user is not None else None
    if member is None:
        raise UnknownPerson(field="--by", value=email)
    return member


def may_manage_people(by: StaffMember) -> bool:
    """Whether the Users page (and its menu entry) is for this person."""
    return rules.may_manage_people(rules.Actor(by.role, _place(by.scope)))


def grantable_roles(by: StaffMember | None) -> list[Role]:
    actor = _actor(by)
    return [role for role in Role if rules.may_grant(actor, role)]


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    area_code: str | None = None,
) -> User:
    """A new account, by the machine's operator (the first administrator, tests, the demo)."""
    email = _email(email)
    area = _area_named(session, area_code)
    return _add(session, None, email, display_name, role, area, _password_hash(password, email))


def _add(
    session: Session,
    by: StaffMember | None,
    email: str,
    display_name: str,
    role: Role,
    area: Area | None,
    password_hash: str,
) -> User:
    if find_user_by_email(session, email) is not None:
        raise EmailTaken(field="email", value=email)
    user = add_user(
        session,
        email=email,
        display_name=display_name.strip() or email,
        role=role,
        area_id=area.id if area else None,
        password_hash=password_hash,
    )
    where = area.code if area else "—"
    _audit(session, by, "user.create", email, f"role {role.value}, area {where}")
    return user


def create_person(
    session: Session,
    by: StaffMember | None,
    *,
    email: str,
    display_name: str,
    role: str,
    area_code: str | None,
    password: str | None = None,
) -> NewPassword:
    """A new account made by `by`; without a password one is made up and returned (once)."""
    email = _email(email)
    wanted = role_named(role)
    area = _area_named(session, area_code)
    _check_grant(by, wanted, area)
    shown = _generated_password() if password is None else None
    hashed = _password_hash(password if password is not None else shown or "", email)
    _add(session, by, email, display_name, wanted, area, hashed)
    return NewPassword(email, shown)


def list_people(
    session: Session,
    by: StaffMember | None,
    *,
    role: str | None = None,
    area_code: str | None = None,
    active: bool | None = None,
    text: str | None = None,
) -> list[PersonRow]:
    """The accounts `by` manages (everyone for the machine's operator), filtered."""
    actor = _actor(by)
    shown = [r for r in Role if rules.may_grant(actor, r)]
    if role:
        wanted = role_named(role)
        shown = [r for r in shown if r == wanted]
    area = _area_named(session, area_code)
    if area is not None and not rules.may_place(actor, _place(area)):
        raise BeyondYourRights(
            field="area",
            reason_vi=f"{area.code} ngoài địa bàn của bạn",
            reason=f"{area.code} is outside your area",
        )
    within = area or (by.scope if by is not None else None)
    rows = queries.list_people(
        session,
        within_path=within.path if within is not None else None,
        roles=shown,
        sign_in_actions=SIGN_IN_ACTIONS,
        active=active,
        text=text.strip() if text else None,
    )
    return [row for row in rows if by is None or row.id != by.id]


def set_role(session: Session, by: StaffMember | None, email: str, role: str) -> User:
    user = _managed(session, by, email)
    wanted = role_named(role)
    area = find_area(session, user.area_id) if user.area_id else None
    _check_grant(by, wanted, area)
    before = Role(user.role)
    if wanted != before:
        queries.change_user(session, user, role=wanted)
        account_queries.retire_keys(session, user)
        _audit(session, by, "user.set_role", user.email, f"{before.value} → {wanted.value}")
    return user


def move_person(session: Session, by: StaffMember | None, email: str, area_code: str) -> User:
    user = _managed(session, by, email)
    area = _area_named(session, area_code)
    _check_grant(by, Role(user.role), area)
    before = find_area(session, user.area_id) if user.area_id else None
    if (area.id if area else None) != user.area_id:
        queries.change_user(session, user, area_id=area.id if area else None)
        account_queries.retire_keys(session, user)
        old, new = (a.code if a else "—" for a in (before, area))
        _audit(session, by, "user.move", user.email, f"{old} → {new}")
    return user


def disable_person(session: Session, by: StaffMember | None, email: str) -> User:
    user = _managed(session, by, email)
    if user.disabled_at is None:
        queries.change_user(session, user, disabled_at=datetime.now(UTC))
    # Again when disabled already: a disabling must leave no key behind, whatever came before.
    account_queries.retire_keys(session, user)
    _audit(session, by, "user.disable", user.email, "disabled")
    return user


def enable_person(session: Session, by: StaffMember | None, email: str) -> User:
    user = _managed(session, by, email)
    if user.disabled_at is not None:
        queries.change_user(session, user, disabled_at=None)
        _audit(session, by, "user.enable", user.email, "enabled")
    return user


def reset_password(
    session: Session, by: StaffMember | None, email: str, password: str | None = None
) -> NewPassword:
    """A new password (made up and returned once when not given); every key the person held
    stops working, as after "sign out everywhere"."""
    user = _managed(session, by, email)
    shown = _generated_password() if password is None else None
    hashed = _password_hash(password if password is not None else shown or "", user.email)
    queries.change_user(session, user, password_hash=hashed)
    account_queries.retire_keys(session, user)
    _audit(session, by, "user.reset_password", user.email, "new password")
    return NewPassword(user.email, shown)
