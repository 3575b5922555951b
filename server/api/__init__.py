"""The JSON API under /v1 (ODK Central's resource layout where one exists)."""

from flask import Blueprint

API_PREFIX = "/v1"
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

from server.api import central, central_admin, central_forms, raw_exports, views  # noqa: E402,F401  (routes register on import)
