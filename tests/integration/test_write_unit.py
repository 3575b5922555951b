"""The write unit commits what a block wrote, leaves nothing of a block that failed, keeps what
a refusal must leave behind, and lets a unit inside a unit join the outer one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import TooManyAttempts
from server.storage.models import Area
from server.storage.transaction import reading_again, writes, writing


def add_area(session: Session, code: str) -> None:
    session.add(Area(code=code, name=f"Xã {code}", level="commune", path="/"))
    session.flush()


def codes(session: Session) -> list[str]:
    reading_again(session)
    return sorted(session.scalars(select(Area.code)))


def test_a_unit_that_ends_commits_what_it_wrote(session: Session) -> None:
    with writing(session):
        add_area(session, "1")
    assert codes(session) == ["1"]


def test_a_unit_that_raises_leaves_nothing_behind(session: Session) -> None:
    def import_a_bad_file() -> None:
        with writing(session):
            add_area(session, "1")
            raise ValueError("bad line")

    with pytest.raises(ValueError, match="bad line"):
        import_a_bad_file()
    assert codes(session) == []


def test_an_error_named_in_commit_on_keeps_what_was_written_and_still_raises(
    session: Session,
) -> None:
    def refuse_after_writing() -> None:
        with writing(session, commit_on=(TooManyAttempts,)):
            add_area(session, "1")
            raise TooManyAttempts(minutes=15)

    with pytest.raises(TooManyAttempts):
        refuse_after_writing()
    assert codes(session) == ["1"]


def test_a_unit_inside_a_unit_commits_only_with_the_outer_one(session: Session) -> None:
    def outer_unit_failing_after_an_inner_one() -> None:
        with writing(session):
            with writing(session):
                add_area(session, "1")
            assert session.scalar(select(func.count()).select_from(Area)) == 1
            raise RuntimeError("the outer unit fails")

    with pytest.raises(RuntimeError):
        outer_unit_failing_after_an_inner_one()
    assert codes(session) == []


def test_a_unit_ends_the_read_transaction_it_finds(session: Session) -> None:
    assert codes(session) == []  # a read transaction is now open
    with writing(session):
        add_area(session, "2")
    assert codes(session) == ["2"]


def test_the_view_decorator_is_a_unit_around_the_view(session: Session) -> None:
    @writes
    def create(code: str) -> str:
        add_area(session, code)
        return code

    @writes
    def fail(code: str) -> None:
        add_area(session, code)
        raise LookupError(code)

    assert create("3") == "3"
    with pytest.raises(LookupError):
        fail("4")
    assert codes(session) == ["3"]
