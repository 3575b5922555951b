"""Assessing one household review: income per person, each indicator, and the class.

Each indicator's rule kind (see `rules.py`) answers deficient, not deficient or "cannot tell";
the last goes to `unassessed` and is not counted, so a missing answer never makes a household
poorer. The class is computed from the deficiencies that are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from server.domain.classify import classify
from server.domain.household import SCORING_METHOD, HouseholdAnswers
from server.domain.rules import RULE_KINDS
from server.domain.score_table_file import scoring_table
from server.domain.scoring import classify_by_score
from server.domain.standard_model import Indicator, Standard
from server.domain.vocabulary import HouseholdClass
from server.errors import InvalidInput

_WHOLE_DONG = Decimal(1)


@dataclass(frozen=True)
class Assessment:
    standard_code: str
    income_per_person: Decimal | None
    deficient: frozenset[str]
    unassessed: frozenset[str]
    deficiency_count: int
    household_class: HouseholdClass | None
    proxy_score: int | None = None  # score A, when the income was estimated by scoring


def exact_income_per_person(
    household_income: Decimal | None, members: int | None
) -> Decimal | None:
    """Monthly income per member, unrounded; None if either is missing.

    The class is decided on this figure: rounding first would put 4,500,001 đồng for three
    rural members (1,500,000.33 each) on the poor side of the 1,500,000 line, where the law's
    comparison (and the phone's, income ≤ line × members) puts it above."""
    if household_income is None or members is None or members <= 0:
        return None
    return household_income / Decimal(members)


def income_per_person(household_income: Decimal | None, members: int | None) -> Decimal | None:
    """Monthly income per member, rounded to whole đồng (half up), as shown and stored."""
    exact = exact_income_per_person(household_income, members)
    return None if exact is None else exact.quantize(_WHOLE_DONG, rounding=ROUND_HALF_UP)


def evaluate(indicator: Indicator, answers: HouseholdAnswers) -> bool | None:
    """True if deficient, False if not, None if the answers cannot tell."""
    kind = RULE_KINDS.get(indicator.rule)
    if kind is None:
        raise InvalidInput(field=f"indicator {indicator.code}: rule", detail=indicator.rule)
    return kind.check(answers, indicator.params)


def assess(answers: HouseholdAnswers, standard: Standard, *, urban: bool) -> Assessment:
    verdicts = {indicator.code: evaluate(indicator, answers) for indicator in standard.indicators}
    deficient = frozenset(code for code, verdict in verdicts.items() if verdict is True)
    unassessed = frozenset(code for code, verdict in verdicts.items() if verdict is None)
    if answers.income_method == SCORING_METHOD:
        return _assess_by_score(answers, standard, urban, deficient, unassessed)
    exact = exact_income_per_person(answers.household_income_month, len(answers.members))
    household_class = (
        None if exact is None else classify(exact, len(deficient), urban=urban, standard=standard)
    )
    return Assessment(
        standard_code=standard.code,
        income_per_person=income_per_person(answers.household_income_month, len(answers.members)),
        deficient=deficient,
        unassessed=unassessed,
        deficiency_count=len(deficient),
        household_class=household_class,
    )


def _assess_by_score(
    answers: HouseholdAnswers,
    standard: Standard,
    urban: bool,
    deficient: frozenset[str],
    unassessed: frozenset[str],
) -> Assessment:
    """Classified from score A (the area's table) and the deficiencies; no income is asked, so
    none is stored (a direct answer sent alongside is not what the commune decided by)."""
    rules = standard.scoring
    if rules is None:
        raise InvalidInput(
            field="income_method", detail=f"{standard.code} has no scoring method (Phiếu B)"
        )
    score_a = scoring_table(rules, urban=urban).score(answers.score_answers or {})
    household_class = classify_by_score(
        score_a,
        len(deficient),
        urban=urban,
        rules=rules,
        deficiency_cutoff=standard.deficiency_cutoff,
    )
    return Assessment(
        standard_code=standard.code,
        income_per_person=None,
        deficient=deficient,
        unassessed=unassessed,
        deficiency_count=len(deficient),
        household_class=household_class,
        proxy_score=score_a,
    )
