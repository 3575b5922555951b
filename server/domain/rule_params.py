"""The vocabulary of indicator thresholds: the kinds of parameter a rule kind can take.

A standard file gives each indicator a `rule` (a rule kind, see `rules.py`) and `params`. The
loader converts every parameter to the Python type its kind names, so a rule function reads
typed values; the accessors below re-check the type, because an `Indicator` can also be built
by hand (tests, future tools) without passing through the loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from server.errors import InvalidInput


class ParamKind(StrEnum):
    """How a parameter is written in TOML and what it becomes in Python."""

    INTEGER = "integer"  # a whole number: an age in years, a count (int)
    NUMBER = "number"  # a non-negative number (Decimal)
    FLAG = "flag"  # true / false (bool)
    ANSWERS = "answers"  # a list of choice names from the form (Answers, a frozenset[str])
    AGE_BANDS = "age_bands"  # a list of AgeBand tables (tuple[AgeBand, ...])


class Answers(frozenset[str]):
    """Choice names as a set that also remembers the order its standard file lists them in.

    Rules only ask whether an answer is in it. The form builder writes the names into the
    form's XPath, and a published form must come out byte for byte the same on every build,
    which a set's iteration order (string hashing) would not give.
    """

    order: tuple[str, ...]

    def __new__(cls, names: Iterable[str]) -> Answers:
        ordered = tuple(dict.fromkeys(names))
        answers = super().__new__(cls, ordered)
        answers.order = ordered
        return answers


def in_file_order(answers: frozenset[str]) -> tuple[str, ...]:
    """The names in the order of the standard file; sorted when built by hand as a plain set."""
    return answers.order if isinstance(answers, Answers) else tuple(sorted(answers))


@dataclass(frozen=True)
class AgeBand:
    """Members an education rule looks at, and the levels that count as finished for them.

    Ages are inclusive. `max_age` None means no upper age; `min_birth_year` restricts the band
    to members born in that year or later (QĐ 59 looks at adults born from 1986 on).
    """

    min_age: int
    max_age: int | None
    min_birth_year: int | None
    finished: frozenset[str]

    def covers(self, age: int, birth_year: int | None) -> bool:
        if age < self.min_age or (self.max_age is not None and age > self.max_age):
            return False
        return self.min_birth_year is None or (
            birth_year is not None and birth_year >= self.min_birth_year
        )


def _wrong(name: str, expected: str) -> InvalidInput:
    return InvalidInput(field=f"params.{name}", detail=f"expected {expected}")


def integer_param(params: Mapping[str, object], name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(name, "a whole number")
    return value


def number_param(params: Mapping[str, object], name: str) -> Decimal:
    value = params.get(name)
    if not isinstance(value, Decimal):
        raise _wrong(name, "a Decimal")
    return value


def flag_param(params: Mapping[str, object], name: str) -> bool:
    value = params.get(name)
    if not isinstance(value, bool):
        raise _wrong(name, "true or false")
    return value


def answers_param(params: Mapping[str, object], name: str) -> frozenset[str]:
    value = params.get(name)
    # The set itself, not a copy: a copy would lose the file order of `Answers`.
    if not isinstance(value, frozenset) or not all(isinstance(item, str) for item in value):
        raise _wrong(name, "a set of answers")
    return value


def bands_param(params: Mapping[str, object], name: str) -> tuple[AgeBand, ...]:
    value = params.get(name)
    if not isinstance(value, tuple):
        raise _wrong(name, "a tuple of age bands")
    bands = tuple(item for item in value if isinstance(item, AgeBand))
    if len(bands) != len(value):
        raise _wrong(name, "a tuple of age bands")
    return bands
