"""Who is signed in on the pages, in which language, and what they may see.

Flask-Login keeps the signed-in user's id in the session cookie; every page reads the person
and their area (the scope every query is limited to) through `viewer()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import UserMixin, current_user

from server.domain.vocabulary import Role
from server.extensions import babel, db, login_manager
from server.formats.tables import display
from server.services import accounts
from server.storage.accounts import find_user
from server.storage.models import Area, User

LANGUAGES = ("vi", "en")
F = TypeVar("F", bound=Callable[..., Any])


class SignedIn(UserMixin):  # type: ignore[misc]
    """The signed-in person as Flask-Login wants it (the ORM row stays in storage)."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.user = user


@dataclass(frozen=True)
class Viewer:
    user: User
    scope: Area | None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    def can(self, *roles: Role) -> bool:
        return self.role in roles


def _load(user_id: str) -> SignedIn | None:
    user = find_user(db.session, int(user_id)) if user_id.isdigit() else None
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(user)


def _locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return str(session.get("lang", "vi"))


def setup(app: Flask) -> None:
    login_manager.user_loader(_load)
    login_manager.login_view = "web.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=_locale)
    app.jinja_env.globals.update(display=display, language=_locale)


def viewer() -> Viewer:
    if "viewer" not in g:
        user = current_user.user
        g.viewer = Viewer(user, accounts.scope_of(db.session, user))
    found: Viewer = g.viewer
    return found


def signed_in(*roles: Role) -> Callable[[F], F]:
    """The page needs a signed-in person, and one of `roles` when given (else 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("web.login", next=request.full_path))
            if roles and viewer().role not in roles:
                abort(403, gettext("Your role does not allow this page."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
