"""Writes stay inside the sender's area: a record is applied to the registry only when the
village it names, the existing household it names and (for an edit) the villages the record is
applied to already all lie inside the area of the phone, or of the officer whose web form sent
it.

A record that names a place outside is still stored and acknowledged (a cadre's finished work
never bounces): its version is held out of the registry and the record is marked "has issues"
with the reason, for the officers of both areas (the sender's and the one the record names) to
apply or reject (services/submission_review). An edit is held the same way, and the version it
replaces stays applied. A phone without an area (and an administrator's web form) writes
anywhere. The caller commits.
"""

from __future__ import annotations

import logging
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from server.domain.vocabulary import AreaHold, ReviewState
from server.errors import OutsideSendersArea
from server.formats.answers import answers_of
from server.formats.household import MEMBER
from server.services import registry
from server.services.web_form_users import officer_id_of
from server.storage import accounts as account_queries
from server.storage import registry as registry_queries
from server.storage import submissions as queries
from server.storage.areas import VILLAGE_LEVELS, find_area, find_area_by_code, is_within
from server.storage.models import AppUser, Area

logger = logging.getLogger(__name__)


def sender_area(session: Session, app_user: AppUser) -> Area | None:
    """The area an app user writes for: an officer's web-form user writes for the officer's
    own area as it is now; a phone for its own. None: everywhere."""
    officer_id = officer_id_of(app_user.login)
    officer = account_queries.find_user(session, officer_id) if officer_id is not None else None
    area_id = officer.area_id if officer is not None else app_user.area_id
    return find_area(session, area_id) if area_id else None


def place_outside(
    session: Session, xml_form_id: str, root: Element, scope: Area, submission_id: int
) -> Area | None:
    """The first village the record would write into that lies outside `scope`, else None.
    A place the record names but the registry does not know is no write into any area (the
    registry flags it on its own)."""
    answers = answers_of(root, skip=MEMBER)
    candidates = registry_queries.villages_of_submission(session, submission_id)
    survey = xml_form_id in registry.NAMES_ITS_VILLAGE
    household_code = answers.get("household_code" if survey else "household")
    if household_code:
        household = registry_queries.find_household(session, household_code)
        village = find_area(session, household.village_id) if household else None
        candidates += [village] if village else []
    if survey and (code := answers.get("village")):
        named = find_area_by_code(session, code)
        candidates += [named] if named is not None and named.level in VILLAGE_LEVELS else []
    return next((village for village in candidates if not is_within(village, scope)), None)


def apply_if_inside(
    session: Session,
    app_user: AppUser,
    xml_form_id: str,
    ids: tuple[int, int],
    root: Element,
) -> str | None:
    """Apply a newly stored version (`ids`: submission id, version id) to the registry, or
    hold it when it writes outside its sender's area; the record's issue, if it has one."""
    submission_id, version_id = ids
    if xml_form_id not in registry.REGISTRY_FORMS:
        return None
    scope = sender_area(session, app_user)
    outside = place_outside(session, xml_form_id, root, scope, submission_id) if scope else None
    if scope is None or outside is None:
        return registry.after_store(session, xml_form_id, submission_id, root)
    queries.hold_version(session, version_id, sender_area_id=scope.id, named_village_id=outside.id)
    message = outside_message(scope, outside)
    queries.mark_issues(session, submission_id, message)
    logger.info(
        "submission %s held: it names %s, outside its sender's area %s",
        submission_id,
        outside.code,
        scope.code,
    )
    return message


def outside_message(sender: Area | None, named: Area | None) -> str:
    def name(area: Area | None) -> str:
        return f"{area.name} ({area.code})" if area else "?"

    return OutsideSendersArea(place=name(named), sender_area=name(sender)).message


def flag_again(session: Session, submission_id: int) -> None:
    """After an earlier version of a record was derived again (`rasoat reclassify`), its
    current version's hold is the record's issue again: held, or rejected by an officer."""
    held = queries.current_hold(session, submission_id)
    if held is None or held.hold == AreaHold.APPLIED:
        return
    state = ReviewState.HAS_ISSUES if held.hold == AreaHold.HELD else ReviewState.REJECTED
    message = outside_message(held.sender_area, held.named_village)
    queries.flag(session, submission_id, message, state)
