"""The SQL of the support plans: organisations, responsibilities and plan items, and the grouped
queries of the plan's tables. Every query is limited to an area's subtree by the path of the
village the household was reviewed in (the review of the plan's year), as the lists are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from server.domain.vocabulary import HouseholdClass, OrganisationKind, PlanState, Transition
from server.storage.models import (
    Area,
    Household,
    HouseholdReview,
    Organisation,
    PlanItem,
    Responsibility,
    ReviewDeficiency,
    utcnow,
)
from server.storage.registry import (
    TRAIT_COLUMNS,
    HouseholdsOf,
    recent_exits,
    within_households,
)

POOR_OR_NEAR = (HouseholdClass.POOR, HouseholdClass.NEAR_POOR)
OPEN = (PlanState.PLANNED, PlanState.IN_PROGRESS)


# --- organisations and responsibilities ---------------------------------------------------------


@dataclass(frozen=True)
class ListedOrganisation:
    id: int
    area_code: str
    area_name: str
    kind: OrganisationKind
    name: str
    contact: str


def add_organisation(
    session: Session, area_id: int, kind: OrganisationKind, name: str, contact: str
) -> int:
    row = Organisation(area_id=area_id, kind=kind, name=name, contact=contact)
    session.add(row)
    session.flush()
    return row.id


def organisation_named(session: Session, area_id: int, name: str) -> Organisation | None:
    query = select(Organisation).where(Organisation.area_id == area_id, Organisation.name == name)
    return session.scalars(query).first()


def find_organisation(session: Session, organisation_id: int) -> tuple[Organisation, Area] | None:
    query = (
        select(Organisation, Area)
        .join(Area, Area.id == Organisation.area_id)
        .where(Organisation.id == organisation_id)
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None


def organisations_within(session: Session, scope: Area) -> list[ListedOrganisation]:
    """The organisations of `scope` and of every area below it, by area and name."""
    query = (
        select(Organisation, Area)
        .join(Area, Area.id == Organisation.area_id)
        .where(Area.path.startswith(scope.path))
        .order_by(Area.name, Organisation.name)
    )
    return [
        ListedOrganisation(o.id, a.code, a.name, OrganisationKind(o.kind), o.name, o.contact)
        for o, a in session.execute(query)
    ]


def organisations_serving(session: Session, area: Area) -> list[ListedOrganisation]:
    """The organisations that may take an item of a household of `area`: those of the area,
    of the areas above it (a district's bank branch serves its communes) and below it."""
    above = [int(part) for part in area.path.strip("/").split("/") if part]
    query = (
        select(Organisation, Area)
        .join(Area, Area.id == Organisation.area_id)
        .where(Area.id.in_(above) | Area.path.startswith(area.path))
        .order_by(Area.name, Organisation.name)
    )
    return [
        ListedOrganisation(o.id, a.code, a.name, OrganisationKind(o.kind), o.name, o.contact)
        for o, a in session.execute(query)
    ]


def add_responsibility(
    session: Session,
    organisation_id: int,
    period: int,
    *,
    village_id: int | None,
    household_id: int | None,
    cadre: str,
    sponsor: bool,
    committed: str,
) -> int:
    row = Responsibility(
        organisation_id=organisation_id,
        period=period,
        village_id=village_id,
        household_id=household_id,
        cadre=cadre,
        sponsor=sponsor,
        committed=committed,
    )
    session.add(row)
    session.flush()
    return row.id


# --- plan items ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewItem:
    household_id: int
    period: int
    indicator: str
    support: str
    organisation_id: int
    planned_date: date | None
    amount: Decimal | None = None
    unit: str = ""
    state: PlanState = PlanState.PLANNED
    reason: str = ""


def add_item(session: Session, item: NewItem) -> int:
    row = PlanItem(**item.__dict__)
    session.add(row)
    session.flush()
    return row.id


def find_item(session: Session, item_id: int) -> PlanItem | None:
    return session.get(PlanItem, item_id)


def update_item(session: Session, item: PlanItem, **values: Any) -> None:
    for name, value in values.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    session.flush()


@dataclass(frozen=True)
class PhoneItem:
    """An open item as a phone's follow-up form lists it."""

    id: int
    household_code: str
    support: str
    organisation: str
    planned_date: date | None


def open_items_of_recent_exits(
    session: Session, scope: Area | None, since_period: int, only: HouseholdsOf | None = None
) -> list[PhoneItem]:
    """The open items (any year) of the households within `scope` (and among `only`) that the
    follow-up list holds: those that left poverty in or after `since_period` and stayed out."""
    recent = recent_exits(since_period)
    query = (
        select(
            PlanItem.id,
            Household.code,
            PlanItem.support,
            Organisation.name,
            PlanItem.planned_date,
        )
        .join(Household, Household.id == PlanItem.household_id)
        .join(recent, recent.c.household_id == Household.id)
        .join(Organisation, Organisation.id == PlanItem.organisation_id)
        .join(Area, Area.id == Household.village_id)
        .where(PlanItem.state.in_(OPEN))
        .order_by(Household.code, PlanItem.planned_date, PlanItem.id)
    )
    query = within_households(query, scope, only)
    return [PhoneItem(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class CadrePlace:
    cadre: str
    household_id: int | None
    village_id: int | None


def named_cadres(session: Session, since_period: int) -> list[CadrePlace]:
    """The responsibilities of `since_period` and later that name a cadre: who, for which
    household or village (their names are compared by the caller, casefolded in Python, as
    SQLite's lower() knows no Vietnamese letters)."""
    query = select(Responsibility.cadre, Responsibility.household_id, Responsibility.village_id)
    query = query.where(Responsibility.cadre != "", Responsibility.period >= since_period)
    return [CadrePlace(*row) for row in session.execute(query)]


def items_of_household(
    session: Session, household_id: int, item_ids: Sequence[int]
) -> dict[int, PlanItem]:
    """Those of `item_ids` that are items of the household (others are not returned)."""
    if not item_ids:
        return {}
    query = select(PlanItem).where(PlanItem.household_id == household_id, PlanItem.id.in_(item_ids))
    return {item.id: item for item in session.scalars(query)}


def village_of_household(session: Session, household_id: int) -> Area | None:
    query = select(Area).join(Household, Household.village_id == Area.id)
    return session.scalars(query.where(Household.id == household_id)).first()


@dataclass(frozen=True)
class DeficientHousehold:
    household_id: int
    code: str
    indicator: str


def deficient_households(
    session: Session,
    scope: Area,
    period: int,
    indicators: Sequence[str],
    classes: Sequence[str],
    groups: Sequence[str],
    village: Area | None,
) -> list[DeficientHousehold]:
    """Households reviewed in `period` inside `scope` (or one village of it), of the classes
    asked, deficient in one of `indicators` (one row per household and indicator), and in one
    of `groups` when given (ethnic minority, merit…)."""
    place = aliased(Area)
    within = village or scope
    query = (
        select(Household.id, Household.code, ReviewDeficiency.indicator)
        .join(HouseholdReview, HouseholdReview.household_id == Household.id)
        .join(place, place.id == HouseholdReview.village_id)
        .join(ReviewDeficiency, ReviewDeficiency.review_id == HouseholdReview.id)
        .where(
            HouseholdReview.period == period,
            place.path.startswith(within.path),
            HouseholdReview.household_class.in_(classes or POOR_OR_NEAR),
            ReviewDeficiency.indicator.in_(indicators),
        )
        .order_by(Household.code, ReviewDeficiency.indicator)
    )
    chosen = [TRAIT_COLUMNS[g].is_(True) for g in groups if g in TRAIT_COLUMNS]
    if chosen:
        query = query.where(or_(*chosen))
    return [DeficientHousehold(*row) for row in session.execute(query)]


def planned_pairs(
    session: Session, household_ids: Sequence[int], period: int
) -> set[tuple[int, str]]:
    """(household, indicator) that already have an item in `period`."""
    if not household_ids:
        return set()
    query = select(PlanItem.household_id, PlanItem.indicator).where(
        PlanItem.period == period, PlanItem.household_id.in_(household_ids)
    )
    return {(h, i) for h, i in session.execute(query)}


@dataclass(frozen=True)
class ListedItem:
    id: int
    commune: str
    village: str
    code: str
    head_name: str
    household_class: str | None
    ethnic_minority: bool
    merit: bool
    indicator: str
    support: str
    organisation_id: int
    organisation: str
    planned_date: date | None
    amount: Decimal | None
    unit: str
    state: PlanState
    reason: str


def _items_query(scope: Area, period: int) -> tuple[Any, Any, Any]:
    village, commune = aliased(Area), aliased(Area)
    query = (
        select(
            PlanItem.id,
            commune.name,
            village.name,
            Household.code,
            Household.head_name,
            HouseholdReview.household_class,
            func.coalesce(HouseholdReview.ethnic_minority, Household.ethnic_minority),
            func.coalesce(HouseholdReview.merit, Household.merit),
            PlanItem.indicator,
            PlanItem.support,
            Organisation.id,
            Organisation.name,
            PlanItem.planned_date,
            PlanItem.amount,
            PlanItem.unit,
            PlanItem.state,
            PlanItem.reason,
        )
        .join(Household, Household.id == PlanItem.household_id)
        .join(Organisation, Organisation.id == PlanItem.organisation_id)
        .outerjoin(
            HouseholdReview,
            and_(
                HouseholdReview.household_id == Household.id,
                HouseholdReview.period == PlanItem.period,
            ),
        )
        .join(
            village, village.id == func.coalesce(HouseholdReview.village_id, Household.village_id)
        )
        .join(commune, commune.id == village.parent_id)
        .where(PlanItem.period == period, village.path.startswith(scope.path))
    )
    return query, village, commune


def plan_items(
    session: Session,
    scope: Area,
    period: int,
    *,
    overdue_on: date | None = None,
    organisation_id: int | None = None,
) -> list[ListedItem]:
    """The items of `period` for households inside `scope`, by commune, village and code;
    only the open ones planned before `overdue_on` when given."""
    query, village, commune = _items_query(scope, period)
    if overdue_on is not None:
        query = query.where(PlanItem.state.in_(OPEN), PlanItem.planned_date < overdue_on)
    if organisation_id is not None:
        query = query.where(PlanItem.organisation_id == organisation_id)
    query = query.order_by(commune.name, village.name, Household.code, PlanItem.id)
    rows: list[list[Any]] = [list(row) for row in session.execute(query)]
    for row in rows:
        row[15] = PlanState(row[15])
    return [ListedItem(*row) for row in rows]


@dataclass(frozen=True)
class Progress:
    """Items of one group (an indicator, an organisation): all, by state, and of the ethnic-
    minority and merit households; `households` counts the distinct households."""

    key: str
    label: str
    households: int
    items: int
    delivered: int
    in_progress: int
    not_possible: int
    overdue: int
    em_items: int
    em_delivered: int
    merit_items: int
    merit_delivered: int


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def progress(session: Session, scope: Area, period: int, by: str, today: date) -> list[Progress]:
    """Planned against delivered, grouped by the item's indicator (`by` "indicator") or by its
    organisation (`by` "organisation")."""
    query, _, _ = _items_query(scope, period)
    items = query.subquery()
    em, merit = items.c[6], items.c[7]
    if by == "indicator":
        key, label = items.c.indicator, items.c.indicator
    else:
        key, label = items.c[10], items.c[11]
    delivered = items.c.state == PlanState.DELIVERED
    grouped = (
        select(
            key,
            label,
            func.count(func.distinct(items.c.code)),
            func.count(),
            _count_if(delivered),
            _count_if(items.c.state == PlanState.IN_PROGRESS),
            _count_if(items.c.state == PlanState.NOT_POSSIBLE),
            _count_if(and_(items.c.state.in_(OPEN), items.c.planned_date < today)),
            _count_if(em.is_(True)),
            _count_if(and_(em.is_(True), delivered)),
            _count_if(merit.is_(True)),
            _count_if(and_(merit.is_(True), delivered)),
        )
        .group_by(key, label)
        .order_by(label)
    )
    return [
        Progress(str(r[0]), str(r[1]), *(int(v) for v in r[2:])) for r in session.execute(grouped)
    ]


@dataclass(frozen=True)
class GapHousehold:
    commune: str
    village: str
    code: str
    head_name: str
    household_class: str | None
    ethnic_minority: bool
    merit: bool
    indicators: str  # the deficiencies, comma-separated codes


def gap(session: Session, scope: Area, period: int) -> list[GapHousehold]:
    """Poor and near-poor households of `period` inside `scope` with a deficiency and no plan
    item of that year at all: the gap an officer must close."""
    village, commune = aliased(Area), aliased(Area)
    planned = exists().where(PlanItem.household_id == Household.id, PlanItem.period == period)
    query = (
        select(
            commune.name,
            village.name,
            Household.code,
            Household.head_name,
            HouseholdReview.household_class,
            HouseholdReview.ethnic_minority,
            HouseholdReview.merit,
            ReviewDeficiency.indicator,
        )
        .join(HouseholdReview, HouseholdReview.household_id == Household.id)
        .join(ReviewDeficiency, ReviewDeficiency.review_id == HouseholdReview.id)
        .join(village, village.id == HouseholdReview.village_id)
        .join(commune, commune.id == village.parent_id)
        .where(
            HouseholdReview.period == period,
            HouseholdReview.household_class.in_(POOR_OR_NEAR),
            village.path.startswith(scope.path),
            ~planned,
        )
        .order_by(commune.name, village.name, Household.code, ReviewDeficiency.indicator)
    )
    out: list[GapHousehold] = []
    for row in session.execute(query):
        if out and out[-1].code == row[2]:
            out[-1] = replace(out[-1], indicators=f"{out[-1].indicators},{row[7]}")
        else:
            out.append(GapHousehold(*row[:7], row[7]))
    return out


@dataclass(frozen=True)
class SponsoredHousehold:
    commune: str
    village: str
    code: str
    head_name: str
    household_class: str | None
    ethnic_minority: bool
    merit: bool
    sponsor: str
    cadre: str
    committed: str


def sponsored(
    session: Session, scope: Area, period: int, *, merit_only: bool
) -> list[SponsoredHousehold]:
    """Households with a sponsor ("đỡ đầu") in `period` inside `scope`; only the households of
    people of merit when `merit_only` (the directive's list)."""
    village, commune = aliased(Area), aliased(Area)
    query = (
        select(
            commune.name,
            village.name,
            Household.code,
            Household.head_name,
            HouseholdReview.household_class,
            func.coalesce(HouseholdReview.ethnic_minority, Household.ethnic_minority),
            func.coalesce(HouseholdReview.merit, Household.merit),
            Organisation.name,
            Responsibility.cadre,
            Responsibility.committed,
        )
        .join(Household, Household.id == Responsibility.household_id)
        .join(Organisation, Organisation.id == Responsibility.organisation_id)
        .outerjoin(
            HouseholdReview,
            and_(
                HouseholdReview.household_id == Household.id,
                HouseholdReview.period == Responsibility.period,
            ),
        )
        .join(
            village, village.id == func.coalesce(HouseholdReview.village_id, Household.village_id)
        )
        .join(commune, commune.id == village.parent_id)
        .where(
            Responsibility.period == period,
            Responsibility.sponsor.is_(True),
            village.path.startswith(scope.path),
        )
        .order_by(commune.name, village.name, Household.code)
    )
    if merit_only:
        query = query.where(func.coalesce(HouseholdReview.merit, Household.merit).is_(True))
    rows: list[list[Any]] = [list(row) for row in session.execute(query)]
    return [SponsoredHousehold(*row) for row in rows]


def merit_households(session: Session, scope: Area, period: int) -> list[str]:
    """Codes of the poor and near-poor households of people of merit reviewed in `period`
    inside `scope`, by code (the demo gives each a sponsor)."""
    village = aliased(Area)
    query = (
        select(Household.code)
        .join(HouseholdReview, HouseholdReview.household_id == Household.id)
        .join(village, village.id == HouseholdReview.village_id)
        .where(
            HouseholdReview.period == period,
            HouseholdReview.merit.is_(True),
            HouseholdReview.household_class.in_(POOR_OR_NEAR),
            village.path.startswith(scope.path),
        )
        .order_by(Household.code)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class EffectRow:
    kind: str
    households: int
    reviewed: int
    exited: int
    still_poor: int
    closed: int
    still_open: int


def effect(session: Session, scope: Area, period: int) -> list[EffectRow]:
    """Per kind of support (the item's indicator), the households inside `scope` with an item
    of `period` delivered, and what their review of the year after says (see
    domain/support_effect.py, the reference). A household counts once per kind."""
    place, later = aliased(Area), aliased(HouseholdReview)
    review = aliased(HouseholdReview)
    pairs = (
        select(PlanItem.household_id, PlanItem.indicator)
        .join(Household, Household.id == PlanItem.household_id)
        .outerjoin(
            review,
            and_(review.household_id == Household.id, review.period == PlanItem.period),
        )
        .join(place, place.id == func.coalesce(review.village_id, Household.village_id))
        .where(
            PlanItem.period == period,
            PlanItem.state == PlanState.DELIVERED,
            place.path.startswith(scope.path),
        )
        .distinct()
        .subquery()
    )
    still_deficient = exists().where(
        ReviewDeficiency.review_id == later.id, ReviewDeficiency.indicator == pairs.c.indicator
    )
    reviewed = later.id.is_not(None)
    query = (
        select(
            pairs.c.indicator,
            func.count(),
            func.count(later.id),
            _count_if(later.transition == Transition.EXITED),
            _count_if(later.household_class == HouseholdClass.POOR),
            _count_if(and_(reviewed, ~still_deficient)),
            _count_if(and_(reviewed, still_deficient)),
        )
        .select_from(pairs)
        .outerjoin(
            later, and_(later.household_id == pairs.c.household_id, later.period == period + 1)
        )
        .group_by(pairs.c.indicator)
        .order_by(pairs.c.indicator)
    )
    return [EffectRow(str(r[0]), *(int(v) for v in r[1:])) for r in session.execute(query)]
