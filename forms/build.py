"""Build the shipped survey XLSForms: `household_survey.xlsx` and `followup_visit.xlsx`.

Run `.venv/bin/python forms/build.py`; it writes both workbooks next to this file. Edit this
builder, never the workbooks, and raise VERSION whenever anything below changes (phones only
fetch a form again when its version changes). tests/unit/test_form_builder.py checks that the
committed workbooks are what this script writes.

Field names, types and choice values follow the contract in forms/README.md; the server reads
answers by those names. The calculated indicators (`d_*`), the deficiency count and the class
implement the README's rules for NĐ 07/2021 (2022–2026). They are only shown to the cadre
before sending: the server recomputes everything from the answers.

Both forms are bilingual: every label, hint, constraint message and choice is a pair
(Tiếng Việt, English); Vietnamese is the default language.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

VERSION = "2026112602"  # yyyymmddNN: raise it on every change
REVIEW_YEAR = 2026
LANGUAGES = ("Tiếng Việt (vi)", "English (en)")  # the first is the default language

# Workbook timestamps and zip entry times are fixed so that an unchanged build gives the same bytes.
_STAMP = datetime(2026, 1, 1)  # naive UTC, as openpyxl writes it
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

Text = tuple[str, str]
"""(Tiếng Việt, English)."""


@dataclass(frozen=True)
class Row:
    """One row of the `survey` sheet."""

    type: str
    name: str = ""
    label: Text | None = None
    hint: Text | None = None
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    message: Text | None = None  # constraint_message
    calculation: str = ""
    default: str = ""
    appearance: str = ""
    choice_filter: str = ""


Rows = tuple[Row, ...]
Choice = tuple[str, str, str]
"""(value, Tiếng Việt, English)."""


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    instance_name: str
    survey: Rows
    choices: dict[str, tuple[Choice, ...]]


# ---------------------------------------------------------------------------------------------
# Small helpers: rows and XPath


def flatten(*parts: Row | Rows) -> Rows:
    rows: list[Row] = []
    for part in parts:
        rows.extend([part] if isinstance(part, Row) else part)
    return tuple(rows)


def group(name: str, label: Text, *rows: Row | Rows, appearance: str = "field-list") -> Rows:
    """A group; `field-list` shows its questions on one screen."""
    begin = Row("begin group", name, label, appearance=appearance)
    return flatten(begin, *rows, Row("end group"))


def repeat(name: str, label: Text, *rows: Row | Rows, appearance: str = "field-list") -> Rows:
    begin = Row("begin repeat", name, label, appearance=appearance)
    return flatten(begin, *rows, Row("end repeat"))


def calc(name: str, expression: str) -> Row:
    return Row("calculate", name, calculation=expression)


def flag(condition: str) -> str:
    """1 when the condition holds, else 0."""
    return f"if({condition}, 1, 0)"


def one_of(reference: str, values: Iterable[str]) -> str:
    """The select_one `reference` has one of `values` (false when it is empty)."""
    return "(" + " or ".join(f"{reference} = '{value}'" for value in values) + ")"


# ---------------------------------------------------------------------------------------------
# Choice lists shared by both forms

YES_NO: tuple[Choice, ...] = (("yes", "Có", "Yes"), ("no", "Không", "No"))

# The 12 indicators of NĐ 07/2021, in the order of the decree (README "Indicators").
INDICATORS: tuple[Choice, ...] = (
    ("employment", "Việc làm", "Employment"),
    ("dependants", "Người phụ thuộc trong hộ", "Dependants"),
    ("nutrition", "Dinh dưỡng", "Nutrition"),
    ("health_insurance", "Bảo hiểm y tế", "Health insurance"),
    ("adult_education", "Trình độ giáo dục của người lớn", "Adult education"),
    ("child_schooling", "Tình trạng đi học của trẻ em", "Child school attendance"),
    ("housing_quality", "Chất lượng nhà ở", "Housing quality"),
    ("floor_area", "Diện tích nhà ở bình quân đầu người", "Floor area per person"),
    ("water_source", "Nguồn nước sinh hoạt", "Domestic water source"),
    ("latrine", "Nhà tiêu hợp vệ sinh", "Hygienic latrine"),
    ("internet", "Sử dụng dịch vụ viễn thông", "Telecom (internet) use"),
    ("information_means", "Phương tiện tiếp cận thông tin", "Means of access to information"),
)

# ---------------------------------------------------------------------------------------------
# household_survey: the annual review (rà soát) under NĐ 07/2021

ETHNICITIES: tuple[Choice, ...] = (
    ("kinh", "Kinh", "Kinh"),
    ("bru_van_kieu", "Bru - Vân Kiều", "Bru - Van Kieu"),
    ("ta_oi", "Tà Ôi (Pa Kô)", "Ta Oi (Pa Ko)"),
    ("hoa", "Hoa", "Hoa (Chinese)"),
    ("other_minority", "Dân tộc thiểu số khác", "Other ethnic minority"),
)
NOT_MINORITY = ("kinh",)  # README: every ethnicity but Kinh (Hoa included) is a minority

# Income lines of NĐ 07/2021, VND per person per month: (poverty line, top of the middle band).
RURAL_LINES = (1_500_000, 2_250_000)
URBAN_LINES = (2_000_000, 3_000_000)
DEFICIENCY_CUT_OFF = 3
MAX_INCOME = 1_000_000_000  # a household's monthly income is below this

SAFE_WATER = (
    "piped",
    "drilled_well",
    "protected_dug_well",
    "protected_spring",
    "rain_water",
    "bottled",
)
HYGIENIC_LATRINES = ("septic", "semi_septic", "pour_flush", "ventilated_pit", "double_vault")
LOWER_SECONDARY_OR_HIGHER = ("lower_secondary", "upper_secondary", "vocational", "higher")
UPPER_SECONDARY_OR_HIGHER = ("upper_secondary", "vocational", "higher")
POOR_WORK = ("unemployed", "unstable_no_contract")

CLASSES: tuple[Choice, ...] = (
    ("poor", "Hộ nghèo", "Poor"),
    ("near_poor", "Hộ cận nghèo", "Near-poor"),
    ("middle", "Hộ có mức sống trung bình", "Middle living standard"),
    ("not_poor", "Không thuộc diện nghèo, cận nghèo", "Not poor"),
)

HOUSEHOLD_CHOICES: dict[str, tuple[Choice, ...]] = {
    "yes_no": YES_NO,
    "ethnicity": ETHNICITIES,
    "policy_group": (
        ("nguoi_co_cong", "Người có công với cách mạng", "Person with revolutionary merit"),
        ("bao_tro_xa_hoi", "Đối tượng bảo trợ xã hội", "Social-protection beneficiary"),
    ),
    "sex": (("male", "Nam", "Male"), ("female", "Nữ", "Female")),
    "relation": (
        ("head", "Chủ hộ", "Head of household"),
        ("spouse", "Vợ hoặc chồng", "Spouse"),
        ("child", "Con (cả con dâu, con rể)", "Child (also in-law)"),
        ("parent", "Bố, mẹ", "Parent"),
        ("other", "Khác (cháu, anh chị em…)", "Other relative or person"),
    ),
    "education": (
        ("none", "Chưa học xong tiểu học", "Did not finish primary"),
        ("primary", "Tiểu học (cấp 1)", "Primary"),
        ("lower_secondary", "Trung học cơ sở (cấp 2)", "Lower secondary"),
        ("upper_secondary", "Trung học phổ thông (cấp 3)", "Upper secondary"),
        ("vocational", "Sơ cấp, trung cấp nghề", "Vocational certificate"),
        ("higher", "Cao đẳng, đại học trở lên", "College, university or higher"),
    ),
    "work": (
        ("stable_contract", "Làm công, có hợp đồng lao động", "Employee with a contract"),
        ("self_employed", "Tự làm (làm ruộng, chăn nuôi, buôn bán…)", "Self-employed or farming"),
        (
            "unstable_no_contract",
            "Làm thuê không hợp đồng, việc không ổn định",
            "Casual work without a contract",
        ),
        ("unemployed", "Không có việc, đang tìm việc", "Unemployed, looking for work"),
        ("studying", "Đang đi học", "Studying"),
        ("unable", "Không còn khả năng lao động", "Unable to work"),
        ("retired_homemaker", "Nghỉ hưu, làm nội trợ", "Retired or homemaker"),
    ),
    "water_source": (
        ("piped", "Nước máy", "Piped water"),
        ("drilled_well", "Giếng khoan", "Drilled well"),
        ("protected_dug_well", "Giếng đào có thành, có nắp", "Protected dug well"),
        ("protected_spring", "Nước khe, mó có bảo vệ", "Protected spring"),
        ("rain_water", "Nước mưa", "Rain water"),
        ("bottled", "Nước đóng bình, đóng chai", "Bottled water"),
        ("unprotected_well", "Giếng đào không thành, không nắp", "Unprotected well"),
        ("unprotected_spring", "Nước khe, mó không bảo vệ", "Unprotected spring"),
        ("surface_water", "Nước sông, suối, ao, hồ", "Surface water (river, pond, lake)"),
        ("other", "Khác", "Other"),
    ),
    "latrine": (
        ("septic", "Tự hoại", "Septic tank"),
        ("semi_septic", "Bán tự hoại", "Semi-septic tank"),
        ("pour_flush", "Thấm dội nước", "Pour-flush"),
        ("ventilated_pit", "Chìm có ống thông hơi", "Ventilated pit"),
        ("double_vault", "Hai ngăn", "Double-vault"),
        ("simple_pit", "Hố đào đơn giản", "Simple pit"),
        ("none", "Không có nhà tiêu", "No latrine"),
        ("other", "Khác", "Other"),
    ),
    "info_device": (
        ("tv", "Ti vi", "TV"),
        ("radio", "Đài, radio", "Radio"),
        ("computer", "Máy vi tính", "Computer"),
        ("smartphone", "Điện thoại thông minh", "Smartphone"),
    ),
}

MEMBER_FIELDS: Rows = (
    Row("text", "m_name", ("Họ và tên", "Full name"), required=True),
    Row(
        "select_one sex",
        "m_sex",
        ("Giới tính", "Sex"),
        required=True,
        appearance="columns",
    ),
    Row(
        "select_one relation",
        "m_relation",
        ("Quan hệ với chủ hộ", "Relation to the head"),
        hint=("Người thứ nhất là chủ hộ.", "The first person is the head."),
        required=True,
        appearance="minimal",
        # Exactly one head: the first person. (Counting heads across the repeat would not do:
        # JavaRosa checks a constraint before it stores the answer.)
        constraint="if(position(..) = 1, . = 'head', . != 'head')",
        message=(
            "Người thứ nhất là chủ hộ; những người sau không phải chủ hộ.",
            "The first person is the head; nobody else is.",
        ),
    ),
    Row(
        "integer",
        "m_birth_year",
        ("Năm sinh", "Year of birth"),
        hint=(
            "Xem căn cước hoặc sổ hộ khẩu nếu không nhớ.",
            "Check the ID card or household book if unsure.",
        ),
        required=True,
        constraint=". >= 1900 and . <= ${review_year}",
        message=(
            "Năm sinh từ 1900 đến năm rà soát (${review_year}).",
            "Year of birth from 1900 to the review year (${review_year}).",
        ),
    ),
    calc("m_age", "if(${m_birth_year} = '', '', ${review_year} - ${m_birth_year})"),
    Row(
        "select_one yes_no",
        "m_in_school",
        ("Hiện có đang đi học không?", "In school now?"),
        hint=(
            "Tính cả mẫu giáo, học nghề, cao đẳng, đại học.",
            "Kindergarten, vocational training, college and university count.",
        ),
        required=True,
        relevant="${m_age} >= 3 and ${m_age} <= 30",
        appearance="columns",
    ),
    Row(
        "select_one education",
        "m_education",
        ("Đã học xong bậc nào?", "Highest level finished"),
        hint=("Bậc cao nhất đã tốt nghiệp.", "The highest level completed."),
        required=True,
        relevant="${m_age} >= 15",
        appearance="minimal",
    ),
    Row(
        "select_one work",
        "m_work",
        ("Việc làm chính", "Main work"),
        required=True,
        relevant="${m_age} >= 15",
        appearance="minimal",
    ),
    Row(
        "select_one yes_no",
        "m_health_insurance",
        ("Có thẻ bảo hiểm y tế còn hạn không?", "Has a valid health-insurance card?"),
        required=True,
        appearance="columns",
    ),
    Row(
        "select_one yes_no",
        "m_malnourished",
        ("Cháu có bị suy dinh dưỡng không?", "Is the child malnourished?"),
        hint=(
            "Thấp còi hoặc nhẹ cân so với tuổi (hỏi gia đình hoặc trạm y tế).",
            "Stunted or underweight for the age (ask the family or the health station).",
        ),
        required=True,
        relevant="${m_age} < 16",
        appearance="columns",
    ),
    # Per-member parts of the indicators (1/0). Each is gated on the same ages as the
    # questions it reads, so a stale answer to a question that is no longer asked never counts.
    calc(
        "m_d_employment",
        flag(f"${{m_age}} >= 15 and ${{m_age}} <= 60 and {one_of('${m_work}', POOR_WORK)}"),
    ),
    calc("m_dependant", flag("${m_age} < 16 or ${m_age} > 60 or ${m_work} = 'unable'")),
    calc("m_d_nutrition", flag("${m_age} < 16 and ${m_malnourished} = 'yes'")),
    calc("m_d_health_insurance", flag("${m_age} >= 6 and ${m_health_insurance} = 'no'")),
    calc(
        "m_d_adult_education",
        flag(
            "${m_in_school} = 'no' and ("
            f"(${{m_age}} >= 16 and ${{m_age}} <= 17"
            f" and not({one_of('${m_education}', LOWER_SECONDARY_OR_HIGHER)}))"
            f" or (${{m_age}} >= 18 and ${{m_age}} <= 30"
            f" and not({one_of('${m_education}', UPPER_SECONDARY_OR_HIGHER)})))"
        ),
    ),
    calc("m_d_child_schooling", flag("${m_age} >= 3 and ${m_age} <= 15 and ${m_in_school} = 'no'")),
)


def _class_expression() -> str:
    """poor / near_poor / middle / not_poor; income compared with line × members (no rounding)."""
    income, members, cut_off = "${household_income_month}", "${n_members}", DEFICIENCY_CUT_OFF
    return (
        f"if({income} = '' or {members} = 0, '', "
        f"if({income} <= ${{poverty_line}} * {members}, "
        f"if(${{deficiency_count}} >= {cut_off}, 'poor', 'near_poor'), "
        f"if({income} <= ${{middle_line}} * {members}, 'middle', 'not_poor')))"
    )


def _class_label(language: int) -> str:
    label = "''"
    for value, *names in reversed(CLASSES):
        label = f"if(${{provisional_class}} = '{value}', '{names[language]}', {label})"
    return label


def _deficient_list(language: int) -> str:
    """Names of the deficient indicators, comma separated; 'none' when there are none."""
    parts = ", ".join(
        f"if(${{d_{code}}} = 1, ', {names[language]}', '')" for code, *names in INDICATORS
    )
    none = ("không có", "none")[language]
    return f"if(${{deficiency_count}} = 0, '{none}', substr(concat({parts}), 2))"


INDICATOR_CALCULATIONS: Rows = (
    calc("n_members", "count(${member})"),
    # A household is deficient when one member is (sum of the members' 1/0 > 0).
    calc("d_employment", flag("sum(${m_d_employment}) > 0")),
    calc("d_dependants", flag("sum(${m_dependant}) * 2 > ${n_members}")),
    calc("d_nutrition", flag("sum(${m_d_nutrition}) > 0")),
    calc("d_health_insurance", flag("sum(${m_d_health_insurance}) > 0")),
    calc("d_adult_education", flag("sum(${m_d_adult_education}) > 0")),
    calc("d_child_schooling", flag("sum(${m_d_child_schooling}) > 0")),
    calc(
        "d_housing_quality",
        flag("${has_house} = 'no' or (${has_house} = 'yes' and ${non_durable_parts} >= 2)"),
    ),
    # floor_area_m2 / members < 8, without dividing.
    calc(
        "d_floor_area",
        flag(
            "${has_house} = 'no' or (${has_house} = 'yes' and ${floor_area_m2} < 8 * ${n_members})"
        ),
    ),
    calc("d_water_source", flag(f"not({one_of('${water_source}', SAFE_WATER)})")),
    calc("d_latrine", flag(f"not({one_of('${latrine}', HYGIENIC_LATRINES)})")),
    calc("d_internet", flag("${uses_internet} = 'no'")),
    calc(
        "d_information_means",
        flag("count-selected(${info_devices}) = 0 and ${hears_loudspeaker} = 'no'"),
    ),
    calc("deficiency_count", " + ".join(f"${{d_{code}}}" for code, _, _ in INDICATORS)),
    calc(
        "income_per_person",
        "if(${household_income_month} = '' or ${n_members} = 0, '',"
        " round(${household_income_month} div ${n_members}, 0))",
    ),
    calc("urban", "instance('villages')/root/item[name=${village}]/urban"),
    calc("poverty_line", f"if(${{urban}} = 1, {URBAN_LINES[0]}, {RURAL_LINES[0]})"),
    calc("middle_line", f"if(${{urban}} = 1, {URBAN_LINES[1]}, {RURAL_LINES[1]})"),
    calc("provisional_class", _class_expression()),
    calc("class_label_vi", _class_label(0)),
    calc("class_label_en", _class_label(1)),
    calc("deficient_vi", _deficient_list(0)),
    calc("deficient_en", _deficient_list(1)),
)

RESULT_NOTE = Row(
    "note",
    "result",
    (
        "**Kết quả tạm tính** (xã sẽ xét lại)\n"
        "Thu nhập bình quân: ${income_per_person} đồng/người/tháng\n"
        "Số chỉ số thiếu hụt: **${deficiency_count}**/12\n"
        "Thiếu hụt: ${deficient_vi}\n"
        "Phân loại tạm: **${class_label_vi}**\n"
        "Nếu thấy chưa đúng, quay lại sửa trước khi gửi.",
        "**Provisional result** (the commune reviews it)\n"
        "Income per person: ${income_per_person} VND/month\n"
        "Deficient indicators: **${deficiency_count}**/12\n"
        "Deficient in: ${deficient_en}\n"
        "Provisional class: **${class_label_en}**\n"
        "If something looks wrong, go back and correct it before sending.",
    ),
)

HOUSEHOLD_SURVEY = Form(
    form_id="household_survey",
    title=f"Rà soát hộ nghèo, hộ cận nghèo năm {REVIEW_YEAR}",
    instance_name="concat(${household_code}, ' ', ${head_name})",
    choices=HOUSEHOLD_CHOICES,
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
                ("Năm rà soát", "Review year"),
                hint=("Thường để nguyên.", "Usually left as it is."),
                required=True,
                default=str(REVIEW_YEAR),
                constraint=f". >= 2022 and . <= {REVIEW_YEAR}",
                message=(
                    f"Phiếu này dùng chuẩn nghèo 2022–{REVIEW_YEAR}.",
                    f"This form applies the 2022–{REVIEW_YEAR} poverty standard.",
                ),
            ),
            Row(
                "select_one_from_file communes.csv",
                "commune",
                ("Xã, phường", "Commune or ward"),
                required=True,
                appearance="minimal",
            ),
            Row(
                "select_one_from_file villages.csv",
                "village",
                ("Thôn, tổ dân phố", "Village or quarter"),
                required=True,
                appearance="minimal",
                choice_filter="commune=${commune}",
            ),
            Row(
                "text",
                "household_code",
                ("Mã hộ", "Household code"),
                hint=(
                    "Mã thôn, dấu gạch ngang, rồi số thứ tự hộ (1 đến 4 chữ số). "
                    "Ví dụ: ${village}-012",
                    "Village code, a dash, then the household number (1 to 4 digits). "
                    "Example: ${village}-012",
                ),
                required=True,
                constraint=(
                    "regex(., '^[0-9]+-[0-9]{1,4}$') and starts-with(., concat(${village}, '-'))"
                ),
                message=(
                    "Mã hộ phải bắt đầu bằng mã thôn ${village}, dấu gạch ngang, "
                    "rồi 1 đến 4 chữ số. Ví dụ: ${village}-012",
                    "The code starts with the village code ${village}, a dash, "
                    "then 1 to 4 digits. Example: ${village}-012",
                ),
            ),
        ),
        group(
            "household",
            ("Chủ hộ", "Head of household"),
            Row("text", "head_name", ("Họ và tên chủ hộ", "Name of the head"), required=True),
            Row(
                "text",
                "head_phone",
                ("Số điện thoại", "Phone number"),
                hint=("Không bắt buộc.", "Optional."),
                constraint="regex(., '^0[0-9]{9,10}$')",
                message=(
                    "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng số 0.",
                    "10 or 11 digits, starting with 0.",
                ),
                appearance="numbers",
            ),
            Row(
                "select_one ethnicity",
                "ethnicity",
                ("Dân tộc của chủ hộ", "Ethnicity of the head"),
                required=True,
            ),
            calc(
                "ethnic_minority",
                f"if(${{ethnicity}} = '', '', if({one_of('${ethnicity}', NOT_MINORITY)}, 0, 1))",
            ),
            Row(
                "select_multiple policy_group",
                "groups",
                ("Hộ thuộc nhóm chính sách nào?", "Policy groups"),
                hint=(
                    "Chọn tất cả các nhóm đúng. Bỏ trống nếu không có.",
                    "Tick all that apply. Leave empty if none.",
                ),
            ),
        ),
        group(
            "members",
            ("Thành viên trong hộ", "Household members"),
            Row(
                "note",
                "members_intro",
                (
                    "Nhập từng người đang sống trong hộ, **chủ hộ trước**. "
                    "Xong một người, chọn thêm người tiếp theo.",
                    "Enter every person living in the household, **the head first**. "
                    "After each person, add the next one.",
                ),
            ),
            repeat("member", ("Thành viên", "Member"), *MEMBER_FIELDS),
            appearance="",
        ),
        group(
            "income",
            ("Thu nhập", "Income"),
            Row(
                "integer",
                "household_income_month",
                (
                    "Tổng thu nhập của cả hộ trong một tháng (đồng)",
                    "Household income per month (VND)",
                ),
                hint=(
                    "Bình quân một tháng trong 12 tháng qua, của tất cả thành viên: tiền công, "
                    "trồng trọt, chăn nuôi, buôn bán, lương hưu, trợ cấp…",
                    "Monthly average over the last 12 months, all members: wages, crops, "
                    "livestock, trade, pensions, allowances…",
                ),
                required=True,
                # Also the place to insist on at least one member: a repeat has no constraint.
                constraint=f". >= 0 and . < {MAX_INCOME} and count(${{member}}) >= 1",
                message=(
                    "Thu nhập từ 0 đến dưới 1 tỷ đồng. Nếu vẫn báo lỗi: hộ phải có ít nhất "
                    "1 thành viên.",
                    "Income from 0 to under 1 billion VND. If this still shows: the household "
                    "needs at least 1 member.",
                ),
            ),
        ),
        group(
            "housing",
            ("Nhà ở", "Housing"),
            Row(
                "select_one yes_no",
                "has_house",
                ("Hộ có nhà ở không?", "Does the household have a house?"),
                required=True,
                appearance="columns",
            ),
            Row(
                "integer",
                "non_durable_parts",
                (
                    "Trong 3 phần tường, cột, mái: mấy phần làm bằng vật liệu không bền chắc?",
                    "Of walls, pillars and roof: how many are of non-durable materials?",
                ),
                hint=(
                    "Không bền chắc: tre, nứa, lá, đất, gỗ tạp… Nhập từ 0 đến 3.",
                    "Non-durable: bamboo, leaves, mud, low-grade wood… Enter 0 to 3.",
                ),
                required=True,
                relevant="${has_house} = 'yes'",
                constraint=". >= 0 and . <= 3",
                message=("Nhập từ 0 đến 3.", "Enter 0 to 3."),
            ),
            Row(
                "decimal",
                "floor_area_m2",
                ("Diện tích ở (m²)", "Living floor area (m²)"),
                hint=(
                    "Tổng diện tích sàn để ở, cả tầng trên; không tính chuồng trại.",
                    "Total floor area lived in, upper floors included; not animal sheds.",
                ),
                required=True,
                relevant="${has_house} = 'yes'",
                constraint=". >= 0 and . <= 2000",
                message=("Diện tích từ 0 đến 2000 m².", "Floor area from 0 to 2000 m²."),
            ),
        ),
        group(
            "water_sanitation",
            ("Nước sinh hoạt và nhà tiêu", "Water and sanitation"),
            Row(
                "select_one water_source",
                "water_source",
                ("Nước uống, nấu ăn chủ yếu lấy từ đâu?", "Main source of drinking water"),
                required=True,
            ),
            Row(
                "select_one latrine",
                "latrine",
                ("Hộ dùng loại nhà tiêu nào?", "Which latrine does the household use?"),
                required=True,
            ),
            appearance="",
        ),
        group(
            "information",
            ("Thông tin", "Information"),
            Row(
                "select_one yes_no",
                "uses_internet",
                (
                    "Có ai trong hộ dùng internet không?",
                    "Does anyone in the household use internet?",
                ),
                hint=(
                    "3G/4G trên điện thoại, wifi hoặc mạng cáp.",
                    "Mobile data, wifi or cable.",
                ),
                required=True,
                appearance="columns",
            ),
            Row(
                "select_multiple info_device",
                "info_devices",
                ("Hộ có những phương tiện nào?", "Which devices does the household own?"),
                hint=(
                    "Chọn tất cả. Bỏ trống nếu không có cái nào.",
                    "Tick all. Leave empty if none.",
                ),
            ),
            Row(
                "select_one yes_no",
                "hears_loudspeaker",
                (
                    "Ở nhà có nghe được loa của thôn, xã không?",
                    "Can the village loudspeaker be heard at home?",
                ),
                required=True,
                appearance="columns",
            ),
        ),
        INDICATOR_CALCULATIONS,
        group(
            "finish",
            ("Kết thúc", "Finish"),
            RESULT_NOTE,
            Row("geopoint", "location", ("Vị trí của hộ", "Location of the household")),
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

# ---------------------------------------------------------------------------------------------
# followup_visit: a visit to a household that left poverty in the last 36 months

FOLLOWUP_CHOICES: dict[str, tuple[Choice, ...]] = {
    "yes_no": YES_NO,
    "income_change": (
        ("increased", "Tăng lên", "Increased"),
        ("same", "Như cũ", "About the same"),
        ("decreased", "Giảm đi", "Decreased"),
    ),
    "work_change": (
        ("better", "Tốt hơn", "Better"),
        ("same", "Như cũ", "About the same"),
        ("worse", "Kém đi", "Worse"),
    ),
    "shock": (
        ("illness", "Ốm đau, bệnh nặng, tai nạn", "Serious illness or accident"),
        ("disaster", "Thiên tai (bão, lũ, hạn hán)", "Natural disaster"),
        ("lost_assets", "Mất tài sản, mất đất", "Lost assets or land"),
        ("crop_loss", "Mất mùa", "Crop failure"),
        ("livestock_loss", "Gia súc, gia cầm chết, dịch bệnh", "Livestock loss"),
        ("death_of_earner", "Người làm ra thu nhập chính mất", "Death of the main earner"),
        ("job_loss", "Mất việc làm", "Job loss"),
        ("other", "Khác", "Other"),
    ),
    "indicator": INDICATORS,
    "risk": (
        ("low", "Thấp", "Low"),
        ("medium", "Trung bình", "Medium"),
        ("high", "Cao", "High"),
    ),
    "support": (
        ("health_insurance", "Bảo hiểm y tế", "Health insurance"),
        ("credit", "Vay vốn ưu đãi", "Preferential credit"),
        ("livelihood", "Hỗ trợ sinh kế, sản xuất", "Livelihood support"),
        ("vocational_training", "Học nghề", "Vocational training"),
        ("housing", "Nhà ở", "Housing"),
        ("water_sanitation", "Nước sạch, nhà tiêu", "Water and sanitation"),
        ("education", "Học tập của con em", "Schooling"),
        ("other", "Khác", "Other"),
    ),
}


def _household_column(column: str) -> str:
    return f"instance('followup_households')/root/item[name=${{household}}]/{column}"


FOLLOWUP_VISIT = Form(
    form_id="followup_visit",
    title="Thăm hộ mới thoát nghèo",
    instance_name="concat(${household}, ' ', ${fh_head_name}, ' ', ${visit_date})",
    choices=FOLLOWUP_CHOICES,
    survey=flatten(
        Row("start", "start"),
        Row("end", "end"),
        Row("deviceid", "deviceid"),
        group(
            "visit",
            ("Hộ được thăm", "Household visited"),
            Row(
                "select_one_from_file followup_households.csv",
                "household",
                ("Hộ", "Household"),
                hint=(
                    "Gõ vài chữ của mã hộ hoặc tên chủ hộ để tìm.",
                    "Type part of the code or the head's name to search.",
                ),
                required=True,
                appearance="autocomplete",
            ),
            calc("fh_head_name", _household_column("head_name")),
            calc("fh_exit_year", _household_column("exit_year")),
            Row(
                "note",
                "household_info",
                (
                    "Chủ hộ: **${fh_head_name}**. Thoát nghèo năm ${fh_exit_year}.",
                    "Head: **${fh_head_name}**. Left poverty in ${fh_exit_year}.",
                ),
                relevant="${household} != ''",
            ),
            Row(
                "date",
                "visit_date",
                ("Ngày thăm", "Date of the visit"),
                required=True,
                default="today()",
                constraint=". <= today()",
                message=("Ngày thăm không được sau hôm nay.", "The visit cannot be in the future."),
            ),
        ),
        group(
            "income_work",
            ("Thu nhập và việc làm", "Income and work"),
            Row(
                "select_one income_change",
                "income_change",
                ("So với lần thăm trước, thu nhập của hộ:", "Since the last visit, income has:"),
                required=True,
            ),
            Row(
                "integer",
                "household_income_month",
                ("Thu nhập cả hộ một tháng, ước tính (đồng)", "Household income per month (VND)"),
                hint=(
                    "Không bắt buộc. Bỏ trống nếu hộ không ước tính được.",
                    "Optional. Leave empty if the household cannot estimate it.",
                ),
                constraint=f". >= 0 and . < {MAX_INCOME}",
                message=("Từ 0 đến dưới 1 tỷ đồng.", "From 0 to under 1 billion VND."),
            ),
            Row(
                "integer",
                "member_count",
                ("Hộ hiện có mấy người?", "How many members now?"),
                required=True,
                constraint=". >= 1 and . <= 50",
                message=("Từ 1 đến 50 người.", "From 1 to 50 people."),
            ),
            Row(
                "select_one work_change",
                "work_change",
                ("Việc làm của hộ so với lần trước:", "Work since the last visit:"),
                required=True,
            ),
        ),
        Row(
            "select_multiple shock",
            "shocks",
            (
                "Từ lần thăm trước, hộ có gặp khó khăn, rủi ro nào không?",
                "Since the last visit, has the household had any of these shocks?",
            ),
            hint=(
                "Chọn tất cả các ý đúng. Bỏ trống nếu không có.",
                "Tick all that apply. Leave empty if none.",
            ),
        ),
        calc("shock_count", "count-selected(${shocks})"),
        group(
            "support_status",
            ("Chính sách đang hưởng", "Support the household has"),
            Row(
                "select_one yes_no",
                "hi_card_valid",
                (
                    "Cả hộ có thẻ bảo hiểm y tế còn hạn không?",
                    "Do all members have a valid health-insurance card?",
                ),
                required=True,
                appearance="columns",
            ),
            Row(
                "date",
                "hi_card_expiry",
                ("Thẻ bảo hiểm y tế hết hạn ngày nào?", "When do the cards expire?"),
                hint=(
                    "Xem trên thẻ; ghi ngày của thẻ hết hạn sớm nhất.",
                    "Read it on the card; give the earliest end date.",
                ),
                relevant="${hi_card_valid} = 'yes'",
                constraint=". >= ${visit_date}",
                message=(
                    "Thẻ còn hạn thì ngày hết hạn phải từ ngày thăm trở đi.",
                    "A valid card ends on or after the visit date.",
                ),
            ),
            Row(
                "select_one yes_no",
                "loan_active",
                (
                    "Hộ đang vay vốn Ngân hàng Chính sách xã hội không?",
                    "Does the household have a preferential (VBSP) loan?",
                ),
                required=True,
                appearance="columns",
            ),
            Row(
                "date",
                "loan_due",
                ("Khoản vay đến hạn trả ngày nào?", "When is the loan due?"),
                hint=(
                    "Xem sổ vay vốn. Nếu đã quá hạn, vẫn ghi ngày đến hạn.",
                    "See the loan book. If overdue, still give the due date.",
                ),
                relevant="${loan_active} = 'yes'",
            ),
            Row(
                "select_one yes_no",
                "livelihood_support",
                (
                    "Hộ đang được hỗ trợ sinh kế, sản xuất không?",
                    "Does the household get livelihood support now?",
                ),
                hint=(
                    "Ví dụ: giống cây, con giống, phân bón, máy móc.",
                    "For example seeds, animals, fertiliser, tools.",
                ),
                required=True,
                appearance="columns",
            ),
            Row(
                "date",
                "livelihood_end",
                ("Hỗ trợ sinh kế kết thúc ngày nào?", "When does the livelihood support end?"),
                relevant="${livelihood_support} = 'yes'",
                constraint=". >= ${visit_date}",
                message=(
                    "Đang được hỗ trợ thì ngày kết thúc phải từ ngày thăm trở đi.",
                    "Support in progress ends on or after the visit date.",
                ),
            ),
        ),
        Row(
            "select_multiple indicator",
            "recheck_deficient",
            (
                "Hiện nay hộ thiếu hụt những chỉ số nào?",
                "Which indicators is the household deficient in now?",
            ),
            hint=(
                "Chọn tất cả các chỉ số đang thiếu. Bỏ trống nếu không thiếu chỉ số nào.",
                "Tick every indicator lacking now. Leave empty if none.",
            ),
        ),
        calc("recheck_count", "count-selected(${recheck_deficient})"),
        group(
            "assessment",
            ("Đánh giá", "Assessment"),
            Row(
                "select_one risk",
                "relapse_risk",
                ("Nguy cơ tái nghèo", "Risk of falling back into poverty"),
                hint=(
                    "Hộ đang thiếu ${recheck_count} chỉ số, gặp ${shock_count} loại rủi ro. "
                    "Cao: thu nhập sát chuẩn nghèo, thiếu từ 2 chỉ số trở lên hoặc vừa gặp rủi ro.",
                    "Deficient in ${recheck_count} indicators, ${shock_count} kinds of shock. "
                    "High: income close to the line, 2 or more deficiencies, or a recent shock.",
                ),
                required=True,
            ),
            Row(
                "select_multiple support",
                "support_needed",
                ("Hộ cần hỗ trợ gì?", "What support does the household need?"),
                hint=("Chọn tất cả các ý đúng.", "Tick all that apply."),
            ),
            Row(
                "text",
                "support_note",
                ("Ghi rõ hỗ trợ cần thiết", "Details of the support needed"),
                hint=("Không bắt buộc.", "Optional."),
                appearance="multiline",
            ),
            appearance="",
        ),
        group(
            "finish",
            ("Kết thúc", "Finish"),
            Row("geopoint", "location", ("Vị trí", "Location")),
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

FORMS = (HOUSEHOLD_SURVEY, FOLLOWUP_VISIT)

# ---------------------------------------------------------------------------------------------
# Writing the workbooks


def _translated(column: str) -> list[str]:
    return [f"{column}::{language}" for language in LANGUAGES]


SURVEY_HEADER = [
    "type",
    "name",
    *_translated("label"),
    *_translated("hint"),
    "required",
    "relevant",
    "constraint",
    *_translated("constraint_message"),
    "calculation",
    "default",
    "appearance",
    "choice_filter",
]
CHOICES_HEADER = ["list_name", "name", *_translated("label")]
SETTINGS_HEADER = ["form_id", "form_title", "version", "default_language", "instance_name"]


def _pair(text: Text | None) -> list[str]:
    return list(text) if text else ["", ""]


def survey_row(row: Row) -> list[str]:
    return [
        row.type,
        row.name,
        *_pair(row.label),
        *_pair(row.hint),
        "yes" if row.required else "",
        row.relevant,
        row.constraint,
        *_pair(row.message),
        row.calculation,
        row.default,
        row.appearance,
        row.choice_filter,
    ]


def _append(sheet: Worksheet, rows: Sequence[Sequence[str]]) -> None:
    for row in rows:
        sheet.append([value or None for value in row])  # empty cells stay empty, not ""


def workbook_bytes(form: Form) -> bytes:
    book = Workbook()
    survey = book.active
    if not isinstance(survey, Worksheet):
        raise TypeError("a new workbook has a worksheet")
    survey.title = "survey"
    _append(survey, [SURVEY_HEADER, *(survey_row(row) for row in form.survey)])
    choices = book.create_sheet("choices")
    _append(
        choices,
        [CHOICES_HEADER]
        + [[name, *choice] for name, items in form.choices.items() for choice in items],
    )
    settings = book.create_sheet("settings")
    _append(
        settings,
        [
            SETTINGS_HEADER,
            [form.form_id, form.title, VERSION, LANGUAGES[0], form.instance_name],
        ],
    )
    book.properties.creator = "forms/build.py"
    book.properties.created = _STAMP
    out = io.BytesIO()
    book.save(out)
    return _reproducible(out.getvalue())


def _reproducible(xlsx: bytes) -> bytes:
    """Fix the zip entry times and the 'modified' stamp openpyxl writes on every save."""
    out = io.BytesIO()
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()


def build(folder: Path) -> list[Path]:
    """Write every form's workbook into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for form in FORMS:
        path = folder / f"{form.form_id}.xlsx"
        path.write_bytes(workbook_bytes(form))
        written.append(path)
    return written


def main() -> int:
    for path in build(Path(__file__).resolve().parent):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
