"""The `rasoat` command: serve, database, forms, phones (app users), staff users."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from server import config, create_app, demo, log_masking
from server.domain.vocabulary import FormState
from server.errors import RasoatError
from server.extensions import blob_store, db, db_session
from server.services import (
    accounts,
    app_users,
    forms,
    forwarding,
    phone_setup,
    registry,
    upkeep,
    users,
)
from server.storage.transaction import writing
from sync.cli import sync_group

logger = logging.getLogger("rasoat")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False)
def main() -> None:
    """rasoat — máy chủ rà soát hộ nghèo / poverty-review survey server."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


# `rasoat sync …`: the store-and-forward client (the sync package never imports the server).
main.add_command(sync_group)


def _fail(error: RasoatError) -> click.ClickException:
    return click.ClickException(error.message)


@contextmanager
def _command_unit() -> Iterator[None]:
    """A command's write unit: all of it is kept, or nothing and a message saying why."""
    try:
        with writing(db_session()):
            yield
    except RasoatError as exc:
        raise _fail(exc) from exc


def prepare(app: Flask, *, load_demo: bool) -> demo.DemoSetup | None:
    """Everything a start needs: rules, schema, leftover files, default project, shipped forms,
    demo."""
    try:
        standards = registry.load_rules()
    except RasoatError as exc:
        raise click.ClickException(f"poverty standards: {exc.message_en}") from exc
    logger.info("poverty standards: %s", ", ".join(s.code for s in standards))
    with app.app_context():
        upgrade()
        upkeep.refresh_statistics(db_session())
        with writing(db_session()):
            store = blob_store(app)
            removed = upkeep.sweep_unreferenced_files(db_session(), store)
            if removed:
                logger.info("removed %d files no stored record refers to", removed)
            forms.ensure_default_project(db_session())
            report = forms.publish_shipped_forms(
                db_session(), store, Path(app.config["RASOAT_FORMS_DIR"])
            )
            for name, error in report.failed.items():
                logger.error("form %s not published: %s", name, error.message_en)
            setup = None
            if load_demo and demo.needs_demo(db_session()):
                setup = demo.load_demo(db_session(), store, app.config["RASOAT_REALM"])
        for engine in db.engines.values():
            # Workers are forked from this process; they must open their own connections.
            engine.dispose()
    return setup


def _print_phone(app: Flask, new: app_users.NewAppUser, project_name: str) -> None:
    setup = phone_setup.phone_setup(app.config["RASOAT_BASE_URL"], new, project_name)
    folder = Path(app.config["RASOAT_DATA_DIR"]) / "qr"
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for code, suffix in ((setup.qr, ""), (setup.browser_qr, "-trinh-duyet")):
        for extension in ("png", "svg"):
            path = folder / f"{new.login}{suffix}.{extension}"
            code.save(str(path), scale=6)
            path.chmod(0o600)  # the codes are the phone's key
            saved.append(path)
    click.echo(f"Điện thoại / phone: {new.display_name} (login {new.login})")
    click.echo("")
    click.echo("1. Điện thoại Android có ODK Collect / an Android phone with ODK Collect:")
    click.echo(f"   URL máy chủ / server URL:\n   {setup.url}")
    _echo_qr(
        setup.collect_payload,
        "Quét trong ODK Collect (Cài đặt → Quản lý dự án) / scan it in ODK Collect",
    )
    click.echo("2. Không có Android: mở trong trình duyệt (điện thoại, máy tính)")
    click.echo("   / without Android, open in a browser (phone or computer):")
    click.echo(f"   {setup.browser_url}")
    _echo_qr(setup.browser_url, "Quét bằng máy ảnh để mở trang / scan it with the camera")
    click.echo("Giữ kín: ai có mã hoặc đường dẫn này đều gửi được phiếu thay điện thoại này.")
    click.echo("Keep them private: whoever has the code or the link sends records as this phone.")
    click.echo("Mã QR đã lưu / QR codes saved: " + ", ".join(str(p) for p in saved))


def _echo_qr(text: str, caption: str) -> None:
    drawn = phone_setup.terminal_qr(text)
    if drawn is None:
        click.echo(f"   ({caption}: the code is too large for a terminal, open the PNG below)")
        return
    click.echo(f"   {caption}:")
    click.echo(drawn, nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", "load_demo", is_flag=True, help="Load demo areas, admin and phone.")
@click.option("--workers", default=lambda: os.cpu_count() or 2, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--upstream",
    help="Forward every stored submission to this server (a phone's token URL there, or its"
    " base URL with --upstream-token). Default: $RASOAT_UPSTREAM_URL.",
)
@click.option("--upstream-token", help="The upstream phone's token ($RASOAT_UPSTREAM_TOKEN).")
def serve(
    host: str,
    port: int,
    load_demo: bool,
    workers: int,
    threads: int,
    upstream: str | None,
    upstream_token: str | None,
) -> None:
    """Upgrade the database, publish forms/ and serve (gunicorn)."""
    from server import serving

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    refusal = config.missing_shared_secret(app.config)
    if refusal is not None:
        raise click.ClickException(refusal)
    if upstream:
        app.config["RASOAT_UPSTREAM_URL"] = upstream
    if upstream_token:
        app.config["RASOAT_UPSTREAM_TOKEN"] = upstream_token
    if "RASOAT_BASE_URL" not in os.environ:
        shown_host = "127.0.0.1" if host == "0.0.0.0" else host  # noqa: S104
        app.config["RASOAT_BASE_URL"] = f"http://{shown_host}:{port}"
    setup = prepare(app, load_demo=load_demo)
    if setup is not None:
        click.echo(f"Demo: {setup.admin_email} / {setup.admin_password}")
        _print_phone(app, setup.phone, forms.DEFAULT_PROJECT_NAME)
    database = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    click.echo(f"rasoat: {app.config['RASOAT_BASE_URL']} ({database})")
    if app.config["RASOAT_UPSTREAM_URL"]:
        upstream_url = log_masking.mask(str(app.config["RASOAT_UPSTREAM_URL"]))
        click.echo(f"Chuyển tiếp lên / forwarding to {upstream_url}")
    serving.run(app, host=host, port=port, workers=workers, threads=threads)


@main.group("app-user")
def app_user_group() -> None:
    """Phones (app users): create, list, revoke."""


@app_user_group.command("create")
@click.option("--name", required=True, help="Display name, e.g. the cadre's name.")
@click.option("--area", "area_code", help="Area code the phone is limited to.")
@click.option("--project", "project_id", default=1, show_default=True, type=int)
@click.option("--form", "form_ids", multiple=True, help="Limit to these form ids (repeatable).")
@with_appcontext
def app_user_create(
    name: str, area_code: str | None, project_id: int, form_ids: tuple[str, ...]
) -> None:
    """Create a phone login and print its ODK Collect URL and QR code."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade()
    with _command_unit():
        forms.ensure_default_project(db_session())
        new = app_users.create_app_user(
            db_session(),
            project_id=project_id,
            display_name=name,
            realm=app.config["RASOAT_REALM"],
            area_code=area_code,
            form_ids=form_ids,
        )
        project_name = phone_setup.project_name(db_session(), project_id)
    _print_phone(app, new, project_name)


@app_user_group.command("revoke")
@click.argument("login")
@click.option("--project", "project_id", default=1, type=int)
@with_appcontext
def app_user_revoke(login: str, project_id: int) -> None:
    """Revoke a phone: its token stops working at once."""
    with _command_unit():
        app_users.revoke_app_user(db_session(), project_id, login)
    click.echo(f"revoked {login}")


@main.group("upstream")
def upstream_group() -> None:
    """Forwarding to the upstream server (RASOAT_UPSTREAM_URL)."""


@upstream_group.command("status")
@with_appcontext
def upstream_status() -> None:
    """What the forwarding queue holds: queued, sent, refused, and the records to look at."""
    now = forwarding.status(db_session())
    click.echo(
        f"đang chờ gửi / queued: {now.queued}   đã gửi / sent: {now.sent}"
        f"   bị từ chối / refused: {now.refused}"
    )
    for entry in forwarding.needing_attention(db_session()):
        word = "bị từ chối / refused" if entry.state == "refused" else "chưa gửi được / failing"
        click.echo(
            f"  {word}: {entry.xml_form_id} {entry.instance_id}"
            f" (HTTP {entry.last_status or '-'}, {entry.attempts}×): {entry.message or ''}"
        )


@main.group("forms")
def forms_group() -> None:
    """Forms: publish an XLSForm, change a form's state."""


@forms_group.command("publish")
@click.argument("xlsform", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "project_id", default=1, type=int)
@click.option("--media", "media_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--validate/--no-validate", default=True, help="Run ODK Validate (needs Java).")
@with_appcontext
def forms_publish(xlsform: Path, project_id: int, media_dir: Path | None, validate: bool) -> None:
    """Publish an XLSForm (and its media files) as a new form version."""
    files = sorted(p for p in media_dir.iterdir() if p.is_file()) if media_dir else []
    media = {p.name: p.read_bytes() for p in files}
    with _command_unit():
        forms.ensure_default_project(db_session())
        published = forms.publish_xlsform(
            db_session(),
            blob_store(current_app),
            project_id=project_id,
            data=xlsform.read_bytes(),
            filename=xlsform.name,
            media=media,
            validate=validate,
        )
    for warning in published.warnings:
        click.echo(f"warning: {warning}")
    state = "published" if published.created else "unchanged"
    click.echo(f"{state}: {published.form.xml_form_id} version {published.version.version}")


@forms_group.command("state")
@click.argument("xml_form_id")
@click.argument("state", type=click.Choice([s.value for s in FormState]))
@click.option("--project", "project_id", default=1, type=int)
@with_appcontext
def forms_state(xml_form_id: str, state: str, project_id: int) -> None:
    """Open, close (no more submissions) or set a form to closing."""
    with _command_unit():
        forms.set_form_state(db_session(), project_id, xml_form_id, FormState(state))
    click.echo(f"{xml_form_id}: {state}")


# The period is the list year (server/domain/periods.py).
PERIOD_HELP = "List year, e.g. 2027 (the list the late-2026 review makes)."


@main.command()
@click.option("--period", required=True, type=int, help=PERIOD_HELP)
@with_appcontext
def reclassify(period: int) -> None:
    """Derive a period's household reviews again from the stored raw XML."""
    from server.services.reclassify import reclassify as run

    upgrade()

    def progress(done: int) -> None:
        if done % 200 == 0:
            click.echo(f"  {done} phiếu / records …")

    with _command_unit():
        report = run(db_session(), period, progress)
    click.echo(
        f"Kỳ {report.period}: {report.records} phiếu, {report.reviews} hộ được xếp loại / "
        f"period {report.period}: {report.records} records, {report.reviews} household reviews"
    )


@main.group("areas")
def areas_group() -> None:
    """Areas: import the tree of provinces, communes, villages from CSV."""


@areas_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--ended-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="For a list of new units: the last day of the old ones (default 2025-06-30).",
)
@with_appcontext
def areas_import(csv_file: Path, ended_on: datetime | None) -> None:
    """Add areas (code,name,level,parent_code,urban[,valid_from,valid_to,successor_codes,
    households_YYYY…]); existing codes get their household counts updated. A file with the
    columns old_code,new_code,new_name,new_level,parent_code[,urban] is the official list of
    new units of a reform: it creates them, ends the old ones, records the successors and
    re-hangs the villages."""
    from server.services.areas import import_areas_csv
    from server.services.reform import REFORM_ENDED_ON, import_reform_csv, is_reform_list

    upgrade()
    text = csv_file.read_text(encoding="utf-8-sig")
    if is_reform_list(text):
        last_day = ended_on.date() if ended_on else REFORM_ENDED_ON
        with _command_unit():
            reform = import_reform_csv(db_session(), text, ended_on=last_day)
        click.echo(
            f"{reform.created} đơn vị mới, {reform.ended} đơn vị cũ kết thúc ngày "
            f"{last_day.isoformat()}, {reform.moved_villages} thôn chuyển sang đơn vị mới / "
            f"{reform.created} new units, {reform.ended} old units ended on "
            f"{last_day.isoformat()}, {reform.moved_villages} villages moved to the new units"
        )
        return
    if ended_on is not None:
        raise click.UsageError("--ended-on is for a list of new units (old_code,new_code,…)")
    with _command_unit():
        report = import_areas_csv(db_session(), text)
    click.echo(
        f"{report.created} đơn vị mới, {report.unchanged} đã có / "
        f"{report.created} new areas, {report.unchanged} already known"
    )


@main.group("score-table")
def score_table_group() -> None:
    """Score tables of the scoring method (Phiếu B), one per region."""


@score_table_group.command("import")
@click.argument("code")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="The document the points come from.")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The score-table folder (default: the shipped one).",
)
def score_table_import(code: str, csv_file: Path, source: str, folder: Path | None) -> None:
    """Replace the table CODE (e.g. a sample) by the official one in CSV_FILE
    (item,item_vi,item_en,answer,answer_vi,answer_en,points)."""
    from server.domain.score_table_file import DEFAULT_FOLDER
    from server.services.score_tables import import_score_table

    try:
        table = import_score_table(
            code,
            csv_file.read_text(encoding="utf-8-sig"),
            source,
            file_name=csv_file.name,
            folder=folder or DEFAULT_FOLDER,
        )
    except RasoatError as exc:
        raise _fail(exc) from exc
    click.echo(
        f"Bảng {table.code} ({table.name_vi}): {len(table.items)} câu hỏi. Tạo lại phiếu "
        "(forms/build.py) rồi chạy `rasoat reclassify`. / "
        f"Table {table.code} ({table.name_en}): {len(table.items)} questions. Rebuild the "
        "forms (forms/build.py), then run `rasoat reclassify`."
    )


@main.group("report")
def report_group() -> None:
    """Tables for commune and district staff, as XLSX or CSV files."""


@report_group.command("summary")
@click.option("--area", "area_code", required=True, help="Area code, e.g. 468 for a district.")
@click.option("--period", required=True, type=int, help=PERIOD_HELP)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "csv"]), default="xlsx")
@click.option("--language", type=click.Choice(["vi", "en"]), default="vi")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def report_summary(area_code: str, period: int, file_format: str, language: str, out: Path) -> None:
    """The review summary (one row per area below the chosen one) to a file."""
    from server.formats.table_files import csv_bytes, write_xlsx
    from server.services.reports import review_summary

    try:
        table = review_summary(db_session(), None, area_code, period)
    except RasoatError as exc:
        raise _fail(exc) from exc
    if file_format == "csv":
        out.write_bytes(csv_bytes(table, language))
    else:
        with out.open("wb") as handle:
            write_xlsx([table], handle, language)
    click.echo(f"{out} ({table.title(language)})")


@main.command("export")
@click.option("--form", "xml_form_id", required=True, help="The form's id, e.g. household_survey.")
@click.option("--format", "file_format", type=click.Choice(["csv.zip", "xlsx"]), default="csv.zip")
@click.option("--area", "area_code", help="Only the records of this area.")
@click.option("--project", "project_id", default=1, show_default=True, type=int)
@click.option("--labels", is_flag=True, help="Questions and choices by their labels.")
@click.option("--split-multiples", is_flag=True, help="A 0/1 column per choice of a multiple.")
@click.option("--group-prefixes", is_flag=True, help="Headings prefixed by their groups.")
@click.option("--language", type=click.Choice(["vi", "en"]), default="vi")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export(
    xml_form_id: str,
    file_format: str,
    area_code: str | None,
    project_id: int,
    labels: bool,
    split_multiples: bool,
    group_prefixes: bool,
    language: str,
    out: Path,
) -> None:
    """A form's records as Central's CSV zip (one file per repeat) or an XLSX."""
    from server.formats.raw_export import ExportOptions
    from server.services import raw_exports

    options = ExportOptions(labels, split_multiples, group_prefixes, language)
    request = raw_exports.ExportRequest(project_id, xml_form_id, file_format, options, area_code)
    with _command_unit():  # the audit event, before the long reading
        prepared = raw_exports.prepare(db_session(), None, request)
    with out.open("wb") as handle:
        count = raw_exports.write(db_session(), prepared, handle)
    click.echo(f"{out} ({count} records)")


@main.group("users")
def users_group() -> None:
    """Staff accounts for the web pages and the JSON API."""


@users_group.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="Quản trị viên", show_default=True)
@click.option("--area", "area_code", help="Limit the administrator to this area.")
@click.password_option(help="At least 10 characters (asked for when not given).")
@with_appcontext
def users_create_admin(email: str, display_name: str, area_code: str | None, password: str) -> None:
    """Create the first administrator (or another one)."""
    from server.domain.vocabulary import Role
    from server.services.users import create_user

    upgrade()
    with _command_unit():
        create_user(
            db_session(),
            email=email,
            display_name=display_name,
            password=password,
            role=Role.ADMINISTRATOR,
            area_code=area_code,
        )
    click.echo(f"administrator {email.strip().lower()} created")


@users_group.command("unlock")
@click.argument("email")
@with_appcontext
def users_unlock(email: str) -> None:
    """Lift the lock that wrong passwords put on an account (written in the audit log)."""
    with _command_unit():
        accounts.clear_lockout(db_session(), None, email)
    click.echo(f"the lock of {email.strip().lower()} is lifted")


@users_group.command("sign-out-everywhere")
@click.argument("email")
@with_appcontext
def users_sign_out_everywhere(email: str) -> None:
    """End every page session, API token, known device and web-form key of a person."""
    with _command_unit():
        accounts.retire_keys_of(db_session(), None, email)
    click.echo(f"{email.strip().lower()} is signed out everywhere")


BY_HELP = (
    "E-mail of the person acting, whose rights are checked (an officer: only within their area,"
    " only roles below theirs). Without it the command acts as this machine's operator:"
    " unrestricted."
)
ROLE_HELP = "administrator, upper_officer, commune_officer or viewer."


def _acting(by: str | None) -> accounts.StaffMember | None:
    return users.acting_person(db_session(), by) if by else None


def _show_password(new: users.NewPassword) -> None:
    if new.password is not None:
        click.echo(
            "Mật khẩu dùng một lần (chỉ hiện lần này) / one-time password (shown only now): "
            f"{new.password}"
        )


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="The person's full name.")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--area", "area_code", help="Area code (none: the whole province; admins only).")
@click.option("--password", help="At least 10 characters; without it one is made up and shown.")
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_create(
    email: str,
    display_name: str,
    role: str,
    area_code: str | None,
    password: str | None,
    by: str | None,
) -> None:
    """Create a staff account of any role."""
    upgrade()
    with _command_unit():
        new = users.create_person(
            db_session(),
            _acting(by),
            email=email,
            display_name=display_name,
            role=role,
            area_code=area_code,
            password=password,
        )
    click.echo(f"{new.email} created ({role.strip().lower()}, {area_code or '—'})")
    _show_password(new)


@users_group.command("list")
@click.option("--role", help="Only this role.")
@click.option("--area", "area_code", help="Only the people within this area.")
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_list(role: str | None, area_code: str | None, by: str | None) -> None:
    """The accounts: e-mail, name, role, area, state, last sign-in."""
    try:
        rows = users.list_people(db_session(), _acting(by), role=role, area_code=area_code)
    except RasoatError as exc:
        raise _fail(exc) from exc
    table = [("email", "name", "role", "area", "state", "last sign-in")]
    for row in rows:
        state = "disabled" if row.disabled_at is not None else "active"
        last = row.last_sign_in.strftime("%Y-%m-%d %H:%M") if row.last_sign_in else "—"
        area = f"{row.area_name} ({row.area_code})" if row.area_code else "—"
        table.append((row.email, row.display_name, row.role.value, area, state, last))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


@users_group.command("set-role")
@click.argument("email")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_set_role(email: str, role: str, by: str | None) -> None:
    """Change a person's role (their sessions and keys end at once)."""
    with _command_unit():
        users.set_role(db_session(), _acting(by), email, role)
    click.echo(f"{email.strip().lower()}: {role.strip().lower()}")


@users_group.command("move")
@click.argument("email")
@click.option("--area", "area_code", required=True, help="The new area's code.")
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_move(email: str, area_code: str, by: str | None) -> None:
    """Move a person to another area (their sessions and keys end at once)."""
    with _command_unit():
        users.move_person(db_session(), _acting(by), email, area_code)
    click.echo(f"{email.strip().lower()} moved to {area_code}")


@users_group.command("disable")
@click.argument("email")
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_disable(email: str, by: str | None) -> None:
    """Disable an account: every way in (pages, API tokens, web-form key) ends at once."""
    with _command_unit():
        users.disable_person(db_session(), _acting(by), email)
    click.echo(f"{email.strip().lower()} is disabled")


@users_group.command("enable")
@click.argument("email")
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_enable(email: str, by: str | None) -> None:
    """Enable a disabled account again."""
    with _command_unit():
        users.enable_person(db_session(), _acting(by), email)
    click.echo(f"{email.strip().lower()} is enabled")


@users_group.command("reset-password")
@click.argument("email")
@click.option("--password", help="The new password; without it one is made up and shown once.")
@click.option("--by", help=BY_HELP)
@with_appcontext
def users_reset_password(email: str, password: str | None, by: str | None) -> None:
    """Give a person a new password (their sessions and keys end at once)."""
    with _command_unit():
        new = users.reset_password(db_session(), _acting(by), email, password)
    click.echo(f"{new.email}: new password set")
    _show_password(new)
