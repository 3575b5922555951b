"""Deriving a period's reviews again from the stored raw XML (`rasoat reclassify`).

Used after a standard's data file is corrected, an area is added, or a conflict is resolved.
The records are processed in the order they were first received, which is the order ingest
saw them, so the result is the one ingest would have produced. A version held outside its
sender's area (services/write_scope.py) stays out, as at ingest, unless an officer applied it;
a record whose current version is held or rejected keeps its earlier version applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.formats.answers import integer, text_of
from server.formats.instance import parse_xml
from server.services import registry, transitions, write_scope
from server.storage import registry as queries
from server.storage import submissions as submission_queries


@dataclass(frozen=True)
class ReclassifyReport:
    period: int
    records: int
    reviews: int


def reclassify(
    session: Session, period: int, progress: Callable[[int], None] | None = None
) -> ReclassifyReport:
    households = queries.delete_reviews_of_period(session, period)
    records = 0
    instances = submission_queries.applicable_instances_of(session, registry.HOUSEHOLD_SURVEY)
    for submission_id, xml, current in instances:
        root = parse_xml(xml)
        if _review_year(root) != period:
            continue
        registry.record_household_review(session, submission_id, root)
        if not current:
            write_scope.flag_again(session, submission_id)
        records += 1
        if progress:
            progress(records)
    # This period's movements, and the next period's, which are measured against this one.
    affected = households | queries.households_reviewed_in(session, period, period + 1)
    for household_id in sorted(affected):
        transitions.refresh(session, household_id)
    return ReclassifyReport(period, records, queries.count_reviews(session, period))


def _review_year(root: Element) -> int | None:
    try:
        return integer(text_of(root, "review_year"), "review_year")
    except InvalidInput:
        # Such a record has its issue recorded already; it belongs to no period.
        return None
