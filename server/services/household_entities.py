"""The household registry as ODK Central's dataset `households` (read side only), so pyodk's
`entity_lists.*`, `entities.list` and `entities.get_table` and Central's OData clients read it:
the dataset, its entities (one per household: a label and string properties), one entity,
and the `households.svc` feed with `$top`, `$skip`, `$count` and `$filter` on `__id`,
`__system/createdAt` and `__system/updatedAt`.

Scoped as the lists are (the households of the reader's area; officers only, as the registry
names people) and every reading audited. The registry belongs to the default project (the one
the household survey is published in). Writes (create, update, delete) are not offered: a
household changes only through a review's record, so the classification stays derived."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from server.domain.odata_filter import Comparison, Condition, Logical, Negation, parse_filter
from server.errors import InvalidFilter, NotFound, UnsupportedFilterField
from server.formats.entity_feed import household_id_of, household_uuid, metadata_document
from server.formats.odata import iso
from server.services.accounts import StaffMember, require_personal_data
from server.services.central import project
from server.services.forms import DEFAULT_PROJECT_ID
from server.storage import accounts as audit
from server.storage import household_entities as queries
from server.storage.household_entities import HouseholdEntity

DATASET = "households"
PROPERTIES = (
    "code", "head_name", "village", "village_name", "commune", "commune_name",
    "ethnic_minority", "merit", "social_protection", "relapse_risk", "relapse_reasons",
)  # fmt: skip
# The members of Central's entity `$filter` this feed answers, spelled as the Submissions
# grammar (domain/odata_filter) reads them, and the registry field each becomes.
_FILTER_NAMES = {
    "__id": ("__id", "id"),
    "__system/createdAt": ("__system/submissionDate", "created_at"),
    "__system/updatedAt": ("__system/updatedAt", "updated_at"),
}
_AS_FEED = {entity: feed for entity, (feed, _) in _FILTER_NAMES.items()}
_FIELDS = {"instance_id": "id", "submission_date": "created_at", "updated_at": "updated_at"}
_MEMBER = re.compile(r"'(?:[^']|'')*'|[$A-Za-z_][\w/$.-]*")


@dataclass(frozen=True)
class Dataset:
    name: str
    project_id: int
    created_at: datetime
    properties: tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    uuid: str
    label: str
    created_at: datetime
    updated_at: datetime | None
    data: dict[str, str]

    @property
    def version(self) -> int:
        """A household keeps no versions: it counts as updated once when it has changed."""
        return 1 if self.updated_at is None else 2


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _entity(row: HouseholdEntity) -> Entity:
    data = {
        "code": row.code,
        "head_name": row.head_name,
        "village": row.village_code,
        "village_name": row.village_name,
        "commune": row.commune_code,
        "commune_name": row.commune_name,
        "ethnic_minority": _flag(row.ethnic_minority),
        "merit": _flag(row.merit),
        "social_protection": _flag(row.social_protection),
        "relapse_risk": _flag(row.relapse_risk),
        "relapse_reasons": row.relapse_reasons or "",
    }
    label = f"{row.head_name} ({row.code})"
    return Entity(household_uuid(row.id), label, row.created_at, row.updated_at, data)


def _registry(session: Session, member: StaffMember, project_id: int, name: str) -> None:
    """The dataset exists in this project and the member may read it (names of people)."""
    require_personal_data(member)
    project(session, member, project_id)
    if project_id != DEFAULT_PROJECT_ID or name != DATASET:
        raise NotFound(what=f"dataset {name}")


def datasets(session: Session, member: StaffMember, project_id: int) -> list[Dataset]:
    project(session, member, project_id)
    if project_id != DEFAULT_PROJECT_ID:
        return []
    return [dataset(session, member, project_id, DATASET)]


def dataset(session: Session, member: StaffMember, project_id: int, name: str) -> Dataset:
    """The dataset's facts (no personal data: any signed-in reader of the project)."""
    found = project(session, member, project_id)
    if project_id != DEFAULT_PROJECT_ID or name != DATASET:
        raise NotFound(what=f"dataset {name}")
    # Made with its first household; an empty registry's with its project.
    made = queries.first_recorded(session) or found.created_at
    return Dataset(DATASET, project_id, made, PROPERTIES)


def entities(session: Session, member: StaffMember, project_id: int, name: str) -> list[Entity]:
    """Every household of the member's area, newest first; audited."""
    _registry(session, member, project_id, name)
    _, rows = queries.household_entities(session, member.scope)
    audit.record(session, member.id, "download", f"dataset {name} (list)")
    return [_entity(r) for r in rows]


def entity(session: Session, member: StaffMember, address: tuple[int, str, str]) -> Entity:
    project_id, name, uuid = address
    _registry(session, member, project_id, name)
    household_id = household_id_of(uuid)
    found = None
    if household_id is not None:
        found = queries.household_entity(session, member.scope, household_id)
    if found is None:  # outside the area or nowhere: the same answer
        raise NotFound(what=f"entity {uuid}")
    audit.record(session, member.id, "download", f"dataset {name} entity {uuid}")
    return _entity(found)


def metadata(session: Session, member: StaffMember, project_id: int, name: str) -> str:
    _registry(session, member, project_id, name)
    return metadata_document(DATASET, PROPERTIES)


# --- the OData feed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityQuery:
    top: int | None = None
    skip: int = 0
    count: bool = False
    filter: str | None = None


@dataclass(frozen=True)
class EntityPage:
    rows: list[dict[str, Any]]
    count: int | None
    next_skip: int | None


def as_feed_grammar(text: str) -> str:
    """The filter with the entity members renamed to the Submissions grammar's (quoted strings
    left as they are); any other member stays and is refused by name below or by the parser."""

    def renamed(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.startswith("'"):
            return word
        return _AS_FEED[word] if word in _AS_FEED else _unknown(word)

    return _MEMBER.sub(renamed, text)


def _unknown(word: str) -> str:
    """A word that is no member this feed answers is left for the parser (an operator, null,
    a function), unless it names a member: that is refused by name."""
    if word.startswith(("__", "$")):
        raise UnsupportedFilterField(what=f"the field {word} in $filter")
    return word


def _checked(condition: Condition) -> Condition:
    """The tree over the registry's fields, each value of its field's type."""
    if isinstance(condition, Negation):
        return Negation(_checked(condition.inner))
    if isinstance(condition, Logical):
        return Logical(condition.op, _checked(condition.left), _checked(condition.right))
    field = _FIELDS.get(condition.field)
    if field is None:
        raise UnsupportedFilterField(what=f"the field {condition.field} in $filter")
    value = condition.value
    if field == "id":
        if not isinstance(value, str):
            raise InvalidFilter(reason=f"{value!r} is not an entity uuid")
        return Comparison(field, condition.op, household_id_of(value) or 0)
    if value is not None and not isinstance(value, datetime):
        raise InvalidFilter(reason=f"{value!r} is not a date")
    return Comparison(field, condition.op, value)


def _feed_row(entity: Entity) -> dict[str, Any]:
    return {
        "__id": entity.uuid,
        "label": entity.label,
        **entity.data,
        "__system": {
            "createdAt": iso(entity.created_at),
            "creatorId": "0",
            "creatorName": "",
            "updates": entity.version - 1,
            "updatedAt": iso(entity.updated_at),
            "deletedAt": None,
            "version": entity.version,
            "conflict": None,
        },
    }


def feed(
    session: Session, member: StaffMember, address: tuple[int, str], query: EntityQuery
) -> EntityPage:
    """One page of `Entities`, newest first; the reading is audited."""
    project_id, name = address
    _registry(session, member, project_id, name)
    condition = _checked(parse_filter(as_feed_grammar(query.filter))) if query.filter else None
    limit = None if query.top is None else query.top + 1  # one more: whether a next page exists
    total, rows = queries.household_entities(session, member.scope, condition, (query.skip, limit))
    audit.record(session, member.id, "download", f"dataset {name} (odata)")
    more = bool(query.top) and len(rows) > (query.top or 0)
    rows = rows[: query.top] if query.top is not None else rows
    shaped = [_feed_row(_entity(r)) for r in rows]
    next_skip = query.skip + len(rows) if more else None
    return EntityPage(shaped, total if query.count else None, next_skip)
