"""household_screening: the quick screening (Phiếu A) before the review of a year's list.

A few questions at the door: is the household on the current list or has it applied (then it
is always surveyed in full), and does it show one of the visible signs of being clearly not
poor (`server/domain/data/screening/signs.toml`, provisional). The result, "clearly not poor:
skip the full interview" or "needs the full survey", is shown before sending; the server
decides it again from the answers and records it per household and list year.
"""

from __future__ import annotations

from forms.common import CODE_EXAMPLE, FIRST_LIST_YEAR, LIST_YEAR, PLACE_ROWS, VERSION, YES_NO
from forms.xlsform_builder import Choice, Form, Row, calc, flatten, group
from server.domain.screening import shipped_rules
from server.domain.vocabulary import ScreeningOutcome

RULES = shipped_rules()
NONE = "none"  # the answer "no sign at all", so that an empty answer is never a guess
if NONE in RULES.codes():
    raise ValueError(f"{NONE!r} is the form's own answer, not a sign")

SCREENING_CHOICES: dict[str, tuple[Choice, ...]] = {
    "yes_no": YES_NO,
    "screening_sign": (
        *((sign.code, sign.label_vi, sign.label_en) for sign in RULES.signs),
        (NONE, "Không có dấu hiệu nào", "None of these"),
    ),
}

SKIP, SURVEY = ScreeningOutcome.CLEARLY_NOT_POOR.value, ScreeningOutcome.NEEDS_SURVEY.value
SIGNS_SHOWN = f"count-selected(${{signs}}) - if(selected(${{signs}}, '{NONE}'), 1, 0)"
RESULT = (
    f"if(${{listed_or_applied}} = '' or ${{signs}} = '', '', "
    f"if(${{listed_or_applied}} = 'yes', '{SURVEY}', "
    f"if({SIGNS_SHOWN} >= {RULES.min_signs}, '{SKIP}', '{SURVEY}')))"
)

HOUSEHOLD_SCREENING = Form(
    form_id="household_screening",
    title=f"Phiếu A — nhận dạng nhanh hộ gia đình, danh sách năm {LIST_YEAR}",
    instance_name="concat(${household_code}, ' ', ${head_name})",
    version=VERSION,
    choices=SCREENING_CHOICES,
    survey=flatten(
        Row("start", "start"),
        Row("end", "end"),
        Row("deviceid", "deviceid"),
        group(
            "area",
            ("Địa bàn", "Place"),
            Row(
                "integer",
                "review_year",
                ("Năm của danh sách hộ nghèo, hộ cận nghèo", "Year of the poor and near-poor list"),
                required=True,
                default=str(LIST_YEAR),
                constraint=f". >= {FIRST_LIST_YEAR} and . <= {LIST_YEAR}",
                message=(
                    f"Năm của danh sách từ {FIRST_LIST_YEAR} đến {LIST_YEAR}.",
                    f"The year of the list is from {FIRST_LIST_YEAR} to {LIST_YEAR}.",
                ),
            ),
            *PLACE_ROWS,
            Row("text", "head_name", ("Họ và tên chủ hộ", "Name of the head"), required=True),
        ),
        group(
            "screening",
            ("Nhận dạng nhanh", "Quick screening"),
            Row(
                "select_one yes_no",
                "listed_or_applied",
                (
                    "Hộ đang trong danh sách hộ nghèo, hộ cận nghèo, hoặc đã có đơn đề nghị "
                    "rà soát?",
                    "Is the household on the current poor or near-poor list, or has it applied "
                    "to be reviewed?",
                ),
                hint=(
                    "Nếu có, hộ luôn được rà soát đầy đủ.",
                    "If so, the household always gets the full review.",
                ),
                required=True,
                appearance="columns",
            ),
            Row(
                "select_multiple screening_sign",
                "signs",
                ("Hộ có dấu hiệu nào sau đây?", "Does the household show any of these signs?"),
                hint=(
                    "Chọn tất cả dấu hiệu thấy rõ. Nếu không có, chọn «Không có dấu hiệu nào». "
                    "Danh sách dấu hiệu là tạm thời, chờ văn bản hướng dẫn.",
                    "Tick every sign you can see. If none, tick 'None of these'. The list of "
                    "signs is provisional, awaiting the guidance.",
                ),
                required=True,
                constraint=f"not(selected(., '{NONE}')) or count-selected(.) = 1",
                message=(
                    "«Không có dấu hiệu nào» không chọn cùng với dấu hiệu khác.",
                    "'None of these' cannot be ticked with a sign.",
                ),
            ),
            appearance="",
        ),
        CODE_EXAMPLE,
        calc("screening_result", RESULT),
        group(
            "finish",
            ("Kết quả", "Result"),
            Row(
                "note",
                "result_skip",
                (
                    "**Hộ rõ ràng không nghèo**: không cần phỏng vấn đầy đủ (xã sẽ xét lại).",
                    "**Clearly not poor**: no full interview needed (the commune reviews it).",
                ),
                relevant=f"${{screening_result}} = '{SKIP}'",
            ),
            Row(
                "note",
                "result_survey",
                (
                    "**Cần rà soát đầy đủ**: điền phiếu rà soát hộ gia đình cho hộ này.",
                    "**Needs the full survey**: fill in the household review for it.",
                ),
                relevant=f"${{screening_result}} = '{SURVEY}'",
            ),
            Row(
                "text",
                "note",
                ("Ghi chú", "Notes"),
                hint=("Không bắt buộc.", "Optional."),
                appearance="multiline",
            ),
        ),
    ),
)
