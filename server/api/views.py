"""JSON routes: health and readiness, sessions (ODK Central's layout), reports and action lists."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from server.api import bp
from server.api.http import (
    bearer_token,
    current_user,
    database_unavailable,
    http_problem,
    problem,
    table_response,
    unrouted_problem,
)
from server.api.schemas import PledgeSchema, SignInSchema, TokenSchema, UserSchema
from server.errors import AuthenticationRequired, InvalidInput, RasoatError, TooManyAttempts
from server.extensions import blob_store, db_session
from server.query_params import AREA, GROUP, INDICATOR, PERIOD, raw_query
from server.services import accounts, action_lists, commitments, reports
from server.services.areas import visible_area
from server.services.health import readiness
from server.storage.transaction import writes, writing

bp.register_error_handler(RasoatError, problem)
bp.register_error_handler(HTTPException, http_problem)
bp.register_error_handler(OperationalError, database_unavailable)
bp.app_errorhandler(HTTPException)(unrouted_problem)


@bp.get("/health")
def health() -> Response:
    """Live: the process answers requests. Nothing else is asked, so a node is not taken for
    dead (and restarted) while the database or the file store is slow: that is /v1/ready."""
    return jsonify(status="ok")


@bp.get("/ready")
def ready() -> tuple[Response, int]:
    """Ready to serve: 503 naming whatever does not answer (a load balancer then sends the
    requests elsewhere, or nowhere, until it is back)."""
    found = readiness(db_session(), blob_store(current_app))
    parts = {"database": found.database, "file_store": found.file_store}
    body = {name: "ok" if up else "unreachable" for name, up in parts.items()}
    down = [name for name, up in parts.items() if not up]
    if down:
        return jsonify(status="unavailable", down=down, **body), 503
    return jsonify(status="ok", **body), 200


def _body(schema: SignInSchema | PledgeSchema) -> dict[str, object]:
    errors = schema.validate(request.get_json(silent=True) or {})
    if errors:
        raise InvalidInput(field=", ".join(sorted(errors)), detail=str(errors))
    loaded: dict[str, object] = schema.load(request.get_json(silent=True) or {})
    return loaded


@bp.post("/sessions")
@writes(commit_on=(AuthenticationRequired, TooManyAttempts))  # failures count towards the limit
def sign_in() -> Response:
    body = _body(SignInSchema())
    issued = accounts.sign_in(
        db_session(), str(body["email"]), str(body["password"]), request.remote_addr or ""
    )
    return jsonify(TokenSchema().dump(issued))


@bp.delete("/sessions/current")
def sign_out() -> Response:
    current_user()
    with writing(db_session()):
        accounts.sign_out(db_session(), bearer_token())
    return jsonify(success=True)


@bp.get("/users/current")
def who_am_i() -> Response:
    return jsonify(UserSchema().dump(current_user()))


def _area() -> str:
    code = (AREA.read() or "").strip()
    if not code:
        raise InvalidInput(field="area", detail="give ?area=<code>")
    return code


def _period() -> int:
    period = PERIOD.read()
    if period is None:
        raise InvalidInput(field="period", detail="give ?period=<review year>")
    return period


@bp.get("/reports/summary")
def summary() -> Response:
    user = current_user()
    area, period = _area(), _period()
    return table_response(
        user,
        area,
        f"tong_hop_{area}_{period}",
        lambda: reports.review_summary(db_session(), user.scope, area, period),
    )


@bp.get("/reports/followup")
def followup() -> Response:
    user = current_user()
    area = _area()
    return table_response(
        user,
        area,
        f"theo_doi_{area}",
        lambda: reports.followup_table(db_session(), user.scope, area),
    )


@bp.get("/reports/commitments")
def commitments_report() -> Response:
    user = current_user()
    area, period = _area(), _period()
    return table_response(
        user,
        area,
        f"chi_tieu_{area}_{period}",
        lambda: commitments.commitments_table(db_session(), user.scope, area, period),
    )


@bp.put("/areas/<code>/commitments/<int:year>")
def pledge(code: str, year: int) -> Response:
    user = current_user()
    accounts.require_personal_data(user)
    with writing(db_session()):
        body = _body(PledgeSchema())
        commitments.set_commitment(db_session(), user.scope, code, year, int(str(body["pledged"])))
    return jsonify(area=code, year=year, pledged=body["pledged"])


@bp.post("/commitments")
def import_pledges() -> Response:
    user = current_user()
    accounts.require_personal_data(user)
    with writing(db_session()):
        upload = request.files.get("file")
        text_body = upload.read().decode("utf-8-sig") if upload else request.get_data(as_text=True)
        count = commitments.import_commitments_csv(db_session(), user.scope, text_body)
    return jsonify(imported=count)


# The lists' download names, in Vietnamese like the tables (the audit log uses them too).
_LIST_FILES = {
    "deficiencies": "thieu_hut",
    "due-visits": "can_tham",
    "relapse-risk": "nguy_co",
    "exited": "thoat_ngheo",
}
_KINDS = ",".join(f'"{kind}"' for kind in action_lists.KINDS)


@bp.get(f"/lists/<any({_KINDS}):kind>")
def action_list(kind: str) -> Response:
    area = _area()
    period = _period() if kind in action_lists.YEARLY else None
    wanted = action_lists.WantedList(
        kind,
        area,
        period,
        indicators=INDICATOR.read_all(),
        groups=GROUP.read_all(),
    )
    user = current_user()
    accounts.require_personal_data(user)
    visible_area(db_session(), user.scope, area)  # a refused request is not a download
    name = _LIST_FILES[kind]
    with writing(db_session()):  # a copy the caller has already is read again, too
        accounts.record_download(db_session(), user, f"list {name}", raw_query())
    return table_response(
        user,
        area,
        f"{name}_{area}",
        lambda: action_lists.action_list(db_session(), user.scope, wanted),
    )
