"""Server-rendered pages for staff (grows with the web-interface issue)."""

from flask import Blueprint

bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)

from server.web import views  # noqa: E402,F401  (routes register on import)
