"""The demo's support plans: organisations of every commune and of the district, a women's
union in charge of each village, a plan with items in every state (some overdue, some
deficiencies left unplanned), and a sponsor for each poor household of a person of merit; seen
by the demo's administrator over HTTP like any plan."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DemoSetup, load_demo
from server.domain.vocabulary import CommendationState, PlanState
from server.extensions import blob_store
from server.storage.common import begin_write
from server.storage.models import (
    Commendation,
    Dialogue,
    DialogueItem,
    Household,
    HouseholdReview,
    Organisation,
    PlanItem,
    Responsibility,
)
from tests.integration.test_web_access import Browser, csrf_of
from tests.support.factories import publish_form
from tests.support.live_server import LiveServer


@pytest.fixture
def demo(app: Flask, session: Session, live_server: LiveServer) -> DemoSetup:
    for name in ("household_survey", "followup_visit"):
        path = REPO_ROOT / "forms" / f"{name}.xlsx"
        publish_form(app, session, path.read_bytes(), filename=path.name)
    session.commit()
    begin_write(session)
    setup = load_demo(session, blob_store(app), "rasoat")
    session.commit()
    return setup


def demo_admin(base: str) -> Browser:
    browser = Browser(base)
    token = csrf_of(browser.get("/login").content)
    answer = browser.post(
        "/login", {"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    return browser


def test_the_demo_shows_the_support_loop_at_work(
    demo: DemoSetup, session: Session, live_server: LiveServer
) -> None:
    """One load of the demo (it takes a minute) for the three checks below."""
    items_in_every_state_and_organisations(demo, session)
    every_sponsored_household_is_one_of_a_person_of_merit(demo, session)
    exits_are_proposed_approved_and_declined_and_a_dialogue_made_plan_items(demo, session)
    the_demo_administrator_sees_the_plan_its_gap_and_its_overdue_items(live_server)


def items_in_every_state_and_organisations(demo: DemoSetup, session: Session) -> None:
    assert demo.plans.items > 50 and demo.plans.organisations >= 40
    states = dict(
        session.execute(select(PlanItem.state, func.count()).group_by(PlanItem.state)).all()
    )
    assert set(states) == set(PlanState)
    assert (
        session.scalar(select(func.count()).where(PlanItem.reason != ""))
        == states[PlanState.NOT_POSSIBLE]
    )
    villages = session.scalar(
        select(func.count()).where(
            Responsibility.village_id.is_not(None), Responsibility.cadre != ""
        )
    )
    assert villages and villages >= 20
    assert (
        session.scalar(select(func.count()).select_from(Organisation)) == demo.plans.organisations
    )


def exits_are_proposed_approved_and_declined_and_a_dialogue_made_plan_items(
    demo: DemoSetup, session: Session
) -> None:
    states = dict(
        session.execute(
            select(Commendation.state, func.count()).group_by(Commendation.state)
        ).all()
    )
    assert set(states) == set(CommendationState), states  # proposed, approved and declined
    assert sum(states.values()) == demo.plans.commended > 2
    declined = session.scalars(
        select(Commendation).where(Commendation.state == CommendationState.DECLINED)
    ).all()
    assert all(c.decision_note for c in declined), "a declined household says why"
    assert demo.plans.dialogues == session.scalar(select(func.count()).select_from(Dialogue)) == 1
    assert session.scalar(select(func.count()).select_from(DialogueItem)) == 2


def every_sponsored_household_is_one_of_a_person_of_merit(
    demo: DemoSetup, session: Session
) -> None:
    sponsored = session.execute(
        select(HouseholdReview.merit, Responsibility.committed)
        .join(Household, Household.id == Responsibility.household_id)
        .join(
            HouseholdReview,
            (HouseholdReview.household_id == Household.id)
            & (HouseholdReview.period == Responsibility.period),
        )
        .where(Responsibility.sponsor.is_(True))
    ).all()
    assert len(sponsored) == demo.plans.sponsored > 0
    assert all(merit and committed for merit, committed in sponsored)


def the_demo_administrator_sees_the_plan_its_gap_and_its_overdue_items(
    live_server: LiveServer,
) -> None:
    admin = demo_admin(live_server.base_url)
    for path in ("/plans/gap", "/plans/overdue", "/plans/sponsored"):
        answer = admin.get(f"{path}?area=468&period=2026&format=csv")
        assert answer.status_code == 200, path
        assert len(answer.text.splitlines()) > 3, path  # the heading rows and some households
    by_indicator = admin.get("/plans/by-indicator?area=468&period=2026")
    assert by_indicator.status_code == 200 and "Bảo hiểm y tế" in by_indicator.text
