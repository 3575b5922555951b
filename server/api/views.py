"""JSON routes. For now: the health check used by deployments, tests and the sync client."""

from __future__ import annotations

from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from server.api import bp
from server.extensions import db


@bp.get("/health")
def health() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
