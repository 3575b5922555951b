"""`rasoat users …`: the whole account lifecycle from the command line, on the test database.
Bad input is refused with a message naming the field, a non-zero exit code, and nothing
written (the user and audit tables are compared before and after)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from server.cli import main
from server.domain.vocabulary import Role
from server.services.users import create_user
from tests.conftest import TEST_SECRET
from tests.support.factories import make_areas

PASSWORD = "mật-khẩu-thật-dài"
ADMIN = "admin@tinh.vn"
UPPER = "huyen@camlo.vn"
COMMUNE = "tuyen@camlo.vn"


@pytest.fixture
def people(session: Session) -> Session:
    make_areas(session)
    session.commit()
    for email, role, area in (
        (ADMIN, Role.ADMINISTRATOR, None),
        (UPPER, Role.UPPER_OFFICER, "468"),
        (COMMUNE, Role.COMMUNE_OFFICER, "19603"),
    ):
        create_user(
            session, email=email, display_name=email, password=PASSWORD, role=role, area_code=area
        )
    session.commit()
    return session


def rasoat(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, ["users", *args])


def snapshot(session: Session) -> tuple[object, ...]:
    session.rollback()  # a new read transaction sees what the command wrote
    users = session.execute(
        text(
            'SELECT email, role, area_id, disabled_at, key_version, password_hash FROM "user" '
            "ORDER BY email"
        )
    ).all()
    events = session.execute(text("SELECT count(*) FROM audit_event")).scalar()
    return (tuple(tuple(row) for row in users), events)


def person(session: Session, email: str) -> dict[str, object]:
    session.rollback()
    row = session.execute(
        text(
            'SELECT u.role, a.code AS area, u.disabled_at, u.key_version FROM "user" u '
            "LEFT JOIN area a ON a.id = u.area_id WHERE u.email = :e"
        ),
        {"e": email},
    ).one()
    return dict(row._mapping)


def audited(session: Session, action: str) -> list[tuple[str, str | None]]:
    session.rollback()
    rows = session.execute(
        text("SELECT target, details FROM audit_event WHERE action = :a ORDER BY id"),
        {"a": action},
    ).all()
    return [(row.target, row.details) for row in rows]


def refused(app: Flask, session: Session, *args: str) -> str:
    """The command's message when it fails, having written nothing."""
    before = snapshot(session)
    result = rasoat(app, *args)
    assert result.exit_code != 0, result.output
    assert snapshot(session) == before
    return result.output


def test_the_operator_creates_an_officer_with_a_password_made_up_and_shown_once(
    app: Flask, people: Session
) -> None:
    result = rasoat(
        app,
        "create",
        "--email",
        "Lan@CamLo.vn",
        "--name",
        "Lê Thị Lan",
        "--role",
        "commune_officer",
        "--area",
        "19612",
    )

    assert result.exit_code == 0, result.output
    assert "lan@camlo.vn created" in result.output
    shown = result.output.split("shown only now): ")[1].strip()
    assert len(shown) == 16
    assert person(people, "lan@camlo.vn")["area"] == "19612"
    assert audited(people, "user.create")[-1] == (
        "lan@camlo.vn",
        "role commune_officer, area 19612; command line",
    )


def test_a_made_up_password_signs_in(app: Flask, people: Session) -> None:
    from server.services.accounts import sign_in

    result = rasoat(
        app,
        "create",
        "--email",
        "xem@camlo.vn",
        "--name",
        "Xem",
        "--role",
        "viewer",
        "--area",
        "468",
        "--by",
        UPPER,
    )
    shown = result.output.split("shown only now): ")[1].strip()

    people.rollback()
    assert sign_in(people, "xem@camlo.vn", shown).token


def test_the_list_shows_email_name_role_area_state_and_last_sign_in(
    app: Flask, people: Session
) -> None:
    from server.services.accounts import sign_in

    people.rollback()
    sign_in(people, COMMUNE, PASSWORD)
    people.commit()
    rasoat(app, "disable", UPPER)

    result = rasoat(app, "list")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["email", "name", "role", "area", "state", "last", "sign-in"]
    by_email = {line.split()[0]: line for line in lines[1:]}
    assert set(by_email) == {ADMIN, UPPER, COMMUNE}
    assert "Xã Cam Tuyền (19603)" in by_email[COMMUNE] and "active" in by_email[COMMUNE]
    assert "disabled" in by_email[UPPER]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d$", by_email[COMMUNE]), "signed in"
    assert by_email[ADMIN].endswith("—"), "never signed in"


def test_an_officer_lists_only_the_people_below_them_in_their_area(
    app: Flask, people: Session
) -> None:
    rasoat(
        app,
        "create",
        "--email",
        "a@x.vn",
        "--name",
        "A",
        "--role",
        "viewer",
        "--area",
        "19612",
        "--password",
        PASSWORD,
    )

    result = rasoat(app, "list", "--by", COMMUNE)
    upper = rasoat(app, "list", "--by", UPPER)

    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == []
    emails = {line.split()[0] for line in upper.output.splitlines()[1:]}
    assert emails == {COMMUNE, "a@x.vn"}


def test_set_role_move_disable_enable_and_reset_password_each_change_and_audit(
    app: Flask, people: Session
) -> None:
    assert rasoat(app, "set-role", COMMUNE, "--role", "viewer").exit_code == 0
    assert person(people, COMMUNE)["role"] == "viewer"
    assert rasoat(app, "move", COMMUNE, "--area", "19612", "--by", UPPER).exit_code == 0
    assert person(people, COMMUNE)["area"] == "19612"
    assert rasoat(app, "disable", COMMUNE, "--by", ADMIN).exit_code == 0
    assert person(people, COMMUNE)["disabled_at"] is not None
    assert rasoat(app, "enable", COMMUNE).exit_code == 0
    assert person(people, COMMUNE)["disabled_at"] is None
    reset = rasoat(app, "reset-password", COMMUNE, "--password", "một-mật-khẩu-mới")
    assert reset.exit_code == 0 and "shown only now" not in reset.output
    made_up = rasoat(app, "reset-password", COMMUNE)
    assert "shown only now" in made_up.output

    assert audited(people, "user.set_role") == [(COMMUNE, "commune_officer → viewer; command line")]
    assert audited(people, "user.move") == [(COMMUNE, "19603 → 19612")]
    assert audited(people, "user.disable") == [(COMMUNE, "disabled")]
    assert audited(people, "user.enable") == [(COMMUNE, "enabled; command line")]
    assert len(audited(people, "user.reset_password")) == 2


def test_a_change_of_role_area_or_state_ends_the_persons_api_tokens(
    app: Flask, people: Session
) -> None:
    from server.errors import AuthenticationRequired
    from server.services.accounts import member_for_token, sign_in

    for command in (
        ("set-role", "--role", "viewer"),
        ("move", "--area", "19612"),
        ("disable",),
        ("reset-password",),
    ):
        rasoat(app, "enable", COMMUNE)
        people.rollback()
        token = sign_in(people, COMMUNE, PASSWORD).token if command[0] != "reset-password" else ""
        people.commit()
        version = person(people, COMMUNE)["key_version"]
        assert rasoat(app, command[0], COMMUNE, *command[1:]).exit_code == 0
        assert person(people, COMMUNE)["key_version"] != version
        if token:
            with pytest.raises(AuthenticationRequired):
                member_for_token(people, token)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--role", "district", "--area", "19603"), "role"),
        (("--role", "commune_officer", "--area", "99999"), "area"),
        (("--role", "commune_officer", "--area", "468"), "area"),
        (("--role", "upper_officer", "--area", "19603"), "area"),
        (("--role", "commune_officer", "--area", "1960301"), "area"),
        (("--role", "viewer"), "area"),
        (("--role", "commune_officer", "--area", "19603", "--password", "ngan"), "password"),
    ],
    ids=[
        "unknown role",
        "unknown area",
        "commune officer above a commune",
        "upper officer in a commune",
        "a village",
        "a viewer without area",
        "weak password",
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    app: Flask, people: Session, args: tuple[str, ...], field: str
) -> None:
    message = refused(app, people, "create", "--email", "moi@camlo.vn", "--name", "Mới", *args)

    assert f" {field} " in message or f" {field}:" in message or f" {field}." in message


def test_a_duplicate_email_is_refused_naming_the_email(app: Flask, people: Session) -> None:
    message = refused(
        app,
        people,
        "create",
        "--email",
        " TUYEN@camlo.vn",
        "--name",
        "Lại",
        "--role",
        "viewer",
        "--area",
        "19603",
        "--password",
        PASSWORD,
    )

    assert "email" in message and "tuyen@camlo.vn" in message and "exists already" in message


def test_an_invalid_email_is_refused(app: Flask, people: Session) -> None:
    message = refused(
        app,
        people,
        "create",
        "--email",
        "không-phải-email",
        "--name",
        "X",
        "--role",
        "viewer",
        "--area",
        "19603",
    )
    assert "email" in message


def test_an_officer_may_not_create_outside_their_area_or_at_their_own_rank(
    app: Flask, people: Session
) -> None:
    outside = refused(
        app,
        people,
        "create",
        "--email",
        "moi@camlo.vn",
        "--name",
        "Mới",
        "--role",
        "viewer",
        "--area",
        "19612",
        "--by",
        COMMUNE,
    )
    same_rank = refused(
        app,
        people,
        "create",
        "--email",
        "moi@camlo.vn",
        "--name",
        "Mới",
        "--role",
        "commune_officer",
        "--area",
        "19603",
        "--by",
        COMMUNE,
    )
    province = refused(
        app,
        people,
        "create",
        "--email",
        "moi@camlo.vn",
        "--name",
        "Mới",
        "--role",
        "viewer",
        "--area",
        "45",
        "--by",
        UPPER,
    )

    assert "Beyond your rights in area" in outside and "19612" in outside
    assert "Beyond your rights in role" in same_rank
    assert "Beyond your rights in area" in province


def test_an_officer_may_not_change_someone_they_do_not_manage(app: Flask, people: Session) -> None:
    assert "Beyond your rights in email" in refused(app, people, "disable", UPPER, "--by", COMMUNE)
    yourself = refused(app, people, "disable", COMMUNE, "--by", COMMUNE)
    assert "Beyond your rights in email" in yourself
    assert "Beyond your rights in area" in refused(
        app, people, "move", COMMUNE, "--area", "45", "--by", UPPER
    )
    assert "Beyond your rights in role" in refused(
        app, people, "set-role", COMMUNE, "--role", "upper_officer", "--by", UPPER
    )
    assert "--by" in refused(app, people, "disable", COMMUNE, "--by", "ai@dau.vn")


def test_changing_an_unknown_person_names_the_email(app: Flask, people: Session) -> None:
    for command in (
        ("disable",),
        ("enable",),
        ("reset-password",),
        ("move", "--area", "19603"),
        ("set-role", "--role", "viewer"),
    ):
        message = refused(app, people, command[0], "ai@dau.vn", *command[1:])
        assert "no account ai@dau.vn in email" in message


def test_moving_or_changing_role_to_a_bad_value_names_the_field(
    app: Flask, people: Session
) -> None:
    assert "area" in refused(app, people, "move", COMMUNE, "--area", "468")
    assert "area" in refused(app, people, "move", COMMUNE, "--area", "nowhere")
    assert "role" in refused(app, people, "set-role", COMMUNE, "--role", "boss")
    assert "area" in refused(app, people, "set-role", COMMUNE, "--role", "upper_officer")
    assert "password" in refused(app, people, "reset-password", COMMUNE, "--password", "ngan")


def test_the_help_says_that_without_by_the_command_is_unrestricted(app: Flask) -> None:
    result = app.test_cli_runner().invoke(main, ["users", "create", "--help"])
    assert "unrestricted" in " ".join(result.output.split())


def test_the_installed_command_creates_and_refuses_with_its_exit_code(
    people: Session, database_url: str, data_dir: Path
) -> None:
    env = {
        **os.environ,
        "RASOAT_DATABASE_URL": database_url,
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_SECRET_KEY": TEST_SECRET,
    }
    base = [
        sys.executable,
        "-m",
        "server",
        "users",
        "create",
        "--email",
        "moi@camlo.vn",
        "--name",
        "Mới",
        "--area",
        "19603",
    ]

    bad = subprocess.run(
        [*base, "--role", "chief"], env=env, capture_output=True, text=True, timeout=120
    )
    good = subprocess.run(
        [*base, "--role", "viewer"], env=env, capture_output=True, text=True, timeout=120
    )

    assert bad.returncode == 1 and "role" in bad.stderr
    assert good.returncode == 0, good.stderr
    assert person(people, "moi@camlo.vn")["role"] == "viewer"
