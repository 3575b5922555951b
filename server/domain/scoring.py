"""The scoring method of a review (Phiếu B): an income-proxy score and the deficiency score.

Where a commune does not ask a household's income directly, the cadre answers the questions of
a region's score table (assets, housing, household make-up…); the points of the answers add up
to score A, which stands for income. Score B is 10 points per deficient indicator. Under
NĐ 07/2021 (TT 07/2021/TT-BLĐTBXH; reference §3.4): poor when A ≤ the area's cut-off (140 rural,
175 urban) and B ≥ 30 (the deficiency cut-off × 10), near-poor when A ≤ the cut-off and B < 30.
The cut-offs live in the standard's data file (`[scoring]`), the tables in
`data/score_tables/` (`score_table_file.py`).

The score says nothing about the middle band (an income band): above the cut-off a household is
"not poor".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from server.domain.vocabulary import HouseholdClass
from server.errors import InvalidInput

# Where the answers of a table's questions sit in the survey: one question per item.
ANSWER_PREFIX = "pb_"


@dataclass(frozen=True)
class ScoreAnswer:
    code: str
    label_vi: str
    label_en: str
    points: int


@dataclass(frozen=True)
class ScoreItem:
    """One question of a score table and the points of each of its answers."""

    code: str
    label_vi: str
    label_en: str
    answers: tuple[ScoreAnswer, ...]

    def points(self, answer: str) -> int | None:
        for choice in self.answers:
            if choice.code == answer:
                return choice.points
        return None


@dataclass(frozen=True)
class ScoreTable:
    """The score table of one region (or of urban areas): its questions, and whether it is the
    official table or a sample that stands in for it until an officer imports the official one."""

    code: str
    name_vi: str
    name_en: str
    urban: bool
    items: tuple[ScoreItem, ...]
    sample: bool
    source: str

    def field(self, item: ScoreItem) -> str:
        """The survey question that asks `item` (its answers are read by this name)."""
        return f"{ANSWER_PREFIX}{self.code}_{item.code}"

    def caption(self, language: str) -> str:
        name = self.name_en if language == "en" else self.name_vi
        if not self.sample:
            return name
        sample = SAMPLE_WORDS_EN if language == "en" else SAMPLE_WORDS_VI
        return f"{name} ({sample})"

    def score(self, answers: Mapping[str, str]) -> int:
        """Score A: the points of the answer given to each item. A missing or unknown answer
        raises InvalidInput naming the question: a guess would move the household's class."""
        total = 0
        for item in self.items:
            name = self.field(item)
            answer = answers.get(name)
            if answer is None:
                raise InvalidInput(field=name, detail=f"no answer for {item.code} ({self.code})")
            points = item.points(answer)
            if points is None:
                known = ", ".join(choice.code for choice in item.answers)
                raise InvalidInput(field=name, detail=f"{answer!r} is not one of {known}")
            total += points
        return total


SAMPLE_WORDS_VI = "bảng mẫu, thay bằng bảng chính thức"
SAMPLE_WORDS_EN = "sample table, replace it with the official one"


@dataclass(frozen=True)
class ScoringRules:
    """A standard's cut-offs for the scoring method and the tables its areas score with."""

    rural_cutoff: int
    urban_cutoff: int
    points_per_deficiency: int
    rural_table: str
    urban_table: str
    source_mark: str
    provisional: bool

    def cutoff(self, urban: bool) -> int:
        return self.urban_cutoff if urban else self.rural_cutoff

    def table_code(self, urban: bool) -> str:
        return self.urban_table if urban else self.rural_table


def deficiency_score(deficiency_count: int, rules: ScoringRules) -> int:
    """Score B: the points of the deficient indicators."""
    if deficiency_count < 0:
        raise InvalidInput(field="deficiency_count", detail="must not be negative")
    return deficiency_count * rules.points_per_deficiency


def classify_by_score(
    score_a: int, deficiency_count: int, *, urban: bool, rules: ScoringRules, deficiency_cutoff: int
) -> HouseholdClass:
    """Poor, near-poor or not poor from score A and the deficiencies (both cut-offs inclusive:
    "từ … điểm trở xuống", as for the income line)."""
    score_b = deficiency_score(deficiency_count, rules)
    if score_a > rules.cutoff(urban):
        return HouseholdClass.NOT_POOR
    if score_b >= deficiency_cutoff * rules.points_per_deficiency:
        return HouseholdClass.POOR
    return HouseholdClass.NEAR_POOR
