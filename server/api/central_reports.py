"""The poverty tables as an OData v4 service, beside the forms' feeds and in their shape:
`/v1/projects/<id>/reports.svc` (service document), `…/$metadata`, `…/<set>` (rows, with
`$top`, `$skip`, `$count`, `$filter` on area and period, `@odata.nextLink`). Central has no
such service; its URL sits where a project's other feeds do, so Excel's and Power BI's OData
connector reads it with the same e-mail and password (HTTP Basic). Thin: services/report_feeds."""

from __future__ import annotations

from flask import Response

from server.api import bp
from server.api.central_schemas import feed_page, service_document
from server.api.http import current_user
from server.api.odata_http import next_link, odata_response, paging, service_root, versioned
from server.extensions import db_session
from server.services import report_feeds
from server.storage.transaction import writing

SERVICE = "/projects/<int:project_id>/reports.svc"


@bp.get(SERVICE)
def reports_service(project_id: int) -> Response:
    user = current_user()
    sets = report_feeds.entity_sets(db_session(), user, project_id)
    return odata_response(service_document(service_root(), sets))


@bp.get(f"{SERVICE}/$metadata")
def reports_metadata(project_id: int) -> Response:
    user = current_user()
    document = report_feeds.metadata(db_session(), user, project_id)
    return versioned(Response(document, mimetype="application/xml"))


@bp.get(f"{SERVICE}/<entity_set>")
def reports_table(project_id: int, entity_set: str) -> Response:
    options = paging()
    query = report_feeds.ReportQuery(
        entity_set, options.top, options.skip, options.count, options.filter
    )
    user = current_user()
    with writing(db_session()):  # reading an action list writes its audit event
        page = report_feeds.feed(db_session(), user, project_id, query)
    found = None
    if page.next_skip is not None:
        found = next_link(entity_set, page.next_top, page.next_skip)
    return odata_response(feed_page(service_root(), entity_set, page.rows, page.count, found))
