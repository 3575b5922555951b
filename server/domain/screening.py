"""The quick screening (Phiếu A): which households may skip the full review interview.

The signs and their count come from `data/screening/signs.toml` (provisional: the official
list was not found). A household that is on the current list of poor or near-poor households,
or has applied to be reviewed, always gets the full survey: screening only spares households
nobody asked about and that plainly are not poor.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from server.domain.toml_reader import read_toml
from server.domain.vocabulary import ScreeningOutcome
from server.errors import InvalidInput

DEFAULT_FILE = Path(__file__).parent / "data" / "screening" / "signs.toml"
SOURCE_MARKS = frozenset({"V", "S", "R", "D"})


@dataclass(frozen=True)
class Sign:
    code: str
    label_vi: str
    label_en: str
    source_mark: str


@dataclass(frozen=True)
class ScreeningRules:
    signs: tuple[Sign, ...]
    min_signs: int
    provisional: bool

    def codes(self) -> frozenset[str]:
        return frozenset(sign.code for sign in self.signs)


@dataclass(frozen=True)
class ScreeningAnswers:
    list_year: int
    village_code: str
    household_code: str
    head_name: str
    listed_or_applied: bool
    signs: frozenset[str]


def read_rules(path: Path) -> ScreeningRules:
    table = read_toml(path)
    signs = []
    for entry in table.tables("signs"):
        mark = entry.text("source_mark")
        if mark not in SOURCE_MARKS:
            raise entry.error("source_mark", f"must be one of {', '.join(sorted(SOURCE_MARKS))}")
        signs.append(Sign(entry.text("code"), entry.text("label_vi"), entry.text("label_en"), mark))
        entry.finish()
    rules = ScreeningRules(tuple(signs), table.integer("min_signs"), table.flag("provisional"))
    table.finish()
    if len(rules.codes()) != len(signs):
        raise table.error("signs", "a sign code is used twice")
    if not 1 <= rules.min_signs <= len(signs):
        raise table.error("min_signs", f"must be between 1 and {len(signs)} (signs)")
    return rules


@functools.cache
def shipped_rules() -> ScreeningRules:
    return read_rules(DEFAULT_FILE)


def outcome(answers: ScreeningAnswers, rules: ScreeningRules) -> ScreeningOutcome:
    """Clearly not poor (skip the full interview) or needs the full survey."""
    unknown = sorted(answers.signs - rules.codes())
    if unknown:
        raise InvalidInput(field="signs", detail=f"unknown sign {unknown[0]!r}")
    if answers.listed_or_applied:
        return ScreeningOutcome.NEEDS_SURVEY
    if len(answers.signs) >= rules.min_signs:
        return ScreeningOutcome.CLEARLY_NOT_POOR
    return ScreeningOutcome.NEEDS_SURVEY


def signs_text(signs: Iterable[str]) -> str:
    return " ".join(sorted(signs))
