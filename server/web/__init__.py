"""Server-rendered pages for staff: mobile-first, Vietnamese by default, English on request."""

from flask import Blueprint, Flask

bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)


def setup(app: Flask) -> None:
    """Sign-in, language and template helpers for the pages."""
    from server.web import session, times

    session.setup(app)
    times.setup(app)


# Routes register on import.
from server.web import (  # noqa: E402,F401
    area_pages,
    audit,
    commendation_pages,
    connect_pages,
    dialogue_pages,
    form_pages,
    phones,
    plan_pages,
    submissions,
    tables,
    users,
    views,
)
