"""The `$filter` of the reports feed (`reports.svc`): which area and which review year a
table is of. A table is built for one area and one year, so the filter is a choice, not a
condition over rows: `area eq '468'`, `period eq 2026`, or both joined by `and` (in either
order, in parentheses or not). Anything else Central's grammar allows (`or`, `ne`, another
column) is refused by name: a row filter would have to build every area's table to answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.errors import InvalidFilter, NotSupported, UnsupportedFilterField

CHOICES = ("area", "period")
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)|(?P<word>[A-Za-z_/$.]+)|(?P<paren>[()]))"
)
# The review years a report may be asked for (as ?period= on the pages): a year beyond them is
# no table, and never reaches SQL as a number PostgreSQL cannot hold.
YEARS = range(2000, 2101)
_OPERATORS = {"eq", "ne", "lt", "le", "gt", "ge"}
_LOGICAL = {"or", "not"}


@dataclass(frozen=True)
class TableChoice:
    """The area (its code) and the review year a `$filter` chose; None where it chose none."""

    area: str | None = None
    period: int | None = None


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None:
            raise InvalidFilter(reason=f"unexpected {text[position : position + 20].strip()!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _clauses(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The comparisons joined by `and`; parentheses are dropped (only `and` joins them, so
    grouping changes nothing)."""
    clauses: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for kind, text in tokens:
        word = text.lower()
        if kind == "paren":
            depth += 1 if text == "(" else -1
            if depth < 0:
                raise InvalidFilter(reason="a ')' without its '('")
        elif kind == "word" and word in _LOGICAL:
            raise NotSupported(what=f"'{word}' in the $filter of a report (only 'and')")
        elif kind == "word" and word == "and":
            clauses.append([])
        else:
            clauses[-1].append((kind, text))
    if depth:
        raise InvalidFilter(reason="a '(' without its ')'")
    return clauses


def _comparison(clause: list[tuple[str, str]]) -> tuple[str, str | int]:
    if len(clause) != 3:
        shown = " ".join(text for _, text in clause) or "nothing"
        raise InvalidFilter(reason=f"{shown!r} is not one comparison (area eq '…')")
    (left_kind, left), (_, op), (right_kind, right) = clause
    if left_kind != "word":  # a value first: '468' eq area
        (left_kind, left), (right_kind, right) = (right_kind, right), (left_kind, left)
    if op.lower() not in _OPERATORS:
        raise InvalidFilter(reason=f"{op!r} is not a comparison (eq)")
    if op.lower() != "eq":
        raise NotSupported(what=f"'{op}' in the $filter of a report (only 'eq')")
    if left_kind != "word" or left not in CHOICES:
        raise UnsupportedFilterField(what=f"the field {left} in $filter (area, period)")
    if left == "area":
        if right_kind != "string":
            raise InvalidFilter(reason=f"area is compared with a quoted code, not {right!r}")
        return left, right[1:-1].replace("''", "'")
    if right_kind != "number":
        raise InvalidFilter(reason=f"period is compared with a year, not {right!r}")
    if len(right.lstrip("-")) > 4 or int(right) not in YEARS:
        raise InvalidFilter(reason=f"period {right} is no review year ({YEARS[0]}–{YEARS[-1]})")
    return left, int(right)


def read_choice(text: str) -> TableChoice:
    """The area and year `text` chooses; InvalidFilter (400) naming what cannot be read,
    NotSupported (501) for what the grammar has but a report does not answer."""
    tokens = _tokens(text)
    if not tokens:
        raise InvalidFilter(reason="the expression is empty")
    chosen: dict[str, str | int] = {}
    for clause in _clauses(tokens):
        name, value = _comparison(clause)
        if name in chosen and chosen[name] != value:
            raise InvalidFilter(reason=f"{name} is given two values")
        chosen[name] = value
    area, period = chosen.get("area"), chosen.get("period")
    return TableChoice(
        area if isinstance(area, str) else None, period if isinstance(period, int) else None
    )
