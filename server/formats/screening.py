"""Reading a `household_screening` (Phiếu A) instance into the domain's ScreeningAnswers.

Fields are found by name (forms/README.md); a missing or unreadable answer raises InvalidInput
naming the field, which keeps the record out of the registry with that reason.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from server.domain.screening import ScreeningAnswers
from server.formats.answers import answers_of, choices, integer, required, yes_no

NO_SIGN = "none"  # the form's answer "none of these"


def read_screening_answers(root: Element) -> ScreeningAnswers:
    text = answers_of(root).get
    listed = yes_no(required(text("listed_or_applied"), "listed_or_applied"), "listed_or_applied")
    signs = choices(required(text("signs"), "signs"))
    return ScreeningAnswers(
        list_year=integer(required(text("review_year"), "review_year"), "review_year") or 0,
        village_code=required(text("village"), "village"),
        household_code=required(text("household_code"), "household_code"),
        head_name=required(text("head_name"), "head_name"),
        listed_or_applied=bool(listed),
        signs=signs - {NO_SIGN},
    )
