"""A form's records as files over the Central API: Central's `submissions.csv.zip` (one CSV
per table) and `submissions.csv` (the submissions alone), and our `submissions.xlsx`. Options
as Central names them (`splitSelectMultiples`, `groupPaths`), ours besides (`labels`, `area`).

The file is written to a temporary file as the records are read and sent from it in chunks,
with its length, never through a redirect (Excel and Power BI mishandle them)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from flask import Response

from server.api import bp
from server.api.central import FORM
from server.api.http import current_user
from server.downloads import XLSX, attachment
from server.errors import InvalidInput
from server.extensions import db_session
from server.formats.raw_export import CSV, CSV_ZIP, ExportOptions
from server.query_params import AREA, GROUP_PATHS, LABELS, LANG, SPLIT_MULTIPLES, Text
from server.services import raw_exports
from server.storage.transaction import writing

MIME = {CSV_ZIP: "application/zip", CSV: "text/csv; charset=utf-8", "xlsx": XLSX}
CHUNK = 1 << 16


def _flag(parameter: Text, default: bool) -> bool:
    raw = (parameter.read() or "").strip().lower()
    if raw in ("", "true", "false"):
        return default if not raw else raw == "true"
    raise InvalidInput(field=parameter.name, detail="true or false")


def options() -> ExportOptions:
    return ExportOptions(
        labels=_flag(LABELS, False),
        split_multiples=_flag(SPLIT_MULTIPLES, False),
        group_prefixes=_flag(GROUP_PATHS, True),
        language=LANG.read() or "vi",
    )


def export_response(request: raw_exports.ExportRequest) -> Response:
    """Check, audit (a short write unit), then write the file and send it in chunks."""
    user = current_user()
    with writing(db_session()):
        prepared = raw_exports.prepare(db_session(), user, request)
    # Closed by the generator below once sent (or here, when writing fails).
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        raw_exports.write(db_session(), prepared, spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK):
                yield block

    response = Response(chunks(), mimetype=MIME[prepared.file_format])
    response.headers.update(attachment(prepared.filename))
    response.content_length = size
    return response


def _request(project_id: int, xml_form_id: str, file_format: str) -> raw_exports.ExportRequest:
    return raw_exports.ExportRequest(project_id, xml_form_id, file_format, options(), AREA.read())


@bp.get(f"{FORM}/submissions.csv.zip")
def central_export_csv_zip(project_id: int, xml_form_id: str) -> Response:
    return export_response(_request(project_id, xml_form_id, CSV_ZIP))


@bp.get(f"{FORM}/submissions.csv")
def central_export_csv(project_id: int, xml_form_id: str) -> Response:
    return export_response(_request(project_id, xml_form_id, CSV))


@bp.get(f"{FORM}/submissions.xlsx")
def central_export_xlsx(project_id: int, xml_form_id: str) -> Response:
    return export_response(_request(project_id, xml_form_id, "xlsx"))
