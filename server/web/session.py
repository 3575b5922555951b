"""Who is signed in on the pages, in which language, and what they may see.

Flask-Login keeps the signed-in user's id in the session cookie; every page reads the person
and their area (`scope`, the limit of every query) through `viewer()`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, redirect, request, session, url_for
from flask_login import UserMixin, current_user

from server.domain.vocabulary import Role
from server.errors import RoleNotAllowed
from server.extensions import babel, db_session, login_manager
from server.formats.tables import display
from server.query_params import LANG
from server.services import accounts
from server.services.accounts import StaffMember
from server.web.numbers import shown, whole

LANGUAGES = ("vi", "en")
F = TypeVar("F", bound=Callable[..., Any])


class SignedIn(UserMixin):  # type: ignore[misc]
    """The signed-in person as Flask-Login wants it; templates read `current_user.user`."""

    def __init__(self, member: StaffMember) -> None:
        self.id = member.id
        self.user = member

    def get_id(self) -> str:
        # The session cookie names the key version too: "sign out everywhere" (or a change of
        # role, area or state) ends the page sessions of every browser.
        return f"{self.id}:{self.user.key_version}"


def _load(session_id: str) -> SignedIn | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a cookie from before key versions: sign in again
    member = accounts.active_member(db_session(), int(user_id), int(version))
    return SignedIn(member) if member is not None else None


def _locale() -> str:
    wanted = LANG.read()
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return str(session.get("lang", "vi"))


def setup(app: Flask) -> None:
    login_manager.user_loader(_load)
    login_manager.login_view = "web.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=_locale)
    app.jinja_env.globals.update(
        display=display, shown=shown, whole=whole, language=_locale, Role=Role
    )


def viewer() -> StaffMember:
    """The signed-in person of this request (only on pages behind `signed_in`)."""
    member: StaffMember = current_user.user
    return member


def signed_in(*roles: Role) -> Callable[[F], F]:
    """The page needs a signed-in person, and one of `roles` when given (else RoleNotAllowed)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("web.login", next=request.full_path))
            if roles and viewer().role not in roles:
                raise RoleNotAllowed()
            return view(*args, **kwargs)

        return cast(F, wrapped)  # same arguments; a redirect or the view's own answer

    return decorate
