"""Small query helpers shared by the storage modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, scoped_session

SQLITE_BEGIN_OPTION = "rasoat_sqlite_begin"


def begin_write(session: Session | scoped_session[Session]) -> None:
    """Start the session's transaction as a write transaction.

    On SQLite a deferred transaction that reads and then writes fails at once (SQLITE_BUSY,
    no retry) when another process wrote in between; BEGIN IMMEDIATE takes the write lock up
    front and so waits its turn under busy_timeout. PostgreSQL needs nothing special. Call it
    before the first query of a request or command that writes.
    """
    real = session() if isinstance(session, scoped_session) else session
    if not real.in_transaction():
        real.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def database_answers(session: Session) -> bool:
    """True when the database answers a trivial query; after a failure the session is rolled
    back, so it can be used again once the database is back."""
    try:
        session.execute(text("SELECT 1"))
    except OperationalError:
        session.rollback()
        return False
    return True


def insert_ignoring_duplicates(session: Session, model: Any, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING, for rows that concurrent requests may both add."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(model).values(**values).on_conflict_do_nothing())


def insert_returning_id(
    session: Session, model: Any, values: dict[str, Any], unique: list[str]
) -> int | None:
    """INSERT … ON CONFLICT (unique) DO NOTHING RETURNING id: the new id, or None when a row
    with the same unique key exists (on PostgreSQL after waiting for its transaction)."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(model.id)
    )
    new_id: int | None = session.execute(statement).scalar()
    return new_id
