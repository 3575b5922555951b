"""The words every layer shares: who a person is, where a form stands, how a record was
reviewed, which class a household is in, how it moved between two reviews and what else a
review records about it.

They live in the domain so that a page can name a role or a state without importing the
storage layer, and so that each value is spelled once: storage keeps them in enum columns
(`storage.models._enum`) or compares its string columns with the members, never with literals.
"""

from __future__ import annotations

from enum import StrEnum


class FormState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class ReviewState(StrEnum):
    RECEIVED = "received"
    HAS_ISSUES = "has_issues"
    APPROVED = "approved"
    REJECTED = "rejected"


class AreaHold(StrEnum):
    """A record version that names a village or household outside its sender's area: held out
    of the registry until an officer of either area applies it or rejects it."""

    HELD = "held"
    APPLIED = "applied"
    REJECTED = "rejected"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    UPPER_OFFICER = "upper_officer"
    COMMUNE_OFFICER = "commune_officer"
    VIEWER = "viewer"


class HouseholdClass(StrEnum):
    """The outcome of classifying one household against a standard (reference §2)."""

    POOR = "poor"
    NEAR_POOR = "near_poor"
    MIDDLE = "middle"
    NOT_POOR = "not_poor"


class Transition(StrEnum):
    """A household's movement between two review periods (server/domain/transitions.py)."""

    EXITED = "exited"
    RELAPSED = "relapsed"
    NEWLY_POOR = "newly_poor"
    UNCHANGED = "unchanged"


class Trait(StrEnum):
    """What a household review records about the household besides its class; the action
    lists filter by these names and the summary counts by them."""

    ETHNIC_MINORITY = "ethnic_minority"
    MERIT = "merit"  # a person of revolutionary merit
    SOCIAL_PROTECTION = "social_protection"


class OrganisationKind(StrEnum):
    """Who takes part in a support plan (the directive names them): the bodies of a commune,
    the lenders and services, and those who sponsor ("đỡ đầu") a household."""

    COMMUNE_COMMITTEE = "commune_committee"  # Ủy ban nhân dân xã
    FATHERLAND_FRONT = "fatherland_front"  # Mặt trận Tổ quốc
    WOMENS_UNION = "womens_union"
    FARMERS_UNION = "farmers_union"
    VETERANS = "veterans"
    YOUTH_UNION = "youth_union"
    VBSP = "vbsp"  # Ngân hàng Chính sách xã hội
    SCHOOL = "school"
    HEALTH_STATION = "health_station"
    BUSINESS = "business"
    SPONSOR = "sponsor"  # an individual sponsor


class PlanState(StrEnum):
    """Where one item of a household's support plan stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    NOT_POSSIBLE = "not_possible"  # with a reason


class CommendationState(StrEnum):
    """Where a household that left poverty stands in the year's commendation review: the
    commune proposes it, an officer above the commune approves or declines (with a note)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"


class ScreeningOutcome(StrEnum):
    """The result of the quick screening (Phiếu A) of a household for a list year."""

    CLEARLY_NOT_POOR = "clearly_not_poor"  # skip the full interview
    NEEDS_SURVEY = "needs_survey"  # the household survey (Phiếu B or the income) follows
