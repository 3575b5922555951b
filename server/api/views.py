"""JSON routes: health, sessions (ODK Central's layout), reports and action lists."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from server.api import bp
from server.api.http import (
    bearer_token,
    current_user,
    http_problem,
    problem,
    table_response,
)
from server.api.schemas import PledgeSchema, SignInSchema, TokenSchema, UserSchema
from server.errors import AuthenticationRequired, InvalidInput, RasoatError, TooManyAttempts
from server.extensions import db
from server.formats.tables import Table
from server.services import accounts, action_lists, commitments, reports
from server.storage.models import Area
from server.storage.transaction import reading_again, writes, writing

bp.register_error_handler(RasoatError, problem)
bp.register_error_handler(HTTPException, http_problem)


@bp.get("/health")
def health() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        reading_again(db.session)  # the failed connection is handed back
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


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
        db.session, str(body["email"]), str(body["password"]), request.remote_addr or ""
    )
    return jsonify(TokenSchema().dump(issued))


@bp.delete("/sessions/current")
def sign_out() -> Response:
    current_user()
    with writing(db.session):
        accounts.sign_out(db.session, bearer_token())
    return jsonify(success=True)


@bp.get("/users/current")
def who_am_i() -> Response:
    return jsonify(UserSchema().dump(current_user()))


def _area() -> str:
    code = request.args.get("area", "").strip()
    if not code:
        raise InvalidInput(field="area", detail="give ?area=<code>")
    return code


def _period() -> int:
    value = request.args.get("period", "")
    if not value.isdigit():
        raise InvalidInput(field="period", detail="give ?period=<review year>")
    return int(value)


@bp.get("/reports/summary")
def summary() -> Response:
    user = current_user()
    area, period = _area(), _period()
    table = reports.review_summary(db.session, accounts.scope_of(db.session, user), area, period)
    return table_response(table, f"tong_hop_{area}_{period}")


@bp.get("/reports/followup")
def followup() -> Response:
    user = current_user()
    table = reports.followup_table(db.session, accounts.scope_of(db.session, user), _area())
    return table_response(table, f"theo_doi_{_area()}")


@bp.get("/reports/commitments")
def commitments_report() -> Response:
    user = current_user()
    area, period = _area(), _period()
    table = commitments.commitments_table(
        db.session, accounts.scope_of(db.session, user), area, period
    )
    return table_response(table, f"chi_tieu_{area}_{period}")


@bp.put("/areas/<code>/commitments/<int:year>")
def pledge(code: str, year: int) -> Response:
    user = current_user()
    accounts.require_personal_data(user)
    with writing(db.session):
        body = _body(PledgeSchema())
        commitments.set_commitment(
            db.session, accounts.scope_of(db.session, user), code, year, int(str(body["pledged"]))
        )
    return jsonify(area=code, year=year, pledged=body["pledged"])


@bp.post("/commitments")
def import_pledges() -> Response:
    user = current_user()
    accounts.require_personal_data(user)
    with writing(db.session):
        upload = request.files.get("file")
        text_body = upload.read().decode("utf-8-sig") if upload else request.get_data(as_text=True)
        count = commitments.import_commitments_csv(
            db.session, accounts.scope_of(db.session, user), text_body
        )
    return jsonify(imported=count)


def _personal_list(kind: str, build: Callable[[Area | None], Table]) -> Response:
    user = current_user()
    accounts.require_personal_data(user)
    table = build(accounts.scope_of(db.session, user))
    with writing(db.session):
        accounts.record_download(db.session, user, f"list {kind}", request.query_string.decode())
    return table_response(table, f"{kind}_{_area()}")


@bp.get("/lists/deficiencies")
def deficiencies() -> Response:
    area, period = _area(), _period()
    return _personal_list(
        "thieu_hut",
        lambda scope: action_lists.deficiency_list(
            db.session,
            scope,
            area,
            period,
            indicators=request.args.getlist("indicator"),
            groups=request.args.getlist("group"),
        ),
    )


@bp.get("/lists/due-visits")
def due_visits() -> Response:
    area = _area()
    return _personal_list(
        "can_tham", lambda scope: action_lists.due_for_visit_list(db.session, scope, area)
    )


@bp.get("/lists/relapse-risk")
def relapse_risk() -> Response:
    area = _area()
    return _personal_list(
        "nguy_co", lambda scope: action_lists.relapse_risk_list(db.session, scope, area)
    )


@bp.get("/lists/exited")
def exited() -> Response:
    area, period = _area(), _period()
    return _personal_list(
        "thoat_ngheo", lambda scope: action_lists.exited_list(db.session, scope, area, period)
    )
