"""household_survey: the annual review (rà soát) of a household under NĐ 07/2021.

The cadre enters the place, the head, every member, income, housing, water and sanitation and
information; the form then calculates the 12 indicators, the deficiency count and a
provisional class, shown before sending (the server recomputes all of it from the answers).
Every threshold of those calculations is the standard's own (`common.STANDARD`).
"""

from __future__ import annotations

from collections.abc import Mapping

from forms.common import INDICATORS, MAX_INCOME, REVIEW_YEAR, STANDARD, VERSION, YES_NO
from forms.xlsform_builder import (
    Choice,
    Form,
    Row,
    Rows,
    calc,
    flag,
    flatten,
    group,
    one_of,
    repeat,
)
from server.domain.rule_params import (
    AgeBand,
    answers_param,
    bands_param,
    flag_param,
    in_file_order,
    integer_param,
    number_param,
)
from server.domain.standards import RuleShape

ETHNICITIES: tuple[Choice, ...] = (
    ("kinh", "Kinh", "Kinh"),
    ("bru_van_kieu", "Bru - Vân Kiều", "Bru - Van Kieu"),
    ("ta_oi", "Tà Ôi (Pa Kô)", "Ta Oi (Pa Ko)"),
    ("hoa", "Hoa", "Hoa (Chinese)"),
    ("other_minority", "Dân tộc thiểu số khác", "Other ethnic minority"),
)
NOT_MINORITY = ("kinh",)  # README: every ethnicity but Kinh (Hoa included) is a minority

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


# ---------------------------------------------------------------------------------------------
# The standard's thresholds as the on-phone calculations write them (read, never repeated)

if STANDARD.shape is not RuleShape.SINGLE_LINE_AND:
    raise ValueError(f"the provisional class is written for single_line_and, not {STANDARD.shape}")
# VND per person per month: the poverty line and the top of the middle band.
RURAL, URBAN = STANDARD.lines(urban=False), STANDARD.lines(urban=True)


def _params(indicator: str) -> Mapping[str, object]:
    return STANDARD.indicator(indicator).params


def _integer(indicator: str, name: str) -> int:
    return integer_param(_params(indicator), name)


def _answers(indicator: str, name: str) -> tuple[str, ...]:
    return in_file_order(answers_param(_params(indicator), name))


def _ages(indicator: str) -> str:
    """The members the indicator's rule looks at: min_age to max_age, both inclusive."""
    low, high = _integer(indicator, "min_age"), _integer(indicator, "max_age")
    return f"${{m_age}} >= {low} and ${{m_age}} <= {high}"


def _education_bands() -> tuple[AgeBand, ...]:
    bands = bands_param(_params("adult_education"), "bands")
    if any(band.max_age is None or band.min_birth_year is not None for band in bands):
        raise ValueError("the form's education bands need both ages and no birth year")
    return bands


def _school_ages() -> str:
    """In school is asked of every age that school attendance or adult education reads."""
    oldest = max(band.max_age or 0 for band in _education_bands())
    return f"${{m_age}} >= {_integer('child_schooling', 'min_age')} and ${{m_age}} <= {oldest}"


# Work and education are asked from the age the employment indicator starts at.
WORKING_AGE = f"${{m_age}} >= {_integer('employment', 'min_age')}"
# Ages are whole years: a child of at most max_age is under max_age + 1.
NUTRITION_AGES = f"${{m_age}} < {_integer('nutrition', 'max_age') + 1}"


def _member_work() -> str:
    work = one_of("${m_work}", _answers("employment", "deficient_work"))
    return flag(f"{_ages('employment')} and {work}")


def _dependant() -> str:
    """Too young or too old to count as working age, or unable to work."""
    young = _integer("dependants", "working_min_age")
    old = _integer("dependants", "working_max_age")
    unable = [f"${{m_work}} = '{work}'" for work in _answers("dependants", "unable_work")]
    return flag(" or ".join([f"${{m_age}} < {young}", f"${{m_age}} > {old}", *unable]))


def _too_many_dependants() -> str:
    """Dependants are more than max_share of the members, in whole numbers (½: sum × 2 > n)."""
    over, under = number_param(_params("dependants"), "max_share").as_integer_ratio()
    members = "${n_members}" if over == 1 else f"{over} * ${{n_members}}"
    return flag(f"sum(${{m_dependant}}) * {under} > {members}")


def _adult_education() -> str:
    """Out of school in an age band without having finished one of the band's levels."""
    unfinished = " or ".join(
        f"(${{m_age}} >= {band.min_age} and ${{m_age}} <= {band.max_age}"
        f" and not({one_of('${m_education}', in_file_order(band.finished))}))"
        for band in _education_bands()
    )
    return flag(f"${{m_in_school}} = 'no' and ({unfinished})")


def _house(indicator: str, condition: str) -> str:
    """The condition holds of the house, or (when the rule says so) there is no house."""
    no_house = flag_param(_params(indicator), "no_house_deficient")
    without = "${has_house} = 'no' or " if no_house else ""
    return flag(f"{without}(${{has_house}} = 'yes' and {condition})")


def _information_means() -> str:
    """Owning none of the devices, which the form asks as its whole `info_device` list."""
    devices = {value for value, _, _ in HOUSEHOLD_CHOICES["info_device"]}
    if set(_answers("information_means", "devices")) != devices:
        raise ValueError("information_means counts other devices than the form asks about")
    return flag("count-selected(${info_devices}) = 0 and ${hears_loudspeaker} = 'no'")


# ---------------------------------------------------------------------------------------------
# The members and the household's calculations

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
        relevant=_school_ages(),
        appearance="columns",
    ),
    Row(
        "select_one education",
        "m_education",
        ("Đã học xong bậc nào?", "Highest level finished"),
        hint=("Bậc cao nhất đã tốt nghiệp.", "The highest level completed."),
        required=True,
        relevant=WORKING_AGE,
        appearance="minimal",
    ),
    Row(
        "select_one work",
        "m_work",
        ("Việc làm chính", "Main work"),
        required=True,
        relevant=WORKING_AGE,
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
        relevant=NUTRITION_AGES,
        appearance="columns",
    ),
    # Per-member parts of the indicators (1/0). Each is gated on the same ages as the
    # questions it reads, so a stale answer to a question that is no longer asked never counts.
    calc("m_d_employment", _member_work()),
    calc("m_dependant", _dependant()),
    calc("m_d_nutrition", flag(f"{NUTRITION_AGES} and ${{m_malnourished}} = 'yes'")),
    calc(
        "m_d_health_insurance",
        flag(
            f"${{m_age}} >= {_integer('health_insurance', 'min_age')}"
            " and ${m_health_insurance} = 'no'"
        ),
    ),
    calc("m_d_adult_education", _adult_education()),
    calc("m_d_child_schooling", flag(f"{_ages('child_schooling')} and ${{m_in_school}} = 'no'")),
)


def _class_expression() -> str:
    """poor / near_poor / middle / not_poor; income compared with line × members (no rounding)."""
    income, members, cut_off = (
        "${household_income_month}",
        "${n_members}",
        STANDARD.deficiency_cutoff,
    )
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
    calc("d_dependants", _too_many_dependants()),
    calc("d_nutrition", flag("sum(${m_d_nutrition}) > 0")),
    calc("d_health_insurance", flag("sum(${m_d_health_insurance}) > 0")),
    calc("d_adult_education", flag("sum(${m_d_adult_education}) > 0")),
    calc("d_child_schooling", flag("sum(${m_d_child_schooling}) > 0")),
    calc(
        "d_housing_quality",
        _house(
            "housing_quality",
            f"${{non_durable_parts}} >= {_integer('housing_quality', 'min_non_durable_parts')}",
        ),
    ),
    # floor_area_m2 / members < the minimum per person, without dividing.
    calc(
        "d_floor_area",
        _house(
            "floor_area",
            f"${{floor_area_m2}} < {number_param(_params('floor_area'), 'min_m2_per_person')}"
            " * ${n_members}",
        ),
    ),
    calc(
        "d_water_source",
        flag(f"not({one_of('${water_source}', _answers('water_source', 'safe_sources'))})"),
    ),
    calc(
        "d_latrine",
        flag(f"not({one_of('${latrine}', _answers('latrine', 'hygienic_latrines'))})"),
    ),
    calc("d_internet", flag("${uses_internet} = 'no'")),
    calc("d_information_means", _information_means()),
    calc("deficiency_count", " + ".join(f"${{d_{code}}}" for code, _, _ in INDICATORS)),
    calc(
        "income_per_person",
        "if(${household_income_month} = '' or ${n_members} = 0, '',"
        " round(${household_income_month} div ${n_members}, 0))",
    ),
    calc("urban", "instance('villages')/root/item[name=${village}]/urban"),
    calc("poverty_line", f"if(${{urban}} = 1, {URBAN.poverty}, {RURAL.poverty})"),
    calc("middle_line", f"if(${{urban}} = 1, {URBAN.middle}, {RURAL.middle})"),
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
    version=VERSION,
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
                constraint=f". >= {STANDARD.first_year} and . <= {REVIEW_YEAR}",
                message=(
                    f"Phiếu này dùng chuẩn nghèo {STANDARD.first_year}–{REVIEW_YEAR}.",
                    f"This form applies the {STANDARD.first_year}–{REVIEW_YEAR} poverty standard.",
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
