"""The effect table's SQL (storage/plans.effect) against the pure reference
(server/domain/support_effect.py) on random registries with random plans: for every kind of
support delivered in a year, the households supported and what their review of the year after
says, at several levels of the tree."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.orm import Session

from server.domain.support_effect import NextReview, effect_by_kind
from server.domain.support_plans import INCOME_ITEM
from server.domain.vocabulary import OrganisationKind, PlanState
from server.storage import plans as queries
from server.storage.areas import find_area_by_code, is_within
from server.storage.models import Organisation, PlanItem
from tests.support.factories import make_areas
from tests.support.registries import Made, random_registry

PARENTS = ("45", "468", "19603", "19600")
KINDS_BEYOND = (INCOME_ITEM, "")  # the income support and a free item: no deficiency to close


def random_plans(session: Session, seed: int, made: Made) -> list[PlanItem]:
    rng = random.Random(seed)
    district = find_area_by_code(session, "468")
    assert district is not None
    organisation = Organisation(area_id=district.id, kind=OrganisationKind.VBSP, name="NHCSXH")
    session.add(organisation)
    session.flush()
    items = []
    for _, review, deficient in made:
        kinds = sorted(deficient | set(KINDS_BEYOND))
        for kind in rng.sample(kinds, rng.randint(0, min(3, len(kinds)))):
            for _ in range(rng.choice((1, 1, 2))):  # twice: the household still counts once
                items.append(
                    PlanItem(
                        household_id=review.household_id,
                        period=review.period,
                        indicator=kind,
                        support="Hỗ trợ",
                        organisation_id=organisation.id,
                        state=rng.choice(list(PlanState)),
                    )
                )
    session.add_all(items)
    session.flush()
    return items


@pytest.mark.parametrize("seed", range(6))
def test_the_effect_table_counts_as_the_reference_at_every_level(
    session: Session, seed: int
) -> None:
    make_areas(session)
    made = random_registry(session, seed)
    items = random_plans(session, seed + 100, made)
    village_of = {(r.household_id, r.period): v for v, r, _ in made}
    seen = 0  # supported households found reviewed the year after, at the top of the tree
    for period in (2025, 2026):
        later = {
            r.household_id: NextReview(r.household_class, r.transition, frozenset(d))
            for _, r, d in made
            if r.period == period + 1
        }
        for code in PARENTS:
            parent = find_area_by_code(session, code)
            assert parent is not None
            delivered = [
                (i.household_id, i.indicator)
                for i in items
                if i.period == period
                and i.state == PlanState.DELIVERED
                and is_within(village_of[i.household_id, i.period], parent)
            ]
            expected = effect_by_kind(delivered, later, lambda k: k not in KINDS_BEYOND)
            got = {r.kind: r for r in queries.effect(session, parent, period)}
            seen += sum(e.reviewed for e in expected.values()) if code == "45" else 0
            assert set(got) == set(expected), (code, period)
            for kind, want in expected.items():
                row = got[kind]
                counted = (row.households, row.reviewed, row.exited, row.still_poor)
                assert counted == (want.households, want.reviewed, want.exited, want.still_poor)
                if want.closed is not None:
                    assert (row.closed, row.still_open) == (want.closed, want.still_open)
    assert seen > 0  # the random plans reach the year after: the comparison is not empty
    session.rollback()
