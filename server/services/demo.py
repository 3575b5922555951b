"""Demo data for a first look: the Cam Lộ areas, an administrator and one phone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from server.services import app_users, areas
from server.services.forms import DEFAULT_PROJECT_ID
from server.services.users import create_user
from server.storage.areas import count_areas
from server.storage.models import Role

DEMO_AREAS = Path(__file__).with_name("demo_areas.csv")
DEMO_ADMIN_EMAIL = "admin@rasoat.local"
# A demo password on purpose: printed at start, and the demo is for a laptop, not the internet.
DEMO_ADMIN_PASSWORD = "rasoat-demo-2026"  # noqa: S105
DEMO_PHONE_AREA = "19603"


@dataclass(frozen=True)
class DemoSetup:
    admin_email: str
    admin_password: str
    phone: app_users.NewAppUser


def needs_demo(session: Session) -> bool:
    return count_areas(session) == 0


def load_demo(session: Session, realm: str) -> DemoSetup:
    """Load the demo into an empty database (the caller checks `needs_demo` first)."""
    areas.import_areas_csv(session, DEMO_AREAS.read_text(encoding="utf-8"))
    create_user(
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
    return DemoSetup(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, phone)
