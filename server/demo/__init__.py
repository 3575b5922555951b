"""Demo data for a first look: the Cam Lộ areas, an administrator, one phone and a few hundred
synthetic households reviewed through the normal ingest path (see households.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from server.demo.households import DemoHouseholds, Progress, load_demo_households
from server.demo.support import DemoPlans, load_demo_plans
from server.domain.vocabulary import Role
from server.services import accounts, app_users, areas
from server.services.forms import DEFAULT_PROJECT_ID
from server.services.users import create_user
from server.storage.areas import count_areas
from server.storage.blobs import BlobStore

DEMO_AREAS = Path(__file__).with_name("areas.csv")
DEMO_ADMIN_EMAIL = "admin@rasoat.local"
# A demo password on purpose: printed at start, and the demo is for a laptop, not the internet.
DEMO_ADMIN_PASSWORD = "rasoat-demo-2026"  # noqa: S105
DEMO_PHONE_AREA = "19603"


@dataclass(frozen=True)
class DemoSetup:
    admin_email: str
    admin_password: str
    phone: app_users.NewAppUser
    households: DemoHouseholds
    plans: DemoPlans


def needs_demo(session: Session) -> bool:
    return count_areas(session) == 0


def load_demo(
    session: Session, blobs: BlobStore, realm: str, *, progress: Progress | None = None
) -> DemoSetup:
    """Load the demo into an empty database (the caller checks `needs_demo` first).

    The shipped forms `household_survey` and `followup_visit` must be published already: the
    demo households are sent as submissions of them. `progress(done, total)` follows that.
    """
    areas.import_areas_csv(session, DEMO_AREAS.read_text(encoding="utf-8"))
    admin = create_user(
        session,
        email=DEMO_ADMIN_EMAIL,
        display_name="Quản trị viên (demo)",
        password=DEMO_ADMIN_PASSWORD,
        role=Role.ADMINISTRATOR,
        area_code="45",
    )
    phone = app_users.create_app_user(
        session,
        project_id=DEFAULT_PROJECT_ID,
        display_name="Cán bộ thôn Bản Chùa (demo)",
        realm=realm,
        area_code=DEMO_PHONE_AREA,
    )
    households = load_demo_households(session, blobs, realm=realm, progress=progress)
    member = accounts.active_member(session, admin.id)
    assert member is not None  # created just now
    support = load_demo_plans(session, member)
    return DemoSetup(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, phone, households, support)
