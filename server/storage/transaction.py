"""The one write unit: every request, command or job that changes the database goes through it.

`writing(session)` ends whatever read transaction the caller had open, starts a write
transaction (BEGIN IMMEDIATE on SQLite, see `common.begin_write`), commits when the block ends
and rolls back when it raises, so nothing half-written stays behind. `@writes` does the same
around a Flask view. Services and surfaces never call commit or rollback themselves
(tests/unit/test_import_rules.py checks it).

Some refusals must leave a trace: a wrong password counts towards the lock-out even though the
sign-in fails. Such errors are named in `commit_on`: what was written before them is committed
and the error goes on to the caller.

A unit inside a unit joins the outer one: a service that writes can be called from a command
that is already writing without committing early.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar, overload

from sqlalchemy.orm import Session, scoped_session

from server.extensions import db
from server.storage.common import begin_write

P = ParamSpec("P")
R = TypeVar("R")

_INSIDE = "rasoat_write_unit"
# Any: Flask-SQLAlchemy's db.session is a scoped_session of its own Session subclass.
AnySession = Session | scoped_session[Any]


def _real(session: AnySession) -> Session:
    return session() if isinstance(session, scoped_session) else session


@contextmanager
def writing(
    session: AnySession, *, commit_on: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    real = _real(session)
    if real.info.get(_INSIDE):
        yield
        return
    if real.in_transaction():
        real.commit()  # the read transaction: nothing was written in it
    begin_write(real)
    real.info[_INSIDE] = True
    try:
        yield
    except commit_on:
        real.commit()
        raise
    except BaseException:
        real.rollback()
        raise
    else:
        real.commit()
    finally:
        real.info.pop(_INSIDE, None)


@contextmanager
def savepoint(session: AnySession) -> Iterator[None]:
    """A part of a unit that is undone alone when it raises (the error goes on to the caller):
    a record breaking a rule of the registry is still stored, without half its derived rows."""
    with _real(session).begin_nested():
        yield


def reading_again(session: AnySession) -> None:
    """End the current read transaction so the next query sees what others committed since
    (a long-running worker or a test reading what a server wrote). Nothing is written."""
    real = _real(session)
    if not real.info.get(_INSIDE):
        real.rollback()


@overload
def writes(view: Callable[P, R]) -> Callable[P, R]: ...


@overload
def writes(
    *, commit_on: tuple[type[BaseException], ...] = ()
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def writes(
    view: Callable[P, R] | None = None, *, commit_on: tuple[type[BaseException], ...] = ()
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """`@writes` or `@writes(commit_on=(…,))` on a view or command that writes with db.session."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with writing(db.session, commit_on=commit_on):
                return function(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
