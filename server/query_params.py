"""The query parameters of every surface (pages, JSON API, OpenRosa), declared once and read
through this module only.

A view never calls `int()` on `request.args`: it reads a declared parameter, and a value that is
malformed, out of its bounds, over-long or carries control characters is refused with
`InvalidInput` naming the parameter (400), which each surface renders in its own shape. Before,
`?page=99999999999999999999` reached SQL's OFFSET and overflowed (500), `?period=²` passed
`str.isdigit` and broke `int()`, and a NUL in `?form=` made PostgreSQL refuse the query.

`DECLARED` holds every parameter, so the property test (tests/integration/test_query_bounds.py)
feeds each of them to every route; `tests/unit/test_import_rules.py` keeps `request.args` out
of every other module.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

from server.domain.vocabulary import Role
from server.errors import InvalidInput

# PostgreSQL's `integer`: an id, a year or a version beyond it is no row of ours.
LARGEST_INT = 2**31 - 1
_INTEGER = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True


@dataclass(frozen=True)
class Number:
    """A whole number between `low` and `high`; absent or empty reads as None."""

    name: str
    low: int
    high: int

    def read(self) -> int | None:
        raw = _raw(self.name, max_length=12)
        if raw is None:
            return None
        if not _INTEGER.fullmatch(raw):
            raise InvalidInput(field=self.name, detail=f"{raw!r} is not a whole number")
        value = int(raw)
        if not self.low <= value <= self.high:
            raise InvalidInput(field=self.name, detail=f"between {self.low} and {self.high}")
        return value


@dataclass(frozen=True)
class Text:
    """Free text (a code, an id, a date, a path), at most `max_length` characters and none of
    them a control character; absent or empty reads as None."""

    name: str
    max_length: int = 100

    def read(self) -> str | None:
        return _raw(self.name, self.max_length)

    def read_flag(self, default: bool) -> bool:
        """ "true" or "false" (any case); absent or empty: `default`; else refused."""
        raw = (self.read() or "").strip().lower()
        if raw not in ("", "true", "false"):
            raise InvalidInput(field=self.name, detail="true or false")
        return default if not raw else raw == "true"

    def read_all(self) -> tuple[str, ...]:
        """Every value of a repeated parameter (`?indicator=a&indicator=b`), empty ones left out."""
        values = (_checked(self.name, v, self.max_length) for v in request.args.getlist(self.name))
        return tuple(v for v in values if v)


@dataclass(frozen=True)
class Choice:
    """One of a few words (a language, a file format). Anything else reads as None, without a
    refusal: the value never reaches the database, and the language is read while the error
    page itself is rendered."""

    name: str
    choices: tuple[str, ...]

    def read(self) -> str | None:
        value = request.args.get(self.name)
        return value if value in self.choices else None


def _raw(name: str, max_length: int) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    return _checked(name, value, max_length) or None


def _checked(name: str, value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise InvalidInput(field=name, detail=f"at most {max_length} characters")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise InvalidInput(field=name, detail="control characters are not allowed")
    return value


def every_pair() -> list[tuple[str, str]]:
    """All parameters as given, sorted (a table's ETag names them; nothing is parsed)."""
    return sorted(request.args.items(multi=True))


def raw_query() -> str:
    """The query string as sent, for the audit log (bytes that are not UTF-8 are replaced)."""
    return request.query_string.decode("utf-8", errors="replace")


# --- every parameter a route reads -------------------------------------------------------------

# Review years: the programme's periods, with room on either side.
FIRST_YEAR, LAST_YEAR = 2000, 2100

PAGE = Number("page", 1, 1_000_000)
PERIOD = Number("period", FIRST_YEAR, LAST_YEAR)
VERSION = Number("version", 1, LARGEST_INT)  # a record's version number (1 is the first)
PERSON = Number("person", 1, LARGEST_INT)  # a user id (audit log filter)

AREA = Text("area", 20)
CODE = Text("code", 20)  # an area's code on the areas page
FORM = Text("form")  # an xml form id (submissions filter)
FORM_ID = Text("formID")  # OpenRosa's form list filter
DEVICE_ID = Text("deviceID", 200)
RECEIVED_FROM = Text("from", 10)  # ISO dates, parsed by the service
RECEIVED_TO = Text("to", 10)
STATE = Text("state", 20)
KIND = Text("kind", 50)  # an audit event kind
FORM_LANG = Text("form_lang", 50)  # a form's own language name, e.g. "Vietnamese (vi)"
INDICATOR = Text("indicator", 50)
GROUP = Text("group", 50)
NEXT = Text("next", 2000)  # where to go after sign-in (checked to be same-site)

LANG = Choice("lang", ("vi", "en"))
FORMAT = Choice("format", ("csv", "csv-vi", "xlsx", "json"))
VILLAGE = Text("village", 20)  # a village's code, narrowing an action list
SORT = Choice("sort", ("village", "code", "head", "income", "needs"))
VIEW = Choice("view", ("households",))  # an action list's download, one row per household
ROLE = Choice("role", tuple(role.value for role in Role))  # the Users page's filter
SEARCH = Text("q", 100)  # an e-mail or a name, in part (the Users page)
ODATA = Text("odata", 10)  # Central's /fields?odata=true (pyodk sends Python's "True")
# OData's system query options, as Central's feeds read them (booleans case-insensitive).
ODATA_TOP = Number("$top", 0, LARGEST_INT)
ODATA_SKIP = Number("$skip", 0, LARGEST_INT)
ODATA_COUNT = Text("$count", 10)
ODATA_WKT = Text("$wkt", 10)
ODATA_FILTER = Text("$filter", 2000)
ODATA_FORMAT = Choice("$format", ("json", "application/json"))
ODATA_SELECT = Text("$select", 2000)
# our nextLink's cursor (formats/odata.skiptoken): under an $orderby it holds the last row's keys
ODATA_SKIPTOKEN = Text("$skiptoken", 1000)
ODATA_ORDERBY = Text("$orderby", 500)
ODATA_EXPAND = Text("$expand", 100)
# A raw export's options: Central's names on the API (booleans as "true"/"false"), ours besides.
SPLIT_MULTIPLES = Text("splitSelectMultiples", 10)
GROUP_PATHS = Text("groupPaths", 10)
LABELS = Text("labels", 10)
EXPORT_FORMAT = Choice("file", ("csv.zip", "xlsx"))  # the submissions page's raw export
# Forms by API (Central's names): publish at once, keep an XLSForm pyxform warns about, and the
# version a draft is published as (a form's version string, not a record's version number).
PUBLISH = Text("publish", 10)
IGNORE_WARNINGS = Text("ignoreWarnings", 10)
DRAFT_VERSION = Text("version", 100)

DECLARED: tuple[Number | Text | Choice, ...] = (
    PAGE,
    PERIOD,
    VERSION,
    PERSON,
    AREA,
    CODE,
    FORM,
    FORM_ID,
    DEVICE_ID,
    RECEIVED_FROM,
    RECEIVED_TO,
    STATE,
    KIND,
    FORM_LANG,
    INDICATOR,
    GROUP,
    NEXT,
    LANG,
    FORMAT,
    VILLAGE,
    SORT,
    VIEW,
    ROLE,
    SEARCH,
    ODATA,
    ODATA_TOP,
    ODATA_SKIP,
    ODATA_COUNT,
    ODATA_WKT,
    ODATA_FILTER,
    ODATA_FORMAT,
    ODATA_SELECT,
    ODATA_SKIPTOKEN,
    ODATA_ORDERBY,
    ODATA_EXPAND,
    SPLIT_MULTIPLES,
    GROUP_PATHS,
    LABELS,
    EXPORT_FORMAT,
    PUBLISH,
    IGNORE_WARNINGS,
    DRAFT_VERSION,
)


def odata_options() -> tuple[str, ...]:
    """The `$`-options a request names, known or not (a feed refuses those it does not read)."""
    return tuple(sorted({name for name in request.args if name.startswith("$")}))


class BoundedInteger(IntegerConverter):
    """`<int:…>` in a path (a project id, a pledge's year) up to PostgreSQL's `integer`: a
    longer number matches no route (404) instead of overflowing in SQL."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = LARGEST_INT,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def install(app: Flask) -> None:
    """Before the blueprints register: their rules take the converter when they are added."""
    app.url_map.converters["int"] = BoundedInteger
