"""The audit log for administrators: sign-ins, form publishing, phone changes, reviews and every
reading or download of personal data, newest first, by kind and by person."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.errors import Forbidden
from server.services.accounts import StaffMember
from server.storage import audit_log as queries

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditPage:
    total: int
    page: int
    pages: int
    events: tuple[queries.LoggedEvent, ...]
    kinds: tuple[str, ...]
    people: tuple[tuple[int, str], ...]


def audit_page(
    session: Session, member: StaffMember, kind: str | None, person: int | None, page: int
) -> AuditPage:
    """One page of the log; administrators only."""
    if member.role != Role.ADMINISTRATOR:
        raise Forbidden()
    page = max(1, page)
    total, events = queries.list_events(session, kind, person, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return AuditPage(
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        events=tuple(events),
        kinds=tuple(queries.actions_logged(session)),
        people=tuple(queries.people_logged(session)),
    )
