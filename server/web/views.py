"""Pages. The landing page tells a visitor what this server is and how to connect a phone."""

from __future__ import annotations

from flask import current_app, render_template

from server.extensions import db
from server.services import phone_forms
from server.web import bp


@bp.get("/")
def home() -> str:
    return render_template(
        "home.html",
        base_url=current_app.config["RASOAT_BASE_URL"],
        forms=phone_forms.published_forms(db.session),
    )
