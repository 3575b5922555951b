"""Files handed out as downloads by the surfaces that offer them (the JSON API and the pages):
tables as CSV or XLSX, an XLSForm; and the 304 of a copy the caller has already."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from flask import Response, request

from server.formats.table_files import csv_bytes, write_xlsx
from server.formats.tables import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A raw export's file types (formats/raw_export.py's names).
EXPORT_TYPES = {"csv.zip": "application/zip", "csv": "text/csv; charset=utf-8", "xlsx": XLSX}
# "csv-vi": the "Excel tiếng Việt" CSV (`;` between cells, `,` decimals), same `.csv` name.
TABLE_FORMATS = ("csv", "csv-vi", "xlsx")


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the body as `filename` (made safe for a header)."""
    safe = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return {"Content-Disposition": f'attachment; filename="{safe}"'}


def table_file(table: Table, file_format: str, name: str, language: str) -> Response:
    """The table as `name.csv` (UTF-8 with BOM; `name_excel-vi.csv` for Vietnamese Excel) or
    `name.xlsx`, in `language`."""
    if file_format in ("csv", "csv-vi"):
        excel_vi = file_format == "csv-vi"
        return Response(
            csv_bytes(table, language, excel_vi=excel_vi),
            mimetype="text/csv",
            headers=attachment(f"{name}_excel-vi.csv" if excel_vi else f"{name}.csv"),
        )
    out = io.BytesIO()
    write_xlsx([table], out, language)
    return Response(out.getvalue(), mimetype=XLSX, headers=attachment(f"{name}.xlsx"))


CHUNK = 1 << 16


def spooled_file(write: Callable[[IO[bytes]], object], filename: str, mimetype: str) -> Response:
    """A big file: written by `write` to a temporary file (memory stays flat), then sent from it
    in chunks with its length; never a redirect (Excel and Power BI mishandle them)."""
    # Closed by the generator below once sent (or here, when writing fails).
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write(spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK):
                yield block

    response = Response(chunks(), mimetype=mimetype, headers=attachment(filename))
    response.content_length = size
    return response


def not_modified(etag: str) -> Response | None:
    """304 when the request's If-None-Match names `etag` (checked before anything is built),
    else None."""
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    return response
