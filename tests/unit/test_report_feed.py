"""The reports feed's pure parts: the `$filter` that chooses a table, the pages of a set's rows,
and the set descriptions (names a connector accepts, no table column hiding a row column)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from server.domain.report_filter import TableChoice, read_choice
from server.errors import InvalidFilter, NotSupported, UnsupportedFilterField
from server.formats.report_feed import RESERVED
from server.services.report_feeds import REPORTS, ReportQuery, page_of


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("area eq '468'", TableChoice("468", None)),
        ("period eq 2026 and area eq '19603'", TableChoice("19603", 2026)),
        ("(area eq '468') and (period eq 2025)", TableChoice("468", 2025)),
        ("'468' eq area", TableChoice("468", None)),
        ("area eq '468' and area eq '468'", TableChoice("468", None)),
    ],
)
def test_a_filter_chooses_the_area_and_year_of_the_table(text: str, chosen: TableChoice) -> None:
    assert read_choice(text) == chosen


@pytest.mark.parametrize(
    ("text", "error", "named"),
    [
        ("", InvalidFilter, "empty"),
        ("area eq 468", InvalidFilter, "quoted code"),
        ("period eq '2026'", InvalidFilter, "a year"),
        ("period eq 1999", InvalidFilter, "no review year"),
        ("period eq 123456789012345678901234567890", InvalidFilter, "no review year"),
        ("area eq '1' and area eq '2'", InvalidFilter, "two values"),
        ("(area eq '1'", InvalidFilter, "'('"),
        ("area eq '1')", InvalidFilter, "')'"),
        ("area", InvalidFilter, "not one comparison"),
        ("area eq '1' or period eq 2026", NotSupported, "'or'"),
        ("not area eq '1'", NotSupported, "'not'"),
        ("period gt 2020", NotSupported, "'gt'"),
        ("label eq 'x'", UnsupportedFilterField, "label"),
        ("area eq '1' ; drop", InvalidFilter, "unexpected"),
    ],
)
def test_a_filter_a_report_cannot_answer_is_refused_naming_what_is_wrong(
    text: str, error: type[Exception], named: str
) -> None:
    with pytest.raises(error) as refused:
        read_choice(text)
    assert named in str(refused.value)


def _rows(n: int) -> Any:
    return ({"__row": i} for i in range(1, n + 1))


def test_a_page_is_the_top_asked_for_and_links_the_next_while_rows_remain() -> None:
    page = page_of(_rows(5), ReportQuery("TongHop", top=2, skip=2, count=True))
    assert [r["__row"] for r in page.rows] == [3, 4]
    assert (page.count, page.next_skip, page.next_top) == (5, 4, 2)
    last = page_of(_rows(5), ReportQuery("TongHop", top=2, skip=4))
    assert [r["__row"] for r in last.rows] == [5] and last.next_skip is None
    counted = page_of(_rows(5), ReportQuery("TongHop", top=0, count=True))
    assert (counted.rows, counted.count, counted.next_skip) == ([], 5, None)


def test_without_top_a_page_stops_at_the_server_s_limit_with_a_link_to_the_rest() -> None:
    page = page_of(_rows(7), ReportQuery("ThieuHut"), limit=3)
    assert len(page.rows) == 3 and (page.next_skip, page.next_top) == (3, 3)
    asked_more = page_of(_rows(7), ReportQuery("ThieuHut", top=5), limit=3)
    assert len(asked_more.rows) == 3 and asked_more.next_skip == 3


def test_every_set_s_columns_are_odata_names_that_hide_no_row_column() -> None:
    for report in REPORTS.values():
        keys = [c.key for c in report.described.columns]
        assert len(keys) == len(set(keys)), report.described.name
        assert not set(keys) & RESERVED, report.described.name
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) for k in keys)
