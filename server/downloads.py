"""Files handed out as downloads by the surfaces that offer them (the JSON API and the pages):
tables as CSV or XLSX, an XLSForm; and the 304 of a copy the caller has already."""

from __future__ import annotations

import io

from flask import Response, request

from server.formats.table_files import csv_bytes, write_xlsx
from server.formats.tables import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def not_modified(etag: str) -> Response | None:
    """304 when the request's If-None-Match names `etag` (checked before anything is built),
    else None."""
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    return response
