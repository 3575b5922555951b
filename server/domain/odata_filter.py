"""The `$filter` of ODK Central's OData feeds, read into a small tree (odk-central-api.md §4.6):
comparisons (`eq ne lt le gt ge`) of one member with a literal, joined by `and`, `or`, `not`
and parentheses. Literals: null, 'strings', numbers, true/false, dates and date-times
unquoted, `now()`. Pure: the members become the neutral field names of FEED_FIELDS, and the
storage layer turns the tree into SQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from server.errors import InvalidFilter, InvalidInput, NotSupported, UnsupportedFilterField

Literal = datetime | str | int | float | bool | None


# The members of a Submissions feed one may filter by, and the record's field each names.
FEED_FIELDS = {
    "__id": "instance_id",
    "__system/submissionDate": "submission_date",
    "__system/updatedAt": "updated_at",
    "__system/submitterId": "submitter_id",
    "__system/reviewState": "review_state",
}


@dataclass(frozen=True)
class Comparison:
    field: str  # a value of FEED_FIELDS
    op: str  # eq ne lt le gt ge
    value: Literal
    part: str | None = None  # year, month, day, hour, minute or second of an instant field


# Central's functions of an instant (`year(__system/submissionDate) eq 2026`), in UTC.
PARTS = ("year", "month", "day", "hour", "minute", "second")
INSTANT_FIELDS = frozenset({"submission_date", "updated_at"})
# OData's other functions: Central's grammar knows them and its feed answers none (501.4);
# any other name is no function at all (400.18, as Central's parser refuses it).
_ODATA_FUNCTIONS = frozenset(
    {
        *("contains", "endswith", "startswith", "length", "indexof", "substring", "tolower"),
        *("toupper", "trim", "concat", "fractionalseconds", "totalseconds", "date", "time"),
        *("totaloffsetminutes", "mindatetime", "maxdatetime", "round", "floor", "ceiling"),
        *("isof", "cast", "geo.distance", "geo.length", "geo.intersects"),
    }
)


@dataclass(frozen=True)
class Logical:
    op: str  # and, or
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Negation:
    inner: Condition


Condition = Comparison | Logical | Negation

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
    |(?P<datetime>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<paren>[(),])
    |(?P<word>[$A-Za-z_][\w/$.-]*)
    )""",
    re.VERBOSE,
)
_OPS = {"eq", "ne", "neq", "lt", "le", "gt", "ge"}
_SWAPPED = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le", "eq": "eq", "ne": "ne"}
_ROOT = "$root/Submissions/"
MAX_DEPTH = 32


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise InvalidFilter(reason=f"unexpected {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _instant(text: str) -> datetime:
    try:
        if "T" not in text:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidFilter(reason=f"{text!r} is not a date") from exc


def _literal(value: Literal | tuple[str, str | None]) -> Literal:
    if isinstance(value, tuple):  # a member, where a value was expected
        raise NotSupported(what="a $filter comparison of two fields or two values")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise InvalidFilter(reason="the expression ends too early")
        self.at += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise InvalidFilter(reason=f"{value!r} expected")

    def condition(self) -> Condition:
        left = self.conjunction()
        while (token := self.peek()) is not None and token[1].lower() == "or":
            self.take()
            left = Logical("or", left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while (token := self.peek()) is not None and token[1].lower() == "and":
            self.take()
            left = Logical("and", left, self.negation())
        return left

    def negation(self) -> Condition:
        self.depth += 1
        if self.depth > MAX_DEPTH:  # a stack of parentheses is no filter anyone writes
            raise InvalidFilter(reason=f"more than {MAX_DEPTH} nested parentheses or nots")
        try:
            return self._negation()
        finally:
            self.depth -= 1

    def _negation(self) -> Condition:
        token = self.peek()
        if token is not None and token[1].lower() == "not":
            self.take()
            return Negation(self.negation())
        if token is not None and token[1] == "(":
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        return self.comparison()

    def operand(self) -> tuple[str, Literal | tuple[str, str | None]]:
        """("member", (field, part)) or ("literal", value)."""
        kind, text = self.take()
        if kind == "string":
            return "literal", text[1:-1].replace("''", "'")
        if kind == "datetime":
            return "literal", _instant(text)
        if kind == "number":
            return "literal", float(text) if "." in text else int(text)
        if kind != "word":
            raise InvalidFilter(reason=f"unexpected {text!r}")
        word = text.lower()
        if word in ("null", "true", "false"):
            return "literal", {"null": None, "true": True, "false": False}[word]
        following = self.peek()
        if following is not None and following[1] == "(":
            return self.call(text)
        return "member", (self.member(text), None)

    def member(self, text: str) -> str:
        field = FEED_FIELDS.get(text.removeprefix(_ROOT))
        if field is None:
            raise UnsupportedFilterField(what=f"the field {text} in $filter")
        return field

    def call(self, name: str) -> tuple[str, Literal | tuple[str, str | None]]:
        """now(), or a part of an instant field: year(__system/submissionDate)."""
        word = name.lower()
        self.expect("(")
        if word == "now":
            self.expect(")")
            return "literal", datetime.now(UTC)
        if word not in PARTS:
            if word in _ODATA_FUNCTIONS:
                raise NotSupported(what=f"the function {name}() in $filter")
            raise InvalidFilter(reason=f"{name}() is no OData function")
        kind, inner = self.take()
        if kind != "word" or inner.lower() in _OPS | {"and", "or", "not"}:
            raise InvalidFilter(reason=f"{name}() takes a field, not {inner!r}")
        field = self.member(inner)
        if field not in INSTANT_FIELDS:
            raise InvalidFilter(reason=f"{name}() takes a date field, not {inner}")
        self.expect(")")
        return "member", (field, word)

    def comparison(self) -> Comparison:
        left_kind, left = self.operand()
        op = self.take()[1].lower()
        if op not in _OPS:
            raise InvalidFilter(reason=f"{op!r} is not a comparison (eq, ne, lt, le, gt, ge)")
        op = "ne" if op == "neq" else op
        right_kind, right = self.operand()
        if left_kind == "member" and right_kind == "literal" and isinstance(left, tuple):
            return Comparison(left[0], op, _literal(right), left[1])
        if left_kind == "literal" and right_kind == "member" and isinstance(right, tuple):
            return Comparison(right[0], _SWAPPED[op], _literal(left), right[1])
        raise NotSupported(what="a $filter comparison of two fields or two values")


def parse_filter(text: str) -> Condition:
    """The tree of `text`; InvalidFilter (400) when it cannot be read, NotSupported (501) for
    what Central's grammar has but this feed does not answer (a function, another field)."""
    parser = _Parser(text)
    if not parser.tokens:
        raise InvalidFilter(reason="the expression is empty")
    condition = parser.condition()
    left = parser.peek()
    if left is not None:
        raise InvalidFilter(reason=f"unexpected {left[1]!r}")
    return condition


# --- $orderby ------------------------------------------------------------------------------------
# Central sorts by its filterable columns, ascending with nulls first or descending with nulls
# last, and breaks ties by the record's number in the direction of the first key. The review
# state is left out: ours are not Central's words, so their order would not be Central's.
ORDERABLE = {member: field for member, field in FEED_FIELDS.items() if field != "review_state"}


@dataclass(frozen=True)
class Ordering:
    field: str  # a value of ORDERABLE
    descending: bool


def parse_orderby(text: str, known: Callable[[str], bool]) -> tuple[tuple[Ordering, ...], str]:
    """The keys of `$orderby` (`__system/submissionDate desc,__id`) and the option written
    plainly (what a page's cursor remembers). A member of the table (`known`) the feed cannot
    sort by is Central's 501.5 (UnsupportedFilterField); what is no member at all, a
    direction other than asc or desc, an empty or repeated key is the caller's mistake
    (InvalidInput naming $orderby and the word)."""
    keys: list[Ordering] = []
    plain: list[str] = []
    for clause in text.split(","):
        words = clause.split()
        if not words:
            raise InvalidInput(field="$orderby", detail="an empty key")
        member, direction = words[0].removeprefix(_ROOT), (words[1:] or ["asc"])[0].lower()
        field = ORDERABLE.get(member)
        if field is None and known(member):
            raise UnsupportedFilterField(what=f"the field {member} in $orderby")
        if field is None:
            raise InvalidInput(field="$orderby", detail=f"{words[0]!r} is no field of the table")
        if direction not in ("asc", "desc") or len(words) > 2:
            raise InvalidInput(field="$orderby", detail=f"{' '.join(words[1:])!r}: asc or desc")
        if any(k.field == field for k in keys):
            raise InvalidInput(field="$orderby", detail=f"{member} twice")
        keys.append(Ordering(field, direction == "desc"))
        plain.append(f"{member} {direction}")
    return tuple(keys), ",".join(plain)
