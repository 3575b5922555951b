"""The quick screenings (Phiếu A) of households, per list year."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import HouseholdScreening, utcnow


@dataclass(frozen=True)
class ScreeningFacts:
    household_code: str
    period: int
    village_id: int
    submission_id: int
    head_name: str
    outcome: str
    listed_or_applied: bool
    signs: str


def upsert_screening(session: Session, facts: ScreeningFacts) -> None:
    """The household's screening of the period, created or replaced by the latest record."""
    row = session.scalars(
        select(HouseholdScreening).where(
            HouseholdScreening.household_code == facts.household_code,
            HouseholdScreening.period == facts.period,
        )
    ).first()
    if row is None:
        row = HouseholdScreening(household_code=facts.household_code, period=facts.period)
        session.add(row)
    row.village_id, row.submission_id = facts.village_id, facts.submission_id
    row.head_name, row.outcome = facts.head_name, facts.outcome
    row.listed_or_applied, row.signs = facts.listed_or_applied, facts.signs
    row.updated_at = utcnow()
    session.flush()


def find_screening(session: Session, household_code: str, period: int) -> HouseholdScreening | None:
    return session.scalars(
        select(HouseholdScreening).where(
            HouseholdScreening.household_code == household_code,
            HouseholdScreening.period == period,
        )
    ).first()
