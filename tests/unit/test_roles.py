"""Who may grant what (server/domain/roles.py), without a database."""

from __future__ import annotations

import pytest

from server.domain.roles import Actor, Place, fits_area, may_act_on, may_grant, parse_role
from server.domain.vocabulary import Role

PROVINCE = Place("province", "/1/")
DISTRICT = Place("district", "/1/2/")
COMMUNE = Place("commune", "/1/2/3/")
SIBLING = Place("commune", "/1/2/4/")
VILLAGE = Place("village", "/1/2/3/5/")


def test_the_machine_s_operator_and_an_administrator_without_area_grant_every_role() -> None:
    for actor in (None, Actor(Role.ADMINISTRATOR, None)):
        assert all(may_grant(actor, role) for role in Role)
        assert may_act_on(actor, Role.ADMINISTRATOR, None)


def test_an_officer_grants_only_the_roles_below_their_own() -> None:
    upper = Actor(Role.UPPER_OFFICER, DISTRICT)
    commune = Actor(Role.COMMUNE_OFFICER, COMMUNE)
    assert [r for r in Role if may_grant(upper, r)] == [Role.COMMUNE_OFFICER, Role.VIEWER]
    assert [r for r in Role if may_grant(commune, r)] == [Role.VIEWER]
    assert not any(may_grant(Actor(Role.VIEWER, COMMUNE), r) for r in Role)


def test_an_actor_with_an_area_reaches_only_inside_it() -> None:
    commune = Actor(Role.COMMUNE_OFFICER, COMMUNE)
    assert may_act_on(commune, Role.VIEWER, COMMUNE)
    assert not may_act_on(commune, Role.VIEWER, SIBLING)
    assert not may_act_on(commune, Role.VIEWER, None), "no area: the whole province"
    assert not may_act_on(Actor(Role.ADMINISTRATOR, DISTRICT), Role.VIEWER, PROVINCE)


@pytest.mark.parametrize(
    ("role", "fits", "does_not_fit"),
    [
        (Role.ADMINISTRATOR, (None, PROVINCE, COMMUNE), (VILLAGE,)),
        (Role.UPPER_OFFICER, (PROVINCE, DISTRICT), (None, COMMUNE, VILLAGE)),
        (Role.COMMUNE_OFFICER, (COMMUNE, Place("ward", "/9/")), (None, DISTRICT, VILLAGE)),
        (Role.VIEWER, (PROVINCE, COMMUNE), (None, VILLAGE)),
    ],
)
def test_each_role_works_at_its_levels_of_the_area_tree(
    role: Role, fits: tuple[Place | None, ...], does_not_fit: tuple[Place | None, ...]
) -> None:
    assert all(fits_area(role, place) for place in fits)
    assert not any(fits_area(role, place) for place in does_not_fit)


def test_a_role_is_named_by_its_value_and_an_unknown_one_is_none() -> None:
    assert parse_role(" Upper_Officer ") == Role.UPPER_OFFICER
    assert parse_role("district_officer") is None
