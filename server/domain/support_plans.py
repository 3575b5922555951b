"""The rules of a support plan, in plain Python: the names of the organisations' kinds and of
the plan states, which state may follow which, when an item is overdue, and how a date or a
state written in a file is read. The pages, the imports and the tables all use these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from server.domain.vocabulary import OrganisationKind, PlanState
from server.errors import InvalidInput

KIND_NAMES: dict[OrganisationKind, tuple[str, str]] = {
    OrganisationKind.COMMUNE_COMMITTEE: ("UBND xã", "Commune People's Committee"),
    OrganisationKind.FATHERLAND_FRONT: ("Mặt trận Tổ quốc", "Fatherland Front"),
    OrganisationKind.WOMENS_UNION: ("Hội Liên hiệp Phụ nữ", "Women's Union"),
    OrganisationKind.FARMERS_UNION: ("Hội Nông dân", "Farmers' Union"),
    OrganisationKind.VETERANS: ("Hội Cựu chiến binh", "Veterans' Association"),
    OrganisationKind.YOUTH_UNION: ("Đoàn Thanh niên", "Youth Union"),
    OrganisationKind.VBSP: ("Ngân hàng Chính sách xã hội", "Bank for Social Policies"),
    OrganisationKind.SCHOOL: ("Trường học", "School"),
    OrganisationKind.HEALTH_STATION: ("Trạm y tế", "Health station"),
    OrganisationKind.BUSINESS: ("Doanh nghiệp", "Business"),
    OrganisationKind.SPONSOR: ("Cá nhân đỡ đầu", "Individual sponsor"),
}
STATE_NAMES: dict[PlanState, tuple[str, str]] = {
    PlanState.PLANNED: ("Đã lên kế hoạch", "Planned"),
    PlanState.IN_PROGRESS: ("Đang thực hiện", "In progress"),
    PlanState.DELIVERED: ("Đã hỗ trợ", "Delivered"),
    PlanState.NOT_POSSIBLE: ("Không thực hiện được", "Not possible"),
}
OPEN_STATES = frozenset({PlanState.PLANNED, PlanState.IN_PROGRESS})
# A delivered item stays delivered: the support reached the household, and the effect table
# counts it. A "not possible" one may be planned again when the obstacle goes.
_MOVES: dict[PlanState, frozenset[PlanState]] = {
    PlanState.PLANNED: frozenset(PlanState),
    PlanState.IN_PROGRESS: frozenset(PlanState),
    PlanState.DELIVERED: frozenset({PlanState.DELIVERED}),
    PlanState.NOT_POSSIBLE: frozenset(
        {PlanState.NOT_POSSIBLE, PlanState.PLANNED, PlanState.IN_PROGRESS}
    ),
}
INCOME_ITEM = "income"  # the support item of income below the line (not an indicator)


def parse_kind(text: str, field: str) -> OrganisationKind:
    """A kind by its code or by its Vietnamese or English name (a CSV may use either)."""
    wanted = text.strip().casefold()
    for kind, names in KIND_NAMES.items():
        if wanted in (kind.value, *(n.casefold() for n in names)):
            return kind
    known = ", ".join(k.value for k in OrganisationKind)
    raise InvalidInput(field=field, detail=f"{text!r} is not a kind of organisation ({known})")


def parse_state(text: str, field: str) -> PlanState:
    """A state by its code or by its Vietnamese or English name (an exported file has names)."""
    wanted = text.strip().casefold()
    for state, names in STATE_NAMES.items():
        if wanted in (state.value, *(n.casefold() for n in names)):
            return state
    known = ", ".join(s.value for s in PlanState)
    raise InvalidInput(field=field, detail=f"{text!r} is not a state ({known})")


def parse_day(text: str, field: str) -> date:
    """A date as YYYY-MM-DD: the one format of the files, unambiguous in both languages."""
    try:
        if len(text.strip()) != 10:
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(field=field, detail=f"{text!r} is not a date (YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class Change:
    """What an officer sets on one plan item."""

    state: PlanState
    planned_date: date | None
    reason: str


def check_change(current: PlanState, change: Change) -> None:
    """Refuse a move the plan does not allow, and "not possible" without its reason."""
    if change.state not in _MOVES[current]:
        raise InvalidInput(
            field="state", detail=f"an item {current.value} cannot become {change.state.value}"
        )
    if change.state is PlanState.NOT_POSSIBLE and not change.reason.strip():
        raise InvalidInput(field="reason", detail="say why the support is not possible")


def is_overdue(state: PlanState, planned_date: date | None, today: date) -> bool:
    """An open item whose planned date has passed."""
    return state in OPEN_STATES and planned_date is not None and planned_date < today


@dataclass(frozen=True)
class VisitReport:
    """What a cadre ticked on a follow-up visit: the ids (as the form wrote them) of the items
    that arrived and of those that cannot be done, with the reason."""

    delivered: frozenset[str]
    impossible: frozenset[str]
    reason: str


@dataclass(frozen=True)
class VisitMoves:
    moves: dict[int, Change]  # item id → what it becomes
    refused: tuple[str, ...]  # ids left as they are: unknown here, or closed in another state


def item_id_of(text: str) -> int | None:
    """An item's id as a form wrote it; None for anything else (a number too long for the
    column is not an id either)."""
    return int(text) if text.isdigit() and len(text) <= 9 else None


def moves_of_visit(report: VisitReport, states: Mapping[int, PlanState]) -> VisitMoves:
    """The moves a visit makes on the household's items (`states`: its items by id). An item
    already in the state reported is left alone without complaint (a re-sent or edited record,
    or an officer who got there first); one the plan does not let move so is refused."""
    wanted = dict.fromkeys(report.impossible, PlanState.NOT_POSSIBLE)
    wanted |= dict.fromkeys(report.delivered, PlanState.DELIVERED)  # both ticked: it arrived
    moves: dict[int, Change] = {}
    refused: list[str] = []
    for text, state in sorted(wanted.items()):
        item_id = item_id_of(text)
        current = states.get(item_id) if item_id is not None else None
        if item_id is None or current is None:
            refused.append(text)
            continue
        if current is state:
            continue
        change = Change(state, None, report.reason.strip()[:500])
        try:
            check_change(current, change)
        except InvalidInput:
            refused.append(text)
            continue
        moves[item_id] = change
    return VisitMoves(moves, tuple(refused))
