"""The rules of a policy dialogue's record (the directive: "hold dialogues on access to
preferential policies"): what a record needs, and how its follow-up items are written. Each
follow-up is one line `household code | support | organisation number | planned date`, the
date optional (YYYY-MM-DD); each becomes an item of that household's plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.domain.support_plans import parse_day
from server.errors import InvalidInput

PROBLEMS_LENGTH = 4000
SUPPORT_LENGTH = 500
MAX_FOLLOW_UPS = 200


@dataclass(frozen=True)
class FollowUp:
    """One follow-up item as written, its line kept to name it in an error."""

    line: int
    household: str
    support: str
    organisation_id: int
    planned_date: date | None

    @property
    def field(self) -> str:
        return f"follow_ups, line {self.line}"


def check_problems(text: str) -> str:
    problems = text.strip()
    if not problems:
        raise InvalidInput(field="problems", detail="say what problems were raised")
    if len(problems) > PROBLEMS_LENGTH:
        raise InvalidInput(field="problems", detail=f"at most {PROBLEMS_LENGTH} characters")
    return problems


def parse_follow_ups(text: str) -> list[FollowUp]:
    """Every non-empty line as a follow-up; the first bad one refuses them all, named."""
    found: list[FollowUp] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"follow_ups, line {number}"
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) not in (3, 4):
            raise InvalidInput(
                field=where,
                detail="write household code | support | organisation number | planned date",
            )
        household, support, organisation = parts[:3]
        if not household:
            raise InvalidInput(field=where, detail="name the household")
        if not support or len(support) > SUPPORT_LENGTH:
            raise InvalidInput(field=where, detail=f"a support of 1 to {SUPPORT_LENGTH} characters")
        if not organisation.isdigit() or len(organisation) > 9:
            raise InvalidInput(
                field=where, detail=f"{organisation!r} is not an organisation's number"
            )
        day = parts[3] if len(parts) == 4 else ""
        planned = parse_day(day, where) if day else None
        found.append(FollowUp(number, household, support, int(organisation), planned))
    if len(found) > MAX_FOLLOW_UPS:
        raise InvalidInput(field="follow_ups", detail=f"at most {MAX_FOLLOW_UPS} items")
    return found
