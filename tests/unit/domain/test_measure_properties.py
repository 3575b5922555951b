"""Properties of the review summary's reference implementation (server/domain/measures.py),
checked with hypothesis: counting per child area and adding up gives the parent's total, and
the counts agree with one another."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from server.domain.measures import COUNTS, ReviewFacts, deficiency_key, summary_counts

INDICATORS = ("water_source", "latrine", "internet", "health_insurance")
PERIOD = 2026

reviews = st.builds(
    ReviewFacts,
    area=st.sampled_from(["1960301", "1960302", "1961201"]),
    period=st.sampled_from([PERIOD - 2, PERIOD - 1, PERIOD]),
    household_class=st.sampled_from(["poor", "near_poor", "middle", "not_poor", None]),
    transition=st.sampled_from(["exited", "relapsed", "newly_poor", "unchanged", None]),
    near_poor_transition=st.sampled_from(["exited", "relapsed", "newly_poor", "unchanged", None]),
    ethnic_minority=st.booleans(),
    merit=st.booleans(),
    social_protection=st.booleans(),
    deficiencies=st.frozensets(st.sampled_from(INDICATORS)),
)
registries = st.lists(reviews, max_size=60)


def names() -> list[str]:
    return [count.key for count in COUNTS] + [deficiency_key(i) for i in INDICATORS]


@given(registries)
def test_the_counts_of_the_children_add_up_to_the_count_of_their_parent(
    registry: list[ReviewFacts],
) -> None:
    by_child = summary_counts(registry, PERIOD, INDICATORS)
    as_one = [ReviewFacts(**{**review.__dict__, "area": "province"}) for review in registry]
    total = summary_counts(as_one, PERIOD, INDICATORS).get("province", dict.fromkeys(names(), 0))

    added: Counter[str] = Counter()
    for counts in by_child.values():
        added.update(counts)
    assert {name: added[name] for name in names()} == total


@given(registries)
def test_each_count_is_what_it_says_and_a_part_never_exceeds_its_whole(
    registry: list[ReviewFacts],
) -> None:
    for area, counts in summary_counts(registry, PERIOD, INDICATORS).items():
        mine = [r for r in registry if r.area == area]
        now = [r for r in mine if r.period == PERIOD]
        before = [r for r in mine if r.period == PERIOD - 1]
        assert counts["poor_end"] == sum(r.household_class == "poor" for r in now)
        assert counts["near_start"] == sum(r.household_class == "near_poor" for r in before)
        assert counts["poor_exited"] == sum(r.transition == "exited" for r in now)
        for prefix in ("poor", "near"):
            for when in ("start", "end"):
                assert 0 <= counts[f"{prefix}_{when}_em"] <= counts[f"{prefix}_{when}"]
        assert counts["poor_merit"] <= counts["poor_end"]
        assert counts["poor_social_protection"] <= counts["poor_end"]
        for indicator in INDICATORS:
            assert counts[deficiency_key(indicator)] <= counts["poor_end"] + counts["near_end"]
