"""The "Kết nối Excel / Power BI" page: the OData feeds the signed-in person may read (the
tables of reports.svc, and for officers each form's records), with their full addresses to
paste into Excel's or Power BI's "OData feed", and the steps to follow, sign-in included
(HTTP Basic with the person's own e-mail and password)."""

from __future__ import annotations

from flask import render_template, request

from server.extensions import db_session
from server.services import report_feeds, reports
from server.web import bp
from server.web.session import signed_in, viewer


@bp.get("/connect")
@signed_in()
def connect_page() -> str:
    person = viewer()
    feeds = report_feeds.feed_addresses(db_session(), person)
    base = request.host_url.rstrip("/")
    return render_template(
        "connect.html",
        person=person,
        reports=[f for f in feeds if f.kind == "reports"],
        forms=[f for f in feeds if f.kind == "form"],
        base=base,
        period=reports.current_period(db_session()),  # the filter example's year
    )
