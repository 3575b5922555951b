"""Reading a `followup_visit` instance (forms/README.md) into a visit record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element

from server.formats.answers import answers_of, choices, date_of, decimal, integer, required


@dataclass(frozen=True)
class VisitRecord:
    household_code: str
    visit_date: date
    household_income_month: Decimal | None
    member_count: int | None
    shocks: frozenset[str]
    recheck_deficient: frozenset[str]
    cadre_risk: str | None
    support_needed: frozenset[str]
    hi_card_expiry: date | None
    loan_due: date | None
    livelihood_end: date | None
    delivered_items: frozenset[str] = frozenset()
    impossible_items: frozenset[str] = frozenset()
    impossible_reason: str = ""


def read_visit(root: Element) -> VisitRecord:
    text = answers_of(root).get

    visit_date = date_of(required(text("visit_date"), "visit_date"), "visit_date")
    return VisitRecord(
        household_code=required(text("household"), "household"),
        visit_date=visit_date or date.today(),
        household_income_month=decimal(text("household_income_month"), "household_income_month"),
        member_count=integer(text("member_count"), "member_count"),
        shocks=choices(text("shocks")),
        recheck_deficient=choices(text("recheck_deficient")),
        cadre_risk=text("relapse_risk"),
        support_needed=choices(text("support_needed")),
        hi_card_expiry=date_of(text("hi_card_expiry"), "hi_card_expiry"),
        loan_due=date_of(text("loan_due"), "loan_due"),
        livelihood_end=date_of(text("livelihood_end"), "livelihood_end"),
        delivered_items=choices(text("delivered_items")),
        impossible_items=choices(text("impossible_items")),
        impossible_reason=text("impossible_reason") or "",
    )
