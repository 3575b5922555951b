"""Who may grant what: the ranks of the roles, the level of area each role works at, and whether
one person may create or change another. Pure rules; the services look up the people and areas.

The area tree decides what "above a commune" is: a province, or a district where a tree still
has one (the July 2025 reform removed districts from most of the country). An upper-level
officer works at either; a commune officer at a commune or its urban equivalents.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.vocabulary import Role

# The area levels of the tree, from the top (the words of the areas CSV).
UPPER_LEVELS = ("province", "district")
COMMUNE_LEVELS = ("commune", "ward", "township", "special_zone")
VILLAGE_LEVELS = ("village", "quarter")
LEVELS = (*UPPER_LEVELS, *COMMUNE_LEVELS, *VILLAGE_LEVELS)

# Higher ranks may do more; an officer manages only the roles ranked below their own.
RANK = {Role.ADMINISTRATOR: 3, Role.UPPER_OFFICER: 2, Role.COMMUNE_OFFICER: 1, Role.VIEWER: 0}

# The area levels a role may be given; None among them: no area (the whole province).
_ROLE_LEVELS: dict[Role, tuple[str | None, ...]] = {
    Role.ADMINISTRATOR: (None, *UPPER_LEVELS, *COMMUNE_LEVELS),
    Role.UPPER_OFFICER: UPPER_LEVELS,
    Role.COMMUNE_OFFICER: COMMUNE_LEVELS,
    Role.VIEWER: (*UPPER_LEVELS, *COMMUNE_LEVELS),
}


@dataclass(frozen=True)
class Place:
    """An area as the rules see it: its level and its materialised path ("/1/4/17/")."""

    level: str
    path: str

    def within(self, other: Place | None) -> bool:
        return other is None or self.path.startswith(other.path)


@dataclass(frozen=True)
class Actor:
    """The person who acts: their role and area (None: no area, the whole province)."""

    role: Role
    place: Place | None


def parse_role(text: str) -> Role | None:
    """The role named by its value ("commune_officer"), None when there is no such role."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        return None


def fits_area(role: Role, place: Place | None) -> bool:
    """Whether a person of this role may be given this area (None: no area)."""
    return (place.level if place is not None else None) in _ROLE_LEVELS[role]


def levels_for(role: Role) -> tuple[str, ...]:
    """The area levels a person of this role may be given (for messages and pickers)."""
    return tuple(level for level in _ROLE_LEVELS[role] if level is not None)


def may_manage_people(actor: Actor) -> bool:
    """Whether the person manages accounts at all: administrators and officers."""
    return actor.role in (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)


def may_grant(actor: Actor | None, role: Role) -> bool:
    """Whether the actor may give someone this role (None: the machine's operator, anything).
    An administrator grants every role; an officer only the roles ranked below their own."""
    if actor is None or actor.role == Role.ADMINISTRATOR:
        return True
    return may_manage_people(actor) and RANK[role] < RANK[actor.role]


def may_place(actor: Actor | None, place: Place | None) -> bool:
    """Whether the actor may put someone in this area: inside their own (no area, the whole
    province, only for an actor without an area)."""
    if actor is None or actor.place is None:
        return True
    return place is not None and place.within(actor.place)


def may_act_on(actor: Actor | None, role: Role, place: Place | None) -> bool:
    """Whether the actor may change a person who now has this role and area."""
    return may_grant(actor, role) and may_place(actor, place)
