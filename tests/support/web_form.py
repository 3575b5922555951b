"""Filling the household survey by hand in the web form (ODK Web Forms' own widgets), the way
a cadre does it on a phone: by the Vietnamese labels the form shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from server.config import REPO_ROOT
from server.domain.vocabulary import Role
from server.services.users import create_user
from server.storage.models import User

BUNDLE_MANIFEST = REPO_ROOT / "webform" / "dist" / ".vite" / "manifest.json"


def require_bundle() -> None:
    """The web form needs its built bundle (./dev test builds it: ensure_webform_bundle)."""
    if not BUNDLE_MANIFEST.exists():
        pytest.fail(
            f"{BUNDLE_MANIFEST.relative_to(REPO_ROOT)} is missing: run ./dev test, or "
            "npm ci && npm run build in webform/"
        )


def question(page: Page, label: str, nth: int = 0) -> Locator:
    return page.locator(".question-container", has=page.locator(f'label:text-is("{label}")')).nth(
        nth
    )


def type_text(page: Page, label: str, value: str) -> None:
    question(page, label).locator("input, textarea").first.fill(value)


def type_number(page: Page, label: str, value: int) -> None:
    # PrimeVue's number input ignores fill(): type it as a person does.
    box = question(page, label).locator("input").first
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    box.press_sequentially(str(value))
    box.blur()


def choose(page: Page, label: str, option: str) -> None:
    """A radio button or a checkbox, by the option's label."""
    question(page, label).get_by_text(option, exact=True).click()


def pick(page: Page, label: str, option: str) -> None:
    """A drop-down list (appearance `minimal`, and the lists from CSV files)."""
    question(page, label).locator(".p-select").first.click()
    page.get_by_role("option", name=option, exact=True).click()
    # The list closes with an animation; until it is gone it lies over the next questions and
    # takes their clicks (a loaded machine once spent 15 s clicking "Năm sinh" under it).
    expect(page.locator(".p-select-overlay")).to_have_count(0)


@dataclass(frozen=True)
class Household:
    code: str
    head: str
    non_durable_parts: int = 0


def fill_household(page: Page, household: Household) -> None:
    """One person living alone, in a sound house in Thôn Bản Chùa (Xã Cam Tuyền), reviewed for
    the list of the form's default year."""
    pick(page, "Xã, phường", "Xã Cam Tuyền")
    pick(page, "Thôn, tổ dân phố", "Thôn Bản Chùa")
    type_text(page, "Mã hộ", household.code)
    type_text(page, "Họ và tên chủ hộ", household.head)
    choose(page, "Dân tộc của chủ hộ", "Kinh")
    fill_head_of_household(page, household.head)
    type_number(page, "Tổng thu nhập của cả hộ trong một tháng (đồng)", 9_000_000)
    choose(page, "Hộ có nhà ở không?", "Có")
    type_number(
        page,
        "Trong 3 phần tường, cột, mái: mấy phần làm bằng vật liệu không bền chắc?",
        household.non_durable_parts,
    )
    type_number(page, "Diện tích ở (m²)", 60)
    choose(page, "Nước uống, nấu ăn chủ yếu lấy từ đâu?", "Nước máy")
    choose(page, "Hộ dùng loại nhà tiêu nào?", "Tự hoại")
    # The form opens on the 2027 list (NĐ 351/2025): its own questions, not NĐ 07's devices.
    choose(page, "Rác thải sinh hoạt của hộ thường được xử lý thế nào?", "Có tổ, đội thu gom rác")
    choose(
        page,
        "Hộ có vào được internet không, bằng cách nào?",
        "Có 3G/4G trên điện thoại của người trong hộ",
    )
    choose(
        page,
        "Trong 12 tháng qua, người trong hộ có dùng dịch vụ nào sau đây trên điện thoại hoặc "
        "máy tính không?",
        "Chuyển khoản, ví điện tử, quét mã QR",
    )


def fill_head_of_household(page: Page, name: str) -> None:
    type_text(page, "Họ và tên", name)
    choose(page, "Giới tính", "Nam")
    pick(page, "Quan hệ với chủ hộ", "Chủ hộ")
    type_number(page, "Năm sinh", 1980)
    pick(page, "Đã học xong bậc nào?", "Tiểu học (cấp 1)")
    pick(page, "Việc làm chính", "Tự làm (làm ruộng, chăn nuôi, buôn bán…)")
    choose(page, "Có thẻ bảo hiểm y tế còn hạn không?", "Có")


# The web form's own button, in the page's language (Vietnamese unless ?lang=en).
SEND = "Gửi"


def errors_banner(count: int) -> str:
    """The web form's banner over a record that cannot be sent, in Vietnamese."""
    return f"{count} câu hỏi có lỗi."


def send(page: Page) -> None:
    page.get_by_role("button", name=SEND, exact=True).click()


def screenshot(page: Page, folder: Path, name: str, element: str | None = None) -> Path:
    """A picture of the phone's screen (or of one part of the page) at 390×844."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    if element:
        page.locator(element).scroll_into_view_if_needed()
    page.screenshot(path=path)
    return path


def make_staff(
    session: Session, email: str, name: str, role: Role, area_code: str, *, password: str
) -> User:
    user = create_user(
        session,
        email=email,
        display_name=name,
        password=password,
        role=role,
        area_code=area_code,
    )
    session.commit()
    return user


def make_commune_officer(session: Session, *, password: str) -> User:
    """An officer of Xã Cam Tuyền (19603), the cadre's commune in these tests."""
    return make_staff(
        session,
        "tuyen@camlo.vn",
        "Nguyễn Thị Tuyền",
        Role.COMMUNE_OFFICER,
        "19603",
        password=password,
    )
