"""Demo households: a few hundred synthetic reviews, sent as real submissions from a phone.

`rasoat serve --demo` loads them so that every table and list has numbers for a newcomer.
Each village of the demo tree gets poor households at a plausible share of its resident
households (upland Bru-Vân Kiều communes, lowland communes, the township), somewhat fewer
near-poor ones and a few others; each is reviewed in 2025 and 2026 (two villages also in 2024,
which gives the "relapsed" column its cases), and about half of the households that left
poverty get a follow-up visit. A planned class only steers the answers (income against the
line, which indicators are lacking); the class itself is derived by the normal ingest path
(`receive_submission`), which also fills the registry, the movements and the visits.

Everything derives from the seed, one random stream per village and per household, so a
village's households never depend on the others, and the instanceIDs derive from the seed,
so loading twice stores nothing new. No real person is described: names are drawn from lists
of common names and the phone numbers and locations are left empty.

This module owns the loading: the demo's app user, sending each record through ingest, and
the counts read back. The plans are in `plans`, the people in `people`, the
households and their answers in `answers`, the records a phone sends in `records`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.demo.answers import Household, draw_households
from server.demo.records import Record, build_records
from server.errors import NotFound
from server.formats.instance_builder import InstanceWriter
from server.services import app_users
from server.services import submissions as ingest
from server.services.forms import DEFAULT_PROJECT_ID
from server.services.registry import FOLLOWUP_VISIT, HOUSEHOLD_SURVEY
from server.storage import app_users as app_user_queries
from server.storage import forms as form_queries
from server.storage import registry as registry_queries
from server.storage.blobs import BlobStore
from server.storage.models import AppUser

logger = logging.getLogger(__name__)

SUBMITTER_NAME = "Dữ liệu mẫu (demo)"
DEFAULT_REALM = "rasoat"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoHouseholds:
    """What was loaded; class and movement counts are read back from the registry."""

    households: int
    submissions: int
    created: int
    visits: int
    classes: Mapping[int, Mapping[str, int]]
    movements: Mapping[int, Mapping[str, int]]


def _published_xform(session: Session, xml_form_id: str) -> bytes:
    form = form_queries.find_form(session, DEFAULT_PROJECT_ID, xml_form_id)
    version = form_queries.published_version(session, form) if form is not None else None
    if version is None:
        raise NotFound(what=f"published form {xml_form_id}")
    return version.xform


def _submitter(session: Session, realm: str) -> AppUser:
    """The demo's own app user (no area, every form); found again on a second run."""
    for user in app_user_queries.list_app_users(session, DEFAULT_PROJECT_ID):
        if user.display_name == SUBMITTER_NAME and user.area_id is None and user.revoked_at is None:
            return user
    new = app_users.create_app_user(
        session, project_id=DEFAULT_PROJECT_ID, display_name=SUBMITTER_NAME, realm=realm
    )
    created = app_user_queries.find_by_login(session, new.login)
    if created is None:
        raise NotFound(what=f"app user {new.login}")
    return created


@contextmanager
def _quiet(target: logging.Logger) -> Iterator[None]:
    """One log line per stored record is right for phones, noise for a thousand demo records."""
    level = target.level
    target.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        target.setLevel(level)


def _send(
    session: Session,
    blobs: BlobStore,
    submitter: AppUser,
    records: Sequence[Record],
    progress: Progress | None,
) -> int:
    created = 0
    with _quiet(ingest.logger):
        for done, record in enumerate(records, start=1):
            incoming = ingest.IncomingSubmission(xml=record.xml, device_id=record.device_id)
            receipt = ingest.receive_submission(session, blobs, submitter, incoming)
            created += receipt.outcome is ingest.Outcome.CREATED
            if progress is not None:
                progress(done, len(records))
    return created


def _tally(
    session: Session, households: Sequence[Household]
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    classes: dict[int, Counter[str]] = {}
    movements: dict[int, Counter[str]] = {}
    for h in households:
        found = registry_queries.find_household(session, h.code)
        for review in registry_queries.reviews_of(session, found.id) if found else ():
            classes.setdefault(review.period, Counter())[review.household_class or "none"] += 1
            movements.setdefault(review.period, Counter())[review.transition or "baseline"] += 1
    return (
        {period: dict(counts) for period, counts in sorted(classes.items())},
        {period: dict(counts) for period, counts in sorted(movements.items())},
    )


def load_demo_households(
    session: Session,
    blobs: BlobStore,
    *,
    seed: int = 2026,
    realm: str = DEFAULT_REALM,
    progress: Progress | None = None,
) -> DemoHouseholds:
    """Send the demo households' reviews and visits through the normal ingest path.

    Needs the demo areas and the published forms `household_survey` and `followup_visit` of
    the default project. `progress(done, total)` is called after each record.
    """
    writers = {
        form_id: InstanceWriter(_published_xform(session, form_id))
        for form_id in (HOUSEHOLD_SURVEY, FOLLOWUP_VISIT)
    }
    households = draw_households(session, seed)
    records = build_records(households, writers, seed)
    created = _send(session, blobs, _submitter(session, realm), records, progress)
    classes, movements = _tally(session, households)
    visits = sum(1 for record in records if record.form_id == FOLLOWUP_VISIT)
    logger.info(
        "demo households: %d households, %d records (%d new), %d visits",
        len(households),
        len(records),
        created,
        visits,
    )
    return DemoHouseholds(len(households), len(records), created, visits, classes, movements)
