"""Demo support plans, so that a newcomer sees the loop at work: the organisations of each
commune and of the district, the women's union in charge of each village, a plan for the last
review year made from the deficiency list (some deficiencies left unplanned: the gap), items in
every state (some past their date: overdue), a sponsor for every poor or near-poor household
of a person of merit, the commendation review of the households that left poverty (proposed,
approved, one declined with its reason) and a policy dialogue whose follow-ups became plan
items. Made through the services, as an officer would, by the demo's administrator; everything
derives from the seed, and nothing touches the demo's records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from server.demo.plans import LAST, stream
from server.domain.support_plans import parse_day
from server.domain.vocabulary import CommendationState, OrganisationKind, PlanState
from server.services import commendations, dialogues
from server.services import support_plans as plans
from server.services.accounts import StaffMember
from server.storage import commendations as commendation_queries
from server.storage import plans as plan_queries
from server.storage.areas import children_of, find_area_by_code
from server.storage.models import Area

DISTRICT = "468"
K = OrganisationKind
# The bodies of each commune: (kind, name before the commune's name).
COMMUNE_BODIES = (
    (K.COMMUNE_COMMITTEE, "UBND"),
    (K.FATHERLAND_FRONT, "Ủy ban MTTQ"),
    (K.WOMENS_UNION, "Hội LHPN"),
    (K.FARMERS_UNION, "Hội Nông dân"),
    (K.YOUTH_UNION, "Đoàn Thanh niên"),
    (K.HEALTH_STATION, "Trạm Y tế"),
)
DISTRICT_BODIES = (
    (K.VBSP, "Phòng giao dịch NHCSXH huyện Cam Lộ", "0233 3871 666"),
    (K.BUSINESS, "Công ty TNHH Nông sản Cam Lộ (demo)", "0233 3871 888"),
    (K.SPONSOR, "Ông Lê Văn Thiện (demo)", ""),
)
CADRES = ("Hồ Thị Lan", "Lê Thị Hoa", "Trần Thị Mai", "Nguyễn Thị Hằng", "Phan Thị Thu")


@dataclass(frozen=True)
class Step:
    """One bulk plan of each commune: a deficiency, the body that takes it, by when."""

    indicator: str
    kind: OrganisationKind
    planned: str
    amount: Decimal | None = None
    unit: str = ""


# Latrines, floor area, nutrition and schooling are left unplanned: the gap table has rows.
STEPS = (
    Step("health_insurance", K.COMMUNE_COMMITTEE, "2027-03-31", Decimal(1), "thẻ"),
    Step("water_source", K.WOMENS_UNION, "2026-10-31"),  # past: some items overdue
    Step("housing_quality", K.FATHERLAND_FRONT, "2027-06-30", Decimal(40_000_000), "đồng"),
    Step("employment", K.VBSP, "2026-11-30", Decimal(50_000_000), "đồng"),
    Step("internet", K.YOUTH_UNION, "2027-03-31"),
)
# The state an item is brought to (weights), and why some cannot be done.
STATES = (
    (PlanState.DELIVERED, 35),
    (PlanState.IN_PROGRESS, 20),
    (PlanState.NOT_POSSIBLE, 7),
    (PlanState.PLANNED, 38),
)
NOT_POSSIBLE = (
    "Hộ đi làm ăn xa, chưa liên hệ được",
    "Chưa đủ điều kiện vay vốn",
    "Chưa bố trí được kinh phí",
)
COMMITTED = (
    "Hỗ trợ sửa chữa nhà ở 20 triệu đồng",
    "Tặng 01 con bò giống",
    "Thăm hỏi, tặng quà dịp Tết và ngày 27/7",
)


@dataclass(frozen=True)
class DemoPlans:
    organisations: int
    items: int
    sponsored: int
    commended: int = 0  # proposed for commendation, whatever was decided
    dialogues: int = 0


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _communes(session: Session, district: Area) -> list[Area]:
    return [c for c in children_of(session, district) if c.valid_to is None]


def load_demo_plans(session: Session, admin: StaffMember, seed: int = 2026) -> DemoPlans:
    """The demo's organisations, responsibilities and plan (the demo areas and households must
    be loaded already)."""
    district = find_area_by_code(session, DISTRICT)
    if district is None:
        return DemoPlans(0, 0, 0)
    ids: dict[tuple[str, OrganisationKind], int] = {}
    for kind, name, contact in DISTRICT_BODIES:
        ids[DISTRICT, kind] = plans.create_organisation(
            session, admin, DISTRICT, kind, name, contact
        )
    communes = _communes(session, district)
    for commune in communes:
        for kind, prefix in COMMUNE_BODIES:
            name = f"{prefix} {_lower_first(commune.name)}"
            ids[commune.code, kind] = plans.create_organisation(
                session, admin, commune.code, kind, name, ""
            )
        _assign_villages(session, admin, commune, ids[commune.code, K.WOMENS_UNION], seed)
    items = sum(_plan_commune(session, admin, commune, ids, seed) for commune in communes)
    sponsors = (ids[DISTRICT, K.BUSINESS], ids[DISTRICT, K.SPONSOR])
    sponsored = _sponsor_merit(session, admin, district, sponsors, seed)
    commended = _commend_exits(session, admin, district)
    dialogues = _hold_dialogue(session, admin, DIALOGUE_COMMUNE, ids)
    return DemoPlans(len(ids), items, sponsored, commended, dialogues)


# The commendation review of the last year's exits: the first few proposed; of those, most
# approved by the district and one declined with its reason, one still waiting.
COMMENDATION_NOTE = "Gia đình chủ động vươn lên, có mô hình chăn nuôi hiệu quả"
DECLINED_NOTE = "Hộ mới thoát nghèo nhờ trợ cấp, chưa có sinh kế ổn định; xét lại năm sau"
PROPOSED = 5


def _commend_exits(session: Session, admin: StaffMember, district: Area) -> int:
    exited = commendation_queries.exited_households(session, district, LAST)[:PROPOSED]
    for number, household in enumerate(exited):
        commendations.propose(session, admin, household.code, LAST, COMMENDATION_NOTE)
        if number == len(exited) - 1:
            continue  # still waiting for the district
        declined = number == len(exited) - 2
        decision = CommendationState.DECLINED if declined else CommendationState.APPROVED
        note = DECLINED_NOTE if declined else ""
        commendations.decide(session, admin, household.code, LAST, decision.value, note)
    return len(exited)


# A dialogue on access to preferential policies in one commune: its bodies attended, two of its
# planned households got a follow-up.
DIALOGUE_COMMUNE = "19603"
DIALOGUE_PROBLEMS = (
    "Hộ nghèo chưa nắm thủ tục vay vốn NHCSXH; một số thẻ BHYT hết hạn chưa được cấp lại;"
    " hộ ở xa trung tâm khó tiếp cận lớp dạy nghề."
)


def _hold_dialogue(
    session: Session, admin: StaffMember, code: str, ids: dict[tuple[str, OrganisationKind], int]
) -> int:
    commune = find_area_by_code(session, code)
    if commune is None or (code, K.COMMUNE_COMMITTEE) not in ids:
        return 0
    attended = [ids[code, kind] for kind, _ in COMMUNE_BODIES]
    planned = plan_queries.plan_items(session, commune, LAST)
    households = list(dict.fromkeys(item.code for item in planned))[:2]
    bank = ids[DISTRICT, K.VBSP]
    follow_ups = "\n".join(
        f"{household} | Hướng dẫn thủ tục vay vốn tạo việc làm | {bank} | 2027-01-31"
        for household in households
    )
    dialogues.record_dialogue(
        session,
        admin,
        dialogues.RecordedDialogue(
            area_code=code,
            period=LAST,
            held_on="2026-11-20",
            problems=DIALOGUE_PROBLEMS,
            organisation_ids=attended,
            follow_ups=follow_ups,
        ),
    )
    return 1


def _assign_villages(
    session: Session, admin: StaffMember, commune: Area, union: int, seed: int
) -> None:
    for village in children_of(session, commune):
        rng = stream(seed, "cadre", village.code)
        plans.assign(
            session,
            admin,
            plans.Assignment(union, LAST, village_code=village.code, cadre=rng.choice(CADRES)),
        )


def _plan_commune(
    session: Session,
    admin: StaffMember,
    commune: Area,
    ids: dict[tuple[str, OrganisationKind], int],
    seed: int,
) -> int:
    for step in STEPS:
        owner = DISTRICT if step.kind is K.VBSP else commune.code
        plans.create_in_bulk(
            session,
            admin,
            plans.BulkPlan(
                area_code=commune.code,
                period=LAST,
                indicators=(step.indicator,),
                organisation_id=ids[owner, step.kind],
                planned_date=parse_day(step.planned, "planned_date"),
                amount=step.amount,
                unit=step.unit,
            ),
        )
    items = plan_queries.plan_items(session, commune, LAST)
    for item in items:
        _move(session, admin, item, seed)
    return len(items)


def _move(session: Session, admin: StaffMember, item: plan_queries.ListedItem, seed: int) -> None:
    rng = stream(seed, "support", item.code, item.indicator)
    states: Sequence[PlanState] = [s for s, _ in STATES]
    state = rng.choices(states, [w for _, w in STATES])[0]
    if state is PlanState.PLANNED:
        return
    plans.edit_item(
        session,
        admin,
        item.id,
        plans.ItemEdit(
            state=state,
            planned_date=item.planned_date.isoformat() if item.planned_date else "",
            amount=str(item.amount) if item.amount is not None else "",
            unit=item.unit,
            reason=rng.choice(NOT_POSSIBLE) if state is PlanState.NOT_POSSIBLE else "",
        ),
    )


def _sponsor_merit(
    session: Session, admin: StaffMember, district: Area, sponsors: Sequence[int], seed: int
) -> int:
    codes = plan_queries.merit_households(session, district, LAST)
    for number, code in enumerate(codes):
        rng = stream(seed, "sponsor", code)
        plans.assign(
            session,
            admin,
            plans.Assignment(
                sponsors[number % len(sponsors)],
                LAST,
                household_code=code,
                sponsor=True,
                committed=rng.choice(COMMITTED),
            ),
        )
    return len(codes)
