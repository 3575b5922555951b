"""ODK Central's OData service of a dataset (`…/datasets/<name>.svc`), pure: the `$metadata`
(Central's shape: the entity system metadata as a complex type, one `Entities` set whose
properties are `__id`, `label`, `__system` and the dataset's properties, every one a string)
and the uuid an entity of the household registry is known by."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

ENTITIES = "Entities"
_EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"
_SYSTEM_FIELDS = (
    ("createdAt", "Edm.DateTimeOffset"),
    ("creatorId", "Edm.String"),
    ("creatorName", "Edm.String"),
    ("updates", "Edm.Int64"),
    ("updatedAt", "Edm.DateTimeOffset"),
    ("deletedAt", "Edm.DateTimeOffset"),
    ("version", "Edm.Int64"),
    ("conflict", "Edm.String"),
)
# A household's entity uuid: this fixed head and its registry id in the last 12 hex digits. A
# version-4 shape (Central's clients expect one) that maps back to the row without a lookup
# table; stable on this server, as the household's id is.
_HEAD = "5b0d3c1a-6e2f-4a7b-9c8d-"
_LARGEST_ID = 2**31 - 1
_UUID = re.compile(r"(?:uuid:)?" + re.escape(_HEAD) + r"([0-9a-f]{12})")


def household_uuid(household_id: int) -> str:
    return f"{_HEAD}{household_id:012x}"


def household_id_of(text: str) -> int | None:
    """The registry id a household uuid names, or None for any other string."""
    match = _UUID.fullmatch(text.strip().lower())
    if match is None:
        return None
    found = int(match.group(1), 16)
    return found if found <= _LARGEST_ID else None  # beyond PostgreSQL's integer: no row


def metadata_document(dataset: str, properties: Iterable[str]) -> str:
    names = [quoteattr(p) for p in properties]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
            "<edmx:DataServices>",
            f'<Schema xmlns="{_EDM_NS}" Namespace="org.opendatakit.entity">',
            '<ComplexType Name="metadata">',
            *(f'<Property Name="{name}" Type="{kind}"/>' for name, kind in _SYSTEM_FIELDS),
            "</ComplexType>",
            "</Schema>",
            f'<Schema xmlns="{_EDM_NS}" Namespace={quoteattr(f"org.opendatakit.user.{dataset}")}>',
            f'<EntityType Name="{ENTITIES}">',
            '<Key><PropertyRef Name="__id"/></Key>',
            '<Property Name="__id" Type="Edm.String"/>',
            '<Property Name="label" Type="Edm.String"/>',
            '<Property Name="__system" Type="org.opendatakit.entity.metadata"/>',
            *(f'<Property Name={name} Type="Edm.String"/>' for name in names),
            "</EntityType>",
            f"<EntityContainer Name={quoteattr(dataset)}>",
            f'<EntitySet Name="{ENTITIES}" '
            f"EntityType={quoteattr(f'org.opendatakit.user.{dataset}.{ENTITIES}')}/>",
            "</EntityContainer>",
            "</Schema>",
            "</edmx:DataServices>",
            "</edmx:Edmx>",
        ]
    )
