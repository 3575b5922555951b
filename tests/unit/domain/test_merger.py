"""The rule a merger follows in the tables: a successor starts the year where its predecessors
ended the year before."""

from __future__ import annotations

from server.domain.merger import START_FROM_END, carried_over


def test_each_start_of_year_count_continues_the_same_groups_end_of_year_count() -> None:
    assert START_FROM_END == {
        "poor_start": "poor_end",
        "near_start": "near_end",
        "poor_start_em": "poor_end_em",
        "near_start_em": "near_end_em",
    }


def test_a_successor_sums_its_predecessors_and_a_predecessor_without_counts_adds_nothing() -> None:
    end = {
        "cam_chinh": {"poor_end": 3, "near_end": 5, "poor_end_em": 1, "near_end_em": 0},
        "cam_nghia": {"poor_end": 2, "near_end": 1, "poor_end_em": 2, "near_end_em": 1},
        "cam_hieu": {"poor_end": 7, "near_end": 0, "poor_end_em": 0, "near_end_em": 0},
    }
    successor_of = {
        "cam_chinh": "cam_lo",
        "cam_nghia": "cam_lo",
        "tt_cam_lo": "cam_lo",
        "cam_hieu": "hieu_giang",
    }
    assert carried_over(end, successor_of) == {
        "cam_lo": {"poor_start": 5, "near_start": 6, "poor_start_em": 3, "near_start_em": 1},
        "hieu_giang": {"poor_start": 7, "near_start": 0, "poor_start_em": 0, "near_start_em": 0},
    }
