"""The quick screening (Phiếu A): one visible sign or more makes a household clearly not poor,
unless it is on the current list or has applied, which always means the full survey."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.domain.screening import (
    DEFAULT_FILE,
    ScreeningAnswers,
    outcome,
    read_rules,
    shipped_rules,
)
from server.domain.vocabulary import ScreeningOutcome
from server.errors import InvalidInput

RULES = shipped_rules()
SKIP, SURVEY = ScreeningOutcome.CLEARLY_NOT_POOR, ScreeningOutcome.NEEDS_SURVEY


def answers(*signs: str, listed: bool = False) -> ScreeningAnswers:
    return ScreeningAnswers(2027, "1960301", "1960301-001", "Hồ Văn A", listed, frozenset(signs))


@pytest.mark.parametrize(
    ("screened", "expected"),
    [
        (answers(), SURVEY),
        (answers("car"), SKIP),
        (answers("car", "pension"), SKIP),
        (answers("car", listed=True), SURVEY),  # a listed household is always surveyed
        (answers(listed=True), SURVEY),
    ],
)
def test_a_sign_skips_the_full_interview_unless_the_household_is_listed_or_applied(
    screened: ScreeningAnswers, expected: ScreeningOutcome
) -> None:
    assert outcome(screened, RULES) is expected


def test_an_unknown_sign_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        outcome(answers("yacht"), RULES)
    assert caught.value.params["field"] == "signs" and "yacht" in str(caught.value.detail)


def test_the_shipped_signs_are_provisional_and_none_is_verified() -> None:
    assert RULES.provisional
    assert {sign.source_mark for sign in RULES.signs} <= {"R", "D"}


def test_the_number_of_signs_needed_is_read_from_the_data_file(tmp_path: Path) -> None:
    path = tmp_path / "signs.toml"
    path.write_text(
        DEFAULT_FILE.read_text(encoding="utf-8").replace("min_signs = 1", "min_signs = 2")
    )
    two = read_rules(path)
    assert outcome(answers("car"), two) is SURVEY
    assert outcome(answers("car", "pension"), two) is SKIP


def test_a_count_beyond_the_signs_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "signs.toml"
    path.write_text(
        DEFAULT_FILE.read_text(encoding="utf-8").replace("min_signs = 1", "min_signs = 99")
    )
    with pytest.raises(InvalidInput) as caught:
        read_rules(path)
    assert caught.value.params["field"] == "signs.toml: min_signs"
