"""The scoring method (Phiếu B): score A from a region's table, score B = 10 points per
deficiency, and the class at and around the cut-offs of NĐ 07/2021 (140 rural, 175 urban;
reference §3.4). Cut-offs are inclusive: a score exactly on the cut-off is poor or near-poor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from server.domain.assess import assess
from server.domain.household import SCORING_METHOD
from server.domain.score_table_file import (
    meta_text,
    parse_points,
    read_score_table,
    scoring_table,
    table_codes,
)
from server.domain.scoring import classify_by_score, deficiency_score
from server.domain.standards import HouseholdClass, Standard, load_standards
from server.errors import InvalidInput
from tests.support.scoring import answers_worth
from tests.unit.domain.households import household, standard

POOR, NEAR, NOT_POOR = HouseholdClass.POOR, HouseholdClass.NEAR_POOR, HouseholdClass.NOT_POOR
ND07 = standard("nd07_2022")
HEADER = "item,item_vi,item_en,answer,answer_vi,answer_en,points\n"


def _by_score(
    score_a: int, deficiencies: int, *, urban: bool, of: Standard = ND07
) -> HouseholdClass:
    assert of.scoring is not None
    return classify_by_score(
        score_a, deficiencies, urban=urban, rules=of.scoring, deficiency_cutoff=of.deficiency_cutoff
    )


@pytest.mark.parametrize(
    ("urban", "score_a", "deficiencies", "expected"),
    [
        # rural: cut-off 140 points
        (False, 139, 3, POOR),
        (False, 140, 3, POOR),
        (False, 141, 3, NOT_POOR),
        (False, 139, 2, NEAR),
        (False, 140, 2, NEAR),
        (False, 141, 2, NOT_POOR),
        (False, 140, 0, NEAR),
        (False, 0, 12, POOR),
        (False, 141, 12, NOT_POOR),
        # urban: cut-off 175 points
        (True, 174, 3, POOR),
        (True, 175, 3, POOR),
        (True, 176, 3, NOT_POOR),
        (True, 174, 2, NEAR),
        (True, 175, 2, NEAR),
        (True, 176, 2, NOT_POOR),
        # a rural cut-off does not apply in town: 141–175 is within the urban cut-off
        (True, 141, 3, POOR),
        (True, 141, 2, NEAR),
    ],
)
def test_the_class_follows_score_a_and_score_b_at_the_nd07_cut_offs(
    urban: bool, score_a: int, deficiencies: int, expected: HouseholdClass
) -> None:
    assert _by_score(score_a, deficiencies, urban=urban) is expected


def test_score_b_is_ten_points_per_deficient_indicator_and_thirty_makes_the_poor() -> None:
    assert ND07.scoring is not None
    assert [deficiency_score(n, ND07.scoring) for n in (0, 2, 3, 12)] == [0, 20, 30, 120]
    with pytest.raises(InvalidInput):
        deficiency_score(-1, ND07.scoring)


def test_the_cut_offs_are_read_from_the_standard_file_not_from_code() -> None:
    assert ND07.scoring is not None
    lower = replace(ND07, scoring=replace(ND07.scoring, rural_cutoff=120))
    assert _by_score(121, 3, urban=False, of=lower) is NOT_POOR
    assert _by_score(121, 3, urban=False) is POOR


def test_nd351_scoring_is_provisional_and_nd07_scoring_is_not() -> None:
    nd351 = standard("nd351_2027")
    assert nd351.scoring is not None and nd351.scoring.provisional
    assert ND07.scoring is not None and not ND07.scoring.provisional
    assert standard("qd59_2016").scoring is None


@pytest.mark.parametrize(
    ("urban", "offset", "deficient_parts", "expected"),
    # The sample tables give points in steps of 5: the next score above a cut-off is 5 more.
    [(False, 0, 3, POOR), (False, 5, 3, NOT_POOR), (True, 0, 2, NEAR), (True, 5, 2, NOT_POOR)],
)
def test_a_scored_household_is_classified_from_its_answers_and_stores_no_income(
    urban: bool, offset: int, deficient_parts: int, expected: HouseholdClass
) -> None:
    assert ND07.scoring is not None
    table = scoring_table(ND07.scoring, urban=urban)
    answers = answers_worth(table, ND07.scoring.cutoff(urban) + offset)
    deficient = {
        "has_house": False,  # housing quality and floor area
        "water_source": "surface_water",
        "latrine": "none",
    }
    changes = dict(list(deficient.items())[: max(1, deficient_parts - 1)])
    scored = household(
        income_method=SCORING_METHOD,
        score_answers=answers,
        household_income_month=None,
        **changes,
    )
    result = assess(scored, ND07, urban=urban)
    assert result.deficiency_count == deficient_parts
    assert result.proxy_score == ND07.scoring.cutoff(urban) + offset
    assert result.income_per_person is None
    assert result.household_class is expected


def test_a_scored_household_missing_an_answer_names_the_question() -> None:
    assert ND07.scoring is not None
    table = scoring_table(ND07.scoring, urban=False)
    answers = answers_worth(table, 100)
    missing = table.field(table.items[-1])
    del answers[missing]
    with pytest.raises(InvalidInput) as caught:
        assess(household(income_method=SCORING_METHOD, score_answers=answers), ND07, urban=False)
    assert caught.value.params["field"] == missing


def test_an_unknown_answer_is_refused_with_the_answers_the_table_knows() -> None:
    assert ND07.scoring is not None
    table = scoring_table(ND07.scoring, urban=True)
    answers = answers_worth(table, 100)
    answers[table.field(table.items[0])] = "many"
    with pytest.raises(InvalidInput) as caught:
        table.score(answers)
    assert "'many' is not one of" in str(caught.value.detail)


def test_a_standard_without_a_scoring_method_refuses_a_scored_record() -> None:
    qd59 = standard("qd59_2016")
    with pytest.raises(InvalidInput) as caught:
        assess(household(income_method=SCORING_METHOD, score_answers={}), qd59, urban=False)
    assert caught.value.params["field"] == "income_method"


def test_every_shipped_table_is_a_marked_sample_for_its_area() -> None:
    for code in table_codes():
        table = read_score_table(code)
        assert table.sample, f"{code}: only a sample until the official table is imported"
        assert "bảng mẫu, thay bằng bảng chính thức" in table.caption("vi")
    for shipped in load_standards():
        if shipped.scoring is not None:
            assert scoring_table(shipped.scoring, urban=True).urban
            assert not scoring_table(shipped.scoring, urban=False).urban


@pytest.mark.parametrize(
    ("text", "where", "detail"),
    [
        ("item,answer,points\n", "line 1", "the header must be"),
        (HEADER, "line 2", "no lines"),
        (
            HEADER + "tv,Ti vi,TV,yes,Có,Yes,10\ntv,,,no,Không,No,ten\n",
            "line 3, column points",
            "not a whole number",
        ),
        (
            HEADER + "tv,Ti vi,TV,yes,Có,Yes,10\ntv,,,yes,Không,No,0\n",
            "line 3, column answer",
            "given twice",
        ),
        (HEADER + "tv,Ti vi,TV,yes,Có,Yes,10\n", "item tv", "at least 2 answers"),
        (HEADER + "TV,Ti vi,TV,yes,Có,Yes,10\n", "line 2, column item", "not a code"),
        (HEADER + "tv,Ti vi,TV,yes,Có,Yes\n", "line 2", "expected 7 columns, found 6"),
        (HEADER + "tv,,TV,yes,Có,Yes,10\n", "line 2, column item_vi", "is empty"),
        (
            HEADER + "tv,Ti vi,TV,yes,Có,Yes,10\ntv,Tivi,,no,Không,No,0\n",
            "line 3, column item_vi",
            "differs",
        ),
        (
            HEADER
            + "tv,Ti vi,TV,yes,Có,Yes,10\ntv,,,no,Không,No,0\nfridge,Tủ lạnh,Fridge,yes,Có,Yes,5\n"
            "fridge,,,no,Không,No,0\ntv,,,maybe,Có lẽ,Maybe,1\n",
            "line 6, column item",
            "already came earlier",
        ),
        (
            HEADER + "tv,Ti vi,TV,yes,Có,Yes,5000\ntv,,,no,Không,No,0\n",
            "line 2, column points",
            "beyond",
        ),
        (
            HEADER + "tv,Ti vi,TV,yes,It's,Yes,5\ntv,,,no,Không,No,0\n",
            "line 2, column answer_vi",
            "apostrophe",
        ),
    ],
)
def test_a_mistake_in_a_score_table_names_its_line_and_column(
    text: str, where: str, detail: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_points(text, "bang.csv")
    assert caught.value.params["field"] == f"bang.csv: {where}"
    assert detail in str(caught.value.detail)


def test_a_table_written_by_the_import_reads_back_the_same(tmp_path: Path) -> None:
    shipped = read_score_table("urban")
    official = replace(shipped, sample=False, source='QĐ "x"/2027, Phụ lục\nIII')
    (tmp_path / "urban.toml").write_text(meta_text(official), encoding="utf-8")
    (tmp_path / "urban.csv").write_text(
        (Path(__file__).parents[3] / "server/domain/data/score_tables/urban.csv").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    again = read_score_table("urban", tmp_path)
    assert again == replace(official, source='QĐ "x"/2027, Phụ lục III')
    assert again.caption("vi") == "Thành thị"
