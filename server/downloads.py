"""Files handed out as downloads by the surfaces that offer them (the JSON API and the pages):
tables as CSV or XLSX, an XLSForm; and the 304 of a copy the caller has already."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from flask import Response, request, send_file

from server.formats.table_files import csv_bytes, write_xlsx
from server.formats.tables import Table
from server.services.submission_review import DownloadableFile

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


def stored_file(
    size: int,
    file: IO[bytes],
    *,
    name: str,
    mimetype: str | None = None,
    as_attachment: bool = False,
    etag: str | None = None,
) -> Response:
    """A file of the blob store (disk or S3), read as it is sent: a Range request gets 206 with
    just its bytes (the file seeks to the first one), and with an `etag` a matching
    If-None-Match gets 304. The response closes the file."""
    response = send_file(
        file,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=name,
        etag=etag or False,
        conditional=False,
    )
    response.content_length = size
    response.make_conditional(request, accept_ranges=True, complete_length=size)  # in place
    return response


def record_file(found: DownloadableFile) -> Response:
    """A file a phone sent with a record, handed to a person: saved, never shown in place."""
    response = stored_file(
        found.opened.size,
        found.opened.file,
        name=found.name,
        mimetype=found.media_type,
        as_attachment=True,
    )
    # A phone can send any bytes under any type: never let a browser run them as a page.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def not_modified(etag: str) -> Response | None:
    """304 when the request's If-None-Match names `etag` (checked before anything is built),
    else None."""
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    return response
