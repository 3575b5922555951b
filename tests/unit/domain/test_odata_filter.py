"""The `$filter` grammar of Central's feeds, read into a tree (server/domain/odata_filter.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.domain.odata_filter import Comparison, Logical, Negation, parse_filter
from server.errors import InvalidFilter, NotSupported, UnsupportedFilterField


def test_an_incremental_pull_reads_as_two_comparisons_of_instants() -> None:
    parsed = parse_filter(
        "__system/submissionDate gt 2026-01-02T03:04:05.678+07:00 or "
        "$root/Submissions/__system/updatedAt ge 2026-01-02"
    )
    assert parsed == Logical(
        "or",
        Comparison("submission_date", "gt", datetime(2026, 1, 1, 20, 4, 5, 678000, UTC)),
        Comparison("updated_at", "ge", datetime(2026, 1, 2, tzinfo=UTC)),
    )


def test_a_literal_on_the_left_turns_the_comparison_round() -> None:
    assert parse_filter("2026-01-01 lt __system/submissionDate") == Comparison(
        "submission_date", "gt", datetime(2026, 1, 1, tzinfo=UTC)
    )


def test_and_binds_tighter_than_or_and_not_and_parentheses_nest() -> None:
    parsed = parse_filter(
        "not (__id eq 'uuid:a''b') and __system/reviewState eq null or __system/submitterId ne 5"
    )
    assert parsed == Logical(
        "or",
        Logical(
            "and",
            Negation(Comparison("instance_id", "eq", "uuid:a'b")),
            Comparison("review_state", "eq", None),
        ),
        Comparison("submitter_id", "ne", 5),
    )


@pytest.mark.parametrize(
    "text",
    [
        "((",
        "",
        "__id eq",
        "__id is 'a'",
        "__id eq 'a' 'b'",
        "🙂",
        "__system/updatedAt gt 2026-02-30",
    ],
)
def test_what_cannot_be_read_is_refused_naming_why(text: str) -> None:
    with pytest.raises(InvalidFilter):
        parse_filter(text)


def test_a_stack_of_parentheses_is_refused_before_it_overflows_the_stack() -> None:
    with pytest.raises(InvalidFilter):
        parse_filter("(" * 5000 + "__id eq 'a'" + ")" * 5000)


def test_a_form_field_or_an_odata_function_central_does_not_answer_is_not_supported_yet() -> None:
    with pytest.raises(UnsupportedFilterField):
        parse_filter("household_code eq '1960301-001'")
    with pytest.raises(NotSupported):
        parse_filter("tolower(__id) eq 'a'")
    assert isinstance(parse_filter("__system/submissionDate lt now()"), Comparison)


def test_the_parts_of_a_date_field_compare_as_central_s_functions_do() -> None:
    assert parse_filter("year(__system/submissionDate) eq 2026") == Comparison(
        "submission_date", "eq", 2026, "year"
    )
    assert parse_filter("12 gt hour($root/Submissions/__system/updatedAt)") == Comparison(
        "updated_at", "lt", 12, "hour"
    )
    for wrong in ("khong_co(__id) eq 1", "year(__id) eq 1", "year('x') eq 1", "year( eq 1"):
        with pytest.raises(InvalidFilter):
            parse_filter(wrong)
