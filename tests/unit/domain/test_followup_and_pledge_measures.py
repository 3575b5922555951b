"""The reference meanings of the follow-up and commitments measures, case by case."""

from __future__ import annotations

from datetime import date

from server.domain.followup_measures import (
    FollowupWindow,
    HouseholdFollowup,
    ReviewMovement,
    exit_period,
    followup_counts,
    followup_window,
)
from server.domain.pledges import pledge_of_area, rolled_up_pledge


def test_the_window_keeps_exits_of_the_three_years_before_and_visits_of_the_last_90_days() -> None:
    assert followup_window(date(2027, 1, 15)) == FollowupWindow(2024, date(2026, 10, 17))
    assert followup_window(date(2027, 12, 31)).since_period == 2024


def test_a_household_that_stayed_out_of_poverty_after_leaving_it_is_still_followed() -> None:
    reviews = [ReviewMovement(2025, "not_poor", "exited"), ReviewMovement(2026, "middle", None)]
    assert exit_period(reviews, 2024) == 2025
    assert exit_period(reviews, 2026) is None, "the exit is older than the window"


def test_a_household_poor_again_after_its_exit_is_not_followed() -> None:
    reviews = [ReviewMovement(2025, "not_poor", "exited"), ReviewMovement(2026, "poor", "relapsed")]
    assert exit_period(reviews, 2024) is None


def test_after_a_relapse_the_latest_exit_counts() -> None:
    reviews = [
        ReviewMovement(2024, "not_poor", "exited"),
        ReviewMovement(2025, "poor", "relapsed"),
        ReviewMovement(2026, "near_poor", "exited"),
    ]
    assert exit_period(reviews, 2024) == 2026


def test_a_visit_on_the_90th_day_before_is_not_recent() -> None:
    window = followup_window(date(2027, 1, 15))
    exited = (ReviewMovement(2026, "not_poor", "exited"),)
    households = [
        HouseholdFollowup("a", exited, window.visited_after, at_risk=True),
        HouseholdFollowup("a", exited, date(2026, 10, 18), at_risk=False),
        HouseholdFollowup("b", (ReviewMovement(2026, "poor", None),), date(2027, 1, 1), True),
    ]
    assert followup_counts(households, window) == {"a": {"exited": 2, "visited": 1, "at_risk": 1}}


def test_an_areas_own_pledge_replaces_the_pledges_below_it() -> None:
    children = {"district": ["a", "b", "c"], "a": ["a1", "a2"], "b": ["b1"]}
    pledges = {"a1": 2, "a2": 3, "b": 4, "b1": 7}
    assert rolled_up_pledge("a", pledges, children) == 5
    assert rolled_up_pledge("b", pledges, children) == 4
    assert rolled_up_pledge("c", pledges, children) is None
    assert rolled_up_pledge("district", pledges, children) == 9
    assert rolled_up_pledge("district", {**pledges, "district": 6}, children) == 6
    assert pledge_of_area(0, [3]) == 0, "a pledge of 0 is a pledge"
