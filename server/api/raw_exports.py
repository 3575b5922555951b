"""A form's records as files over the Central API: Central's `submissions.csv.zip` (one CSV
per table) and `submissions.csv` (the submissions alone), and our `submissions.xlsx`. Options
as Central names them (`splitSelectMultiples`, `groupPaths`), ours besides (`labels`, `area`).
The file is spooled and sent in chunks, never through a redirect (`downloads.spooled_file`)."""

from __future__ import annotations

from functools import partial

from flask import Response

from server.api import bp
from server.api.central import FORM
from server.api.http import current_user
from server.downloads import EXPORT_TYPES, spooled_file
from server.extensions import db_session
from server.formats.raw_export import CSV, CSV_ZIP, XLSX, ExportOptions
from server.query_params import AREA, GROUP_PATHS, LABELS, LANG, SPLIT_MULTIPLES
from server.services import raw_exports
from server.storage.transaction import writing


def _export(project_id: int, xml_form_id: str, file_format: str) -> Response:
    """Check and audit (a short write unit), then write the file and send it."""
    options = ExportOptions(
        labels=LABELS.read_flag(False),
        split_multiples=SPLIT_MULTIPLES.read_flag(False),
        group_prefixes=GROUP_PATHS.read_flag(True),  # Central's default
        language=LANG.read() or "vi",
    )
    request = raw_exports.ExportRequest(project_id, xml_form_id, file_format, options, AREA.read())
    user = current_user()
    with writing(db_session()):
        prepared = raw_exports.prepare(db_session(), user, request)
    write = partial(raw_exports.write, db_session(), prepared)
    return spooled_file(write, prepared.filename, EXPORT_TYPES[file_format])


@bp.get(f"{FORM}/submissions.csv.zip")
def central_export_csv_zip(project_id: int, xml_form_id: str) -> Response:
    return _export(project_id, xml_form_id, CSV_ZIP)


@bp.get(f"{FORM}/submissions.csv")
def central_export_csv(project_id: int, xml_form_id: str) -> Response:
    return _export(project_id, xml_form_id, CSV)


@bp.get(f"{FORM}/submissions.xlsx")
def central_export_xlsx(project_id: int, xml_form_id: str) -> Response:
    return _export(project_id, xml_form_id, XLSX)
