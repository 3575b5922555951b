"""The words every layer shares: who a person is, where a form stands, how a record was reviewed.

They live in the domain so that a page can name a role or a state without importing the
storage layer; storage keeps them in enum columns (`storage.models._enum`).
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


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    DISTRICT_OFFICER = "district_officer"
    COMMUNE_OFFICER = "commune_officer"
    VIEWER = "viewer"
