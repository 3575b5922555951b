"""Build small XLSForms in memory for tests."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook


def xlsform(
    survey: Sequence[Sequence[str]],
    *,
    form_id: str,
    version: str = "1",
    title: str | None = None,
    choices: Sequence[Sequence[str]] | None = None,
) -> bytes:
    """`survey` and `choices` include their header row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    if choices:
        choice_sheet = book.create_sheet("choices")
        for row in choices:
            choice_sheet.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([form_id, version, title or form_id])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def photo_form(form_id: str, version: str = "1", *, with_media: bool = False) -> bytes:
    """A form with a text question and two photo questions (and a CSV choice list if asked)."""
    rows = [
        ["type", "name", "label"],
        ["text", "household_code", "Mã hộ"],
        ["image", "photo", "Ảnh"],
        ["image", "photo2", "Ảnh 2"],
    ]
    if with_media:
        rows.append(["select_one_from_file markets.csv", "market", "Chợ"])
    return xlsform(rows, form_id=form_id, version=version, title=f"Biểu mẫu {form_id}")


# The draft to try: a village from the list built for the person's area, a bounded number
# with the form's own message, a required answer.
TRY_CONSTRAINT_MESSAGE = "Số người từ 1 đến 30."


def draft_to_try(form_id: str, version: str = "1") -> bytes:
    rows = [
        ["type", "name", "label", "required", "constraint", "constraint_message", "appearance"],
        ["select_one_from_file villages.csv", "village", "Thôn", "yes", "", "", "minimal"],
        ["text", "head_name", "Họ tên chủ hộ", "yes", "", "", ""],
        ["integer", "members", "Số người", "yes", ". >= 1 and . <= 30", TRY_CONSTRAINT_MESSAGE, ""],
    ]
    return xlsform(rows, form_id=form_id, version=version, title="Phiếu thử")
