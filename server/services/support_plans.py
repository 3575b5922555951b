"""Support plans with specific addresses: the organisations of an area, who is responsible for
which village or household (a sponsor, "đỡ đầu", with what they committed), and each
household's plan items (what support, by whom, by when, where it stands), created in bulk from
the deficiency list, edited one by one, exported and imported as XLSX; and the plan's tables.

Officers plan only inside their area: a household is planned for when its village lies within
the officer's area; an organisation may serve it when the organisation's area lies within the
officer's area or above it (a district's bank branch serves every commune). Every change is
written to the audit log; every list of households read is too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from server.domain.standards import standard_for_year
from server.domain.support_plans import (
    INCOME_ITEM,
    KIND_NAMES,
    STATE_NAMES,
    Change,
    VisitReport,
    check_change,
    is_overdue,
    item_id_of,
    moves_of_visit,
    parse_day,
    parse_kind,
    parse_state,
)
from server.domain.vocabulary import HouseholdClass, OrganisationKind, PlanState, Role
from server.errors import Forbidden, InvalidInput, NotFound, PlanItemsNotChanged
from server.formats import plan_sheet
from server.formats.tables import TOTAL, CellKind, Column, Row, RowKind, Table
from server.services.accounts import StaffMember, record_action, require_personal_data
from server.services.action_lists import CLASS_NAMES
from server.services.areas import visible_area
from server.services.period_words import list_year_words
from server.storage import accounts as account_queries
from server.storage import plans as queries
from server.storage import submissions as submission_queries
from server.storage.areas import find_area_by_code, is_within
from server.storage.models import Area, Organisation, PlanItem
from server.storage.registry import find_household

# Every role but the viewer's plans (within its area); a viewer reads the counts only.
PLANNERS = tuple(role for role in Role if role is not Role.VIEWER)
ORGANISATION_COLUMNS = ("area_code", "kind", "name", "contact")
_T = CellKind.TEXT


def _require_planner(member: StaffMember) -> None:
    if not member.can(*PLANNERS):
        raise Forbidden()


def require_planner(member: StaffMember) -> None:
    """The same check for the services that write plan items of their own (dialogues)."""
    _require_planner(member)


def usable_organisation(
    session: Session, member: StaffMember, organisation_id: int, where: str
) -> Organisation:
    """An organisation the member may name (inside their area or above it), or InvalidInput."""
    return _usable_organisation(session, member, organisation_id, where)


def _mark(flag: bool) -> str:
    return "x" if flag else ""


# --- organisations -------------------------------------------------------------------------------


def _new_organisation(
    session: Session, area: Area, kind: OrganisationKind, name: str, contact: str, where: str
) -> int:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(field=f"{where}name", detail="a name of 1 to 200 characters")
    if len(contact) > 300:
        raise InvalidInput(field=f"{where}contact", detail="at most 300 characters")
    if queries.organisation_named(session, area.id, name) is not None:
        raise InvalidInput(field=f"{where}name", detail=f"{area.name} has {name!r} already")
    return queries.add_organisation(session, area.id, kind, name, contact.strip())


def create_organisation(
    session: Session, member: StaffMember, area_code: str, kind: str, name: str, contact: str
) -> int:
    _require_planner(member)
    area = visible_area(session, member.scope, area_code)
    new_id = _new_organisation(session, area, parse_kind(kind, "kind"), name, contact, "")
    record_action(session, member, "organisation_created", f"organisation {new_id}", name)
    return new_id


def import_organisations_csv(session: Session, member: StaffMember, text: str) -> int:
    """Import `area_code,kind,name,contact` rows; any bad row refuses the whole file, naming
    its line and column (the caller's write unit rolls back what came before it)."""
    _require_planner(member)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ORGANISATION_COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(field="line 1", detail=f"missing columns: {', '.join(missing)}")
    count = 0
    for line, row in enumerate(reader, start=2):
        code = (row.get("area_code") or "").strip()
        area = find_area_by_code(session, code)
        if area is None or not is_within(area, member.scope):
            raise InvalidInput(field=f"line {line}, column area_code", detail=f"no area {code!r}")
        kind = parse_kind(row.get("kind") or "", f"line {line}, column kind")
        where = f"line {line}, column "
        _new_organisation(
            session, area, kind, row.get("name") or "", row.get("contact") or "", where
        )
        count += 1
    record_action(session, member, "organisations_imported", f"{count} organisations")
    return count


def organisation_choices(
    session: Session, member: StaffMember, area_code: str
) -> list[queries.ListedOrganisation]:
    """The organisations that may take items of households of the area (see the module)."""
    area = visible_area(session, member.scope, area_code)
    return queries.organisations_serving(session, area)


def organisations_table(session: Session, scope: Area | None, area_code: str) -> Table:
    area = visible_area(session, scope, area_code)
    rows = (
        Row(
            {
                "id": str(o.id),
                "area": o.area_name,
                "kind": KIND_NAMES[o.kind][0],
                "name": o.name,
                "contact": o.contact,
            }
        )
        for o in queries.organisations_within(session, area)
    )
    return Table(
        "to_chuc",
        "Tổ chức tham gia hỗ trợ",
        "Organisations taking part in support",
        area.name,
        area.name,
        (
            Column("id", "Mã", "Id", _T),
            Column("area", "Địa bàn", "Area", _T),
            Column("kind", "Loại", "Kind", _T),
            Column("name", "Tên", "Name", _T),
            Column("contact", "Liên hệ", "Contact", _T),
        ),
        rows,
    )


def _usable_organisation(
    session: Session, member: StaffMember, organisation_id: int, where: str
) -> Organisation:
    """An organisation the member may give an item to: inside their area or above it."""
    found = queries.find_organisation(session, organisation_id)
    if found is None:
        raise InvalidInput(field=where, detail=f"no organisation {organisation_id}")
    organisation, area = found
    scope = member.scope
    if scope is not None and not (is_within(area, scope) or scope.path.startswith(area.path)):
        raise InvalidInput(field=where, detail=f"no organisation {organisation_id}")
    return organisation


def _organisation_id(text: str, where: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 9:
        raise InvalidInput(field=where, detail=f"{text!r} is not an organisation's number")
    return int(text.strip())


# --- responsibilities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    organisation_id: int
    period: int
    village_code: str = ""
    household_code: str = ""
    cadre: str = ""
    sponsor: bool = False
    committed: str = ""


def assign(session: Session, member: StaffMember, wanted: Assignment) -> int:
    """An organisation (and maybe a named cadre) in charge of a village or a household."""
    _require_planner(member)
    _usable_organisation(session, member, wanted.organisation_id, "organisation")
    village_id = household_id = None
    if wanted.household_code:
        household_id = _household_in_scope(session, member, wanted.household_code, "household")
    elif wanted.village_code:
        village_id = visible_area(session, member.scope, wanted.village_code).id
    else:
        raise InvalidInput(field="village", detail="name a village or a household")
    if wanted.sponsor and household_id is None:
        raise InvalidInput(field="household", detail="a sponsor takes care of a household")
    new_id = queries.add_responsibility(
        session,
        wanted.organisation_id,
        wanted.period,
        village_id=village_id,
        household_id=household_id,
        cadre=wanted.cadre.strip()[:200],
        sponsor=wanted.sponsor,
        committed=wanted.committed.strip()[:500],
    )
    target = wanted.household_code or wanted.village_code
    record_action(
        session,
        member,
        "responsibility_assigned",
        f"responsibility {new_id}",
        f"organisation {wanted.organisation_id} for {target} in {wanted.period}"
        + (" (sponsor)" if wanted.sponsor else ""),
    )
    return new_id


def _household_in_scope(session: Session, member: StaffMember, code: str, where: str) -> int:
    household = find_household(session, code.strip())
    if household is None:
        raise InvalidInput(field=where, detail=f"no household {code!r}")
    village = queries.village_of_household(session, household.id)
    if village is None or not is_within(village, member.scope):
        # Outside one's area a household is not named, as if it did not exist.
        raise InvalidInput(field=where, detail=f"no household {code!r}")
    return household.id


# --- plan items ----------------------------------------------------------------------------------


def support_of(period: int, indicator: str) -> str:
    """The standard's suggested support for a deficiency (the action lists' table)."""
    standard = standard_for_year(period)
    if indicator == INCOME_ITEM:
        return standard.income_support.action_vi
    return standard.indicator(indicator).support.action_vi


def indicator_name(period: int, indicator: str) -> str:
    if indicator == INCOME_ITEM:
        return "Thu nhập dưới chuẩn"
    if not indicator:
        return "Khác"
    codes = {i.code: i.name_vi for i in standard_for_year(period).indicators}
    return codes.get(indicator, indicator)


@dataclass(frozen=True)
class BulkPlan:
    """ "Every poor household deficient in health insurance of commune X → a card via the
    commune's People's Committee, by March": the filters and the item they all get."""

    area_code: str
    period: int
    indicators: tuple[str, ...]
    organisation_id: int
    planned_date: date | None
    classes: tuple[str, ...] = (HouseholdClass.POOR, HouseholdClass.NEAR_POOR)
    groups: tuple[str, ...] = ()
    village: str = ""
    support: str = ""  # empty: the standard's suggested support for each deficiency
    amount: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class BulkResult:
    created: int
    already_planned: int  # households that had an item for that deficiency and year


def create_in_bulk(session: Session, member: StaffMember, plan: BulkPlan) -> BulkResult:
    _require_planner(member)
    area = visible_area(session, member.scope, plan.area_code)
    village = None
    if plan.village:
        village = visible_area(session, member.scope, plan.village)
        if not is_within(village, area):
            raise InvalidInput(field="village", detail=f"{plan.village} is not in {area.name}")
    if not plan.indicators:
        raise InvalidInput(field="indicator", detail="choose at least one deficiency")
    known = {i.code for i in standard_for_year(plan.period).indicators}
    unknown = [i for i in plan.indicators if i not in known]
    if unknown:
        raise InvalidInput(field="indicator", detail=f"not an indicator: {', '.join(unknown)}")
    _usable_organisation(session, member, plan.organisation_id, "organisation")
    found = queries.deficient_households(
        session, area, plan.period, plan.indicators, plan.classes, plan.groups, village
    )
    done = queries.planned_pairs(session, sorted({f.household_id for f in found}), plan.period)
    created = 0
    for row in found:
        if (row.household_id, row.indicator) in done:
            continue
        queries.add_item(
            session,
            queries.NewItem(
                household_id=row.household_id,
                period=plan.period,
                indicator=row.indicator,
                support=(plan.support.strip() or support_of(plan.period, row.indicator))[:500],
                organisation_id=plan.organisation_id,
                planned_date=plan.planned_date,
                amount=plan.amount,
                unit=plan.unit[:40],
            ),
        )
        created += 1
    record_action(
        session,
        member,
        "plan_items_created",
        f"plan {area.code} {plan.period}",
        f"{created} items: {','.join(plan.indicators)} → organisation {plan.organisation_id}",
    )
    return BulkResult(created, len(found) - created)


def add_free_item(
    session: Session,
    member: StaffMember,
    area: Area,
    period: int,
    wanted: tuple[str, str, int, date | None],
    where: str,
) -> int:
    """One item of free text (household code, support, organisation, planned date) for a
    household of `area`, as a dialogue's follow-up writes it; the caller audits the whole."""
    _require_planner(member)
    code, support, organisation_id, planned_date = wanted
    household_id = _household_in_scope(session, member, code, where)
    village = queries.village_of_household(session, household_id)
    if village is None or not is_within(village, area):
        raise InvalidInput(field=where, detail=f"household {code!r} is not in {area.name}")
    _usable_organisation(session, member, organisation_id, where)
    return queries.add_item(
        session,
        queries.NewItem(
            household_id=household_id,
            period=period,
            indicator="",
            support=support.strip()[:500],
            organisation_id=organisation_id,
            planned_date=planned_date,
            amount=None,
            unit="",
        ),
    )


@dataclass(frozen=True)
class ItemEdit:
    state: str
    planned_date: str = ""  # YYYY-MM-DD or empty
    amount: str = ""
    unit: str = ""
    reason: str = ""


def read_amount(text: str, where: str) -> Decimal | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(field=where, detail=f"{text!r} is not a number") from exc
    if value < 0 or value >= Decimal(10) ** 14 or value != value.to_integral_value():
        raise InvalidInput(field=where, detail="a whole number, 0 or more")
    return value


def _item_in_scope(session: Session, member: StaffMember, item_id: int) -> PlanItem:
    item = queries.find_item(session, item_id)
    village = queries.village_of_household(session, item.household_id) if item else None
    if item is None or village is None or not is_within(village, member.scope):
        raise NotFound(what=f"plan item {item_id}")
    return item


@dataclass(frozen=True)
class ItemView:
    item: queries.ListedItem
    period: int
    indicator: str  # the deficiency's name in the standard of the year


def item_details(session: Session, member: StaffMember, item_id: int) -> ItemView:
    """One item as the edit page shows it."""
    require_personal_data(member)
    item = _item_in_scope(session, member, item_id)
    village = queries.village_of_household(session, item.household_id)
    assert village is not None  # checked by _item_in_scope
    for listed in queries.plan_items(session, village, item.period):
        if listed.id == item_id:
            return ItemView(listed, item.period, indicator_name(item.period, listed.indicator))
    raise NotFound(what=f"plan item {item_id}")


def edit_item(session: Session, member: StaffMember, item_id: int, edit: ItemEdit) -> None:
    _require_planner(member)
    item = _item_in_scope(session, member, item_id)
    day = parse_day(edit.planned_date, "planned_date") if edit.planned_date.strip() else None
    change = Change(parse_state(edit.state, "state"), day, edit.reason.strip()[:500])
    check_change(PlanState(item.state), change)
    before = f"{item.state} {item.planned_date or ''}"
    queries.update_item(
        session,
        item,
        state=change.state,
        planned_date=change.planned_date,
        amount=read_amount(edit.amount, "amount"),
        unit=edit.unit.strip()[:40],
        reason=change.reason if change.state is PlanState.NOT_POSSIBLE else "",
    )
    record_action(
        session,
        member,
        "plan_item_changed",
        f"plan item {item_id}",
        f"{before} → {change.state} {change.planned_date or ''}",
    )


def apply_visit_report(
    session: Session, submission_id: int, household_id: int, report: VisitReport
) -> str | None:
    """Move the household's items as the cadre's follow-up visit reports them (inside the
    record's own write unit, after its sender's area was checked for the household); the
    record's issue when some ticked items could not be moved, else None. Each move is in the
    audit log under the phone that sent it."""
    wanted = [i for t in report.delivered | report.impossible if (i := item_id_of(t)) is not None]
    items = queries.items_of_household(session, household_id, wanted)
    found = moves_of_visit(report, {i: PlanState(item.state) for i, item in items.items()})
    sender = submission_queries.sender_of(session, submission_id) if found.moves else ""
    for item_id, change in sorted(found.moves.items()):
        item = items[item_id]
        before = f"{item.state} {item.planned_date or ''}"
        impossible = change.state is PlanState.NOT_POSSIBLE
        queries.update_item(
            session, item, state=change.state, reason=change.reason if impossible else ""
        )
        account_queries.record(
            session,
            None,
            "plan_item_changed",
            f"plan item {item_id}",
            f"{before} → {change.state} (follow-up visit, submission {submission_id}, {sender})",
        )
    if found.refused:
        return PlanItemsNotChanged(items=", ".join(found.refused)).message
    return None


# --- the plan as a list, and as XLSX both ways ------------------------------------------------


def _listed_rows(items: Iterable[queries.ListedItem], period: int, today: date) -> Iterator[Row]:
    for item in items:
        yield Row(
            {
                "item": str(item.id),
                "commune": item.commune,
                "village": item.village,
                "code": item.code,
                "head": item.head_name,
                "class": CLASS_NAMES.get(item.household_class or "", ("", ""))[0],
                "em": _mark(item.ethnic_minority),
                "merit": _mark(item.merit),
                "indicator": indicator_name(period, item.indicator),
                "support": item.support,
                "organisation": item.organisation,
                "planned_date": item.planned_date.isoformat() if item.planned_date else "",
                "amount": item.amount,
                "unit": item.unit,
                "state": STATE_NAMES[item.state][0],
                "overdue": _mark(is_overdue(item.state, item.planned_date, today)),
                "reason": item.reason,
            }
        )


_ITEM_COLUMNS = (
    Column("item", "Mã mục", "Item", _T),
    Column("commune", "Xã", "Commune", _T),
    Column("village", "Thôn", "Village", _T),
    Column("code", "Mã hộ", "Household code", _T),
    Column("head", "Chủ hộ", "Head", _T),
    Column("class", "Phân loại", "Class", _T),
    Column("em", "DTTS", "Ethnic minority", _T),
    Column("merit", "Người có công", "Merit", _T),
    Column("indicator", "Thiếu hụt", "Deficiency", _T),
    Column("support", "Nội dung hỗ trợ", "Support", _T),
    Column("organisation", "Tổ chức phụ trách", "Responsible organisation", _T),
    Column("planned_date", "Ngày dự kiến", "Planned date", _T),
    Column("amount", "Số tiền/số lượng", "Amount or quantity", CellKind.AMOUNT),
    Column("unit", "Đơn vị", "Unit", _T),
    Column("state", "Trạng thái", "State", _T),
    Column("overdue", "Quá hạn", "Overdue", _T),
    Column("reason", "Lý do", "Reason", _T),
)


def _titled(
    key: str,
    vi: str,
    en: str,
    area: Area,
    period: int,
    columns: Sequence[Column],
    rows: Iterable[Row],
) -> Table:
    when_vi, when_en = list_year_words(period)
    return Table(
        key, vi, en, f"{area.name} — {when_vi}", f"{area.name} — {when_en}", tuple(columns), rows
    )


def plan_table(
    session: Session, member: StaffMember, area_code: str, period: int, today: date
) -> Table:
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    items = queries.plan_items(session, area, period)
    return _titled(
        "ke_hoach_ho_tro",
        "Kế hoạch hỗ trợ theo hộ",
        "Support plan by household",
        area,
        period,
        _ITEM_COLUMNS,
        _listed_rows(items, period, today),
    )


def export_plan_xlsx(session: Session, member: StaffMember, area_code: str, period: int) -> bytes:
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    rows = (
        {
            "item": item.id,
            "household": item.code,
            "head": item.head_name,
            "indicator": item.indicator,
            "support": item.support,
            "organisation": item.organisation_id,
            "organisation_name": item.organisation,
            "planned_date": item.planned_date,
            "amount": item.amount,
            "unit": item.unit,
            "state": STATE_NAMES[item.state][0],
            "reason": item.reason,
        }
        for item in queries.plan_items(session, area, period)
    )
    return plan_sheet.write_plan(rows)


@dataclass
class _Checked:
    """An import row once every cell is read: a new item, or the change of an existing one."""

    new: queries.NewItem | None = None
    item_id: int | None = None
    edit: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int


def import_plan_xlsx(
    session: Session, member: StaffMember, area_code: str, period: int, data: bytes
) -> ImportResult:
    """Read every row first, refusing the whole file at the first bad cell (its line and
    column named), then write: nothing of a refused file is written."""
    _require_planner(member)
    area = visible_area(session, member.scope, area_code)
    known = {i.code for i in standard_for_year(period).indicators} | {INCOME_ITEM, ""}
    checked = [
        _check_row(session, member, area, period, known, row) for row in plan_sheet.read_plan(data)
    ]
    created = changed = 0
    for row in checked:
        if row.new is not None:
            queries.add_item(session, row.new)
            created += 1
        elif row.item_id is not None:
            item = queries.find_item(session, row.item_id)
            assert item is not None  # checked above
            queries.update_item(session, item, **row.edit)
            changed += 1
    record_action(
        session,
        member,
        "plan_imported",
        f"plan {area.code} {period}",
        f"{created} new items, {changed} changed",
    )
    return ImportResult(created, changed)


def _check_row(
    session: Session,
    member: StaffMember,
    area: Area,
    period: int,
    known: set[str],
    row: plan_sheet.SheetRow,
) -> _Checked:
    cells = row.cells
    household_id = _household_in_scope(session, member, cells["household"], row.field("household"))
    village = queries.village_of_household(session, household_id)
    if village is None or not is_within(village, area):
        raise InvalidInput(field=row.field("household"), detail=f"not in {area.name}")
    indicator = cells["indicator"].strip()
    if indicator not in known:
        raise InvalidInput(field=row.field("indicator"), detail=f"no indicator {indicator!r}")
    support = cells["support"].strip()
    if not support:
        if not indicator:
            raise InvalidInput(field=row.field("support"), detail="say what support")
        support = support_of(period, indicator)
    organisation_id = _organisation_id(cells["organisation"], row.field("organisation"))
    _usable_organisation(session, member, organisation_id, row.field("organisation"))
    text = cells["planned_date"].strip()
    day = parse_day(text, row.field("planned_date")) if text else None
    state = parse_state(cells["state"] or PlanState.PLANNED, row.field("state"))
    reason = cells["reason"].strip()[:500]
    if state is PlanState.NOT_POSSIBLE and not reason:
        raise InvalidInput(field=row.field("reason"), detail="say why the support is not possible")
    amount = read_amount(cells["amount"], row.field("amount"))
    unit = cells["unit"].strip()[:40]
    item_text = cells["item"].strip()
    if not item_text:
        return _Checked(
            new=queries.NewItem(
                household_id,
                period,
                indicator,
                support[:500],
                organisation_id,
                day,
                amount,
                unit,
                state,
                reason,
            )
        )
    if not item_text.isdigit() or len(item_text) > 9:
        raise InvalidInput(field=row.field("item"), detail=f"{item_text!r} is not an item number")
    item = queries.find_item(session, int(item_text))
    if item is None or item.household_id != household_id or item.period != period:
        raise InvalidInput(field=row.field("item"), detail=f"no item {item_text} of this household")
    try:
        check_change(PlanState(item.state), Change(state, day, reason))
    except InvalidInput as refused:
        raise InvalidInput(field=row.field("state"), detail=refused.detail) from refused
    return _Checked(
        item_id=item.id,
        edit={
            "indicator": indicator,
            "support": support[:500],
            "organisation_id": organisation_id,
            "planned_date": day,
            "amount": amount,
            "unit": unit,
            "state": state,
            "reason": reason if state is PlanState.NOT_POSSIBLE else "",
        },
    )


# --- the plan's tables ---------------------------------------------------------------------------

_PROGRESS_COLUMNS = (
    Column("households", "Số hộ", "Households"),
    Column("items", "Số mục kế hoạch", "Items planned"),
    Column("delivered", "Đã hỗ trợ", "Delivered"),
    Column("in_progress", "Đang thực hiện", "In progress"),
    Column("not_possible", "Không thực hiện được", "Not possible"),
    Column("overdue", "Quá hạn", "Overdue"),
    Column("em_items", "Số mục", "Items", group_vi="Hộ DTTS", group_en="Ethnic minority"),
    Column(
        "em_delivered", "Đã hỗ trợ", "Delivered", group_vi="Hộ DTTS", group_en="Ethnic minority"
    ),
    Column("merit_items", "Số mục", "Items", group_vi="Hộ người có công", group_en="Merit"),
    Column(
        "merit_delivered", "Đã hỗ trợ", "Delivered", group_vi="Hộ người có công", group_en="Merit"
    ),
)
_COUNTS = tuple(c.key for c in _PROGRESS_COLUMNS if c.key != "households")
PROGRESS_BY = ("indicator", "organisation")


def progress_table(
    session: Session, scope: Area | None, area_code: str, period: int, by: str, today: date
) -> Table:
    """Planned against delivered, by deficiency or by organisation (counts only: any staff)."""
    if by not in PROGRESS_BY:
        raise NotFound(what=f"table {by}")
    area = visible_area(session, scope, area_code)
    groups = queries.progress(session, area, period, by, today)
    body = [
        Row(
            {
                "label": indicator_name(period, g.key) if by == "indicator" else g.label,
                **{k: getattr(g, k) for k in ("households", *_COUNTS)},
            }
        )
        for g in groups
    ]
    # Households are not summed: one household can have items of several groups.
    total = {k: sum(getattr(g, k) for g in groups) for k in _COUNTS}
    body.append(Row({"label": TOTAL, "households": None, **total}, RowKind.TOTAL))
    first = (
        Column("label", "Thiếu hụt", "Deficiency", _T)
        if by == "indicator"
        else Column("label", "Tổ chức phụ trách", "Organisation", _T)
    )
    key, vi, en = {
        "indicator": (
            "ke_hoach_theo_chi_so",
            "Kết quả hỗ trợ theo thiếu hụt",
            "Support by deficiency",
        ),
        "organisation": (
            "ke_hoach_theo_to_chuc",
            "Kết quả hỗ trợ theo tổ chức phụ trách",
            "Support by organisation",
        ),
    }[by]
    return _titled(key, vi, en, area, period, (first, *_PROGRESS_COLUMNS), body)


_HOUSEHOLD = (
    Column("commune", "Xã", "Commune", _T),
    Column("village", "Thôn", "Village", _T),
    Column("code", "Mã hộ", "Household code", _T),
    Column("head", "Chủ hộ", "Head", _T),
    Column("class", "Phân loại", "Class", _T),
    Column("em", "DTTS", "Ethnic minority", _T),
    Column("merit", "Người có công", "Merit", _T),
)


def gap_table(session: Session, member: StaffMember, area_code: str, period: int) -> Table:
    """Households with a deficiency and no plan item of the year: the gap to close."""
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    rows = (
        Row(
            {
                "commune": g.commune,
                "village": g.village,
                "code": g.code,
                "head": g.head_name,
                "class": CLASS_NAMES.get(g.household_class or "", ("", ""))[0],
                "em": _mark(g.ethnic_minority),
                "merit": _mark(g.merit),
                "deficiencies": ", ".join(
                    indicator_name(period, i) for i in g.indicators.split(",")
                ),
            }
        )
        for g in queries.gap(session, area, period)
    )
    return _titled(
        "chua_co_ke_hoach",
        "Hộ thiếu hụt chưa có kế hoạch hỗ trợ",
        "Deficient households with no support planned",
        area,
        period,
        (*_HOUSEHOLD, Column("deficiencies", "Thiếu hụt", "Deficiencies", _T)),
        rows,
    )


def overdue_table(
    session: Session, member: StaffMember, area_code: str, period: int, today: date
) -> Table:
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    items = queries.plan_items(session, area, period, overdue_on=today)
    return _titled(
        "qua_han",
        "Mục hỗ trợ quá hạn",
        "Overdue support items",
        area,
        period,
        _ITEM_COLUMNS,
        _listed_rows(items, period, today),
    )


def organisation_households_table(
    session: Session, member: StaffMember, area_code: str, period: int, today: date
) -> Table:
    """Per organisation, its households and their progress: one row per organisation and
    household, with the household's items by state."""
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for item in queries.plan_items(session, area, period):
        row = rows.setdefault(
            (item.organisation, item.code),
            {
                "organisation": item.organisation,
                "commune": item.commune,
                "village": item.village,
                "code": item.code,
                "head": item.head_name,
                "class": CLASS_NAMES.get(item.household_class or "", ("", ""))[0],
                "em": _mark(item.ethnic_minority),
                "merit": _mark(item.merit),
                "items": 0,
                "delivered": 0,
                "overdue": 0,
            },
        )
        row["items"] = int(str(row["items"])) + 1
        row["delivered"] = int(str(row["delivered"])) + (item.state is PlanState.DELIVERED)
        late = is_overdue(item.state, item.planned_date, today)
        row["overdue"] = int(str(row["overdue"])) + late
    ordered = sorted(rows.items(), key=lambda kv: (kv[0][0].casefold(), kv[0][1]))
    return _titled(
        "to_chuc_theo_ho",
        "Hộ do từng tổ chức phụ trách và tiến độ",
        "Each organisation's households and their progress",
        area,
        period,
        (
            Column("organisation", "Tổ chức phụ trách", "Organisation", _T),
            *_HOUSEHOLD,
            Column("items", "Số mục", "Items"),
            Column("delivered", "Đã hỗ trợ", "Delivered"),
            Column("overdue", "Quá hạn", "Overdue"),
        ),
        (Row(cells) for _, cells in ordered),
    )


def sponsored_table(session: Session, member: StaffMember, area_code: str, period: int) -> Table:
    """Households of people of merit with a sponsor ("nhận chăm sóc, đỡ đầu")."""
    require_personal_data(member)
    area = visible_area(session, member.scope, area_code)
    rows = (
        Row(
            {
                "commune": s.commune,
                "village": s.village,
                "code": s.code,
                "head": s.head_name,
                "class": CLASS_NAMES.get(s.household_class or "", ("", ""))[0],
                "em": _mark(s.ethnic_minority),
                "merit": _mark(s.merit),
                "sponsor": s.sponsor,
                "cadre": s.cadre,
                "committed": s.committed,
            }
        )
        for s in queries.sponsored(session, area, period, merit_only=True)
    )
    return _titled(
        "ho_co_cong_duoc_do_dau",
        "Hộ người có công được nhận đỡ đầu",
        "Sponsored households of people of merit",
        area,
        period,
        (
            *_HOUSEHOLD,
            Column("sponsor", "Đơn vị đỡ đầu", "Sponsor", _T),
            Column("cadre", "Người phụ trách", "Cadre", _T),
            Column("committed", "Nội dung cam kết", "Committed", _T),
        ),
        rows,
    )


def _is_indicator(kind: str) -> bool:
    return kind not in (INCOME_ITEM, "")


def effect_table(session: Session, scope: Area | None, area_code: str, period: int) -> Table:
    """For the households that received a support in `period`, their review of the year after,
    per kind of support: before/after counts, nothing causal claimed (counts only: any staff)."""
    area = visible_area(session, scope, area_code)
    rows = queries.effect(session, area, period)
    body = [
        Row(
            {
                "label": indicator_name(period, r.kind),
                "households": r.households,
                "reviewed": r.reviewed,
                "left_poverty": r.exited,
                "still_poor": r.still_poor,
                "closed": r.closed if _is_indicator(r.kind) else None,
                "still_open": r.still_open if _is_indicator(r.kind) else None,
            }
        )
        for r in rows
    ]
    after = f"Rà soát năm {period + 1}"
    after_en = f"Review of {period + 1}"
    return _titled(
        "hieu_qua_ho_tro",
        f"Hộ đã được hỗ trợ năm {period} và kết quả rà soát năm sau",
        f"Households supported in {period} and their next review",
        area,
        period,
        (
            Column("label", "Loại hỗ trợ (thiếu hụt)", "Support for", _T),
            Column("households", "Số hộ đã được hỗ trợ", "Households supported"),
            Column("reviewed", "Được rà soát", "Reviewed", group_vi=after, group_en=after_en),
            Column(
                "left_poverty", "Đã thoát nghèo", "Left poverty", group_vi=after, group_en=after_en
            ),
            Column("still_poor", "Vẫn nghèo", "Still poor", group_vi=after, group_en=after_en),
            Column(
                "closed",
                "Hết thiếu hụt này",
                "Deficiency closed",
                group_vi=after,
                group_en=after_en,
            ),
            Column(
                "still_open", "Còn thiếu hụt", "Still deficient", group_vi=after, group_en=after_en
            ),
        ),
        body,
    )
