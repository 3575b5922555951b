"""What the OData services beside the forms' feeds share on the wire (reports.svc, a
dataset's .svc): the service's absolute root, the OData JSON response, the next page's link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, jsonify, request

from server.errors import UnsupportedQueryOption
from server.query_params import (
    ODATA_COUNT,
    ODATA_FILTER,
    ODATA_FORMAT,
    ODATA_SKIP,
    ODATA_TOP,
    every_pair,
    odata_options,
)

ODATA_JSON = "application/json; odata.metadata=minimal"


def service_root() -> str:
    """The absolute URL of the service the request is in, up to and with `.svc`."""
    path = request.path
    return request.host_url.rstrip("/") + path[: path.index(".svc") + len(".svc")]


def odata_response(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.content_type = ODATA_JSON
    return versioned(response)


def versioned(response: Response) -> Response:
    response.headers["OData-Version"] = "4.0"
    return response


def next_link(table: str, top: int | None, skip: int) -> str:
    """The request again from row `skip`, pages of `top` (the other options as they were)."""
    kept = [(k, v) for k, v in every_pair() if k not in ("$skip", "$top")]
    pairs = [*kept, *([("$top", str(top))] if top is not None else []), ("$skip", str(skip))]
    return f"{service_root()}/{quote(table)}?{urlencode(pairs)}"


@dataclass(frozen=True)
class Paging:
    """The options these services read: a page, a count, a filter."""

    top: int | None
    skip: int
    count: bool
    filter: str | None


_READ = {"$top", "$skip", "$count", "$filter", "$format"}


def paging() -> Paging:
    """The request's options; any other `$`-option is refused with Central's 501.1."""
    unknown = sorted(set(odata_options()) - _READ)
    if unknown:
        raise UnsupportedQueryOption(what=", ".join(unknown))
    ODATA_FORMAT.read()
    return Paging(
        top=ODATA_TOP.read(),
        skip=ODATA_SKIP.read() or 0,
        count=(ODATA_COUNT.read() or "").strip().lower() == "true",
        filter=ODATA_FILTER.read(),
    )
