"""The audit log for administrators: sign-ins, form publishing, phone changes, reviews and every
reading or download of personal data, newest first, by kind and by person."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.errors import Forbidden
from server.services.accounts import StaffMember
from server.storage import audit_log as queries

PAGE_SIZE = 100


@dataclass(frozen=True)
class Described:
    """What an event did, for a sentence: a `sentence` key (the page words it in the reader's
    language) and the parts it names, areas by their names and periods by their year."""

    sentence: str
    parts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedLine:
    event: queries.LoggedEvent
    described: Described


@dataclass(frozen=True)
class AuditPage:
    total: int
    page: int
    pages: int
    events: tuple[LoggedLine, ...]
    kinds: tuple[str, ...]
    people: tuple[tuple[int, str], ...]


def audit_page(
    session: Session, member: StaffMember, kind: str | None, person: int | None, page: int
) -> AuditPage:
    """One page of the log; administrators only."""
    if member.role != Role.ADMINISTRATOR:
        raise Forbidden()
    page = max(1, page)
    total, events = queries.list_events(session, kind, person, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return AuditPage(
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        events=tuple(_described(session, events)),
        kinds=tuple(queries.actions_logged(session)),
        people=tuple(queries.people_logged(session)),
    )


# How each kind of target is written (services and surfaces that call audit.record).
_LIST = re.compile(r"^list (?P<kind>[a-z-]+)(?: \((?P<how>view|download)\))?$")
_SUBMISSIONS = re.compile(r"^submissions(?: (?P<form>\S+))? \(list\)$")
_RECORD = re.compile(r"^submission (?P<form>\S+) (?P<record>\S+)(?: \(view\)| file (?P<file>.+))?$")
_AREA_YEAR = re.compile(r"^area (?P<area>\S+) year (?P<period>\d+)$")
_FORM = re.compile(r"^form (?P<form>\S+)(?: version (?P<version>\S+))?$")
_PLAN = re.compile(r"^plan (?P<area>\S+) (?P<period>\d+)$")
_HOUSEHOLD_YEAR = re.compile(r"^household (?P<household>\S+) (?P<period>\d+)$")
_COMMENDATION = ("commendation_proposed", "commendation_approved", "commendation_declined")
_SIMPLE = {
    "sign_in": "sign_in",
    "session.create": "api_sign_in",
    "account.sign_out_everywhere": "sign_out_everywhere",
    "account.lock": "account_lock",
    "account.unlock": "account_unlock",
    "app_user.create": "phone_create",
    "app_user.revoke": "phone_revoke",
    "area.import": "area_import",
    "user.create": "user_create",
    "user.set_role": "user_set_role",
    "user.move": "user_move",
    "user.disable": "user_disable",
    "user.enable": "user_enable",
    "user.reset_password": "user_reset_password",
    "organisation_created": "organisation_created",
    "organisations_imported": "organisations_imported",
    "responsibility_assigned": "responsibility_assigned",
    "plan_item_changed": "plan_item_changed",
    "dialogue_recorded": "dialogue_recorded",
}


def _list_parts(match: re.Match[str], query: str | None) -> tuple[str, dict[str, str]]:
    asked = {k: v[0] for k, v in parse_qs(query or "").items() if v}
    parts = {
        "kind": match["kind"],
        "area": asked.get("area", ""),
        "period": asked.get("period", ""),
    }
    how = "list_download" if match["how"] == "download" or "format" in asked else "list_view"
    return how, parts


def describe(event: queries.LoggedEvent) -> Described:
    """The event's sentence key and parts, read from how the code writes its target and
    details; area codes are left for `_described` to name. Unknown shapes: the raw target."""
    target, action = event.target, event.action
    raw = {"target": target, "details": event.details or ""}
    if action in _SIMPLE:
        return Described(_SIMPLE[action], raw)
    if action == "download":
        if found := _LIST.match(target):
            how, parts = _list_parts(found, event.details)
            return Described(how, parts)
        if found := _SUBMISSIONS.match(target):
            form = found["form"] or ""
            return Described("submissions_form" if form else "submissions_all", {"form": form})
        if found := _RECORD.match(target):
            parts = {"form": found["form"], "record": found["record"], "file": found["file"] or ""}
            return Described("record_file" if found["file"] else "record_view", parts)
    reviewed = action in ("submission.review", "submission.apply", "submission.reject")
    if reviewed and (found := _RECORD.match(target)):
        parts = {"form": found["form"], "record": found["record"], "details": raw["details"]}
        return Described(action.replace(".", "_"), parts)
    if action == "area.households" and (found := _AREA_YEAR.match(target)):
        parts = {"area": found["area"], "period": found["period"], "details": raw["details"]}
        return Described("area_households", parts)
    if action in _COMMENDATION and (found := _HOUSEHOLD_YEAR.match(target)):
        parts = {"household": found["household"], "period": found["period"], **raw}
        return Described(action, parts)
    planned = action in ("plan_items_created", "plan_imported")
    if planned and (found := _PLAN.match(target)):
        parts = {"area": found["area"], "period": found["period"], "details": raw["details"]}
        return Described(action, parts)
    if action in ("form.draft", "form.publish", "form.state") and (found := _FORM.match(target)):
        parts = {"form": found["form"], "version": found["version"] or "", **raw}
        return Described(action.replace(".", "_"), parts)
    return Described("other", raw)


def _described(session: Session, events: list[queries.LoggedEvent]) -> list[LoggedLine]:
    """Each event described, its area codes replaced by the areas' names (one query)."""
    described = [(event, describe(event)) for event in events]
    codes = {d.parts["area"] for _, d in described if d.parts.get("area")}
    names = queries.area_names(session, codes) if codes else {}
    lines = []
    for event, found in described:
        if found.parts.get("area"):
            found.parts["area"] = names.get(found.parts["area"], found.parts["area"])
        lines.append(LoggedLine(event, found))
    return lines
