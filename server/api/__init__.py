"""The JSON API under /v1 (ODK Central's resource layout where one exists)."""

from flask import Blueprint

API_PREFIX = "/v1"
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

# Routes register on import.
from server.api import (  # noqa: E402,F401
    central,
    central_admin,
    central_entities,
    central_forms,
    central_reports,
    raw_exports,
    views,
)
