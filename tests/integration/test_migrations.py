"""Models and migrations agree: `upgrade` on an empty database leaves nothing for autogenerate
to add (what `flask db check` does), and the chain goes down and up again cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from server import create_app
from server.extensions import db
from tests.support.database import scratch_database


def test_upgrading_an_empty_database_matches_the_models_and_downgrade_reverses_it(
    db_kind: str, tmp_path: Path
) -> None:
    with scratch_database(db_kind, tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RASOAT_DATA_DIR": str(tmp_path)})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection)
                assert compare_metadata(context, db.metadata) == []
            downgrade(revision="base")
            upgrade()
            db.session.remove()
            db.engine.dispose()


def test_district_officers_become_upper_officers_and_back_on_downgrade(
    db_kind: str, tmp_path: Path
) -> None:
    with scratch_database(db_kind, tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RASOAT_DATA_DIR": str(tmp_path)})
        with app.app_context():
            upgrade(revision="5c1e7a9d3b20")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        'INSERT INTO "user" (email, display_name, password_hash, role, '
                        "created_at, key_version) VALUES ('huyen@camlo.vn', 'H', 'x', "
                        "'district_officer', CURRENT_TIMESTAMP, 0)"
                    )
                )

            def role() -> str:
                with db.engine.connect() as connection:
                    return str(connection.execute(text('SELECT role FROM "user"')).scalar())

            upgrade(revision="6b2d8f4a1c37")
            assert role() == "upper_officer"
            downgrade(revision="5c1e7a9d3b20")
            assert role() == "district_officer"
            db.session.remove()
            db.engine.dispose()
