"""household_survey: the annual review (rà soát) of a household, for the list of a year.

The cadre enters the year of the list, the place, the head, every member, income, housing,
water, sanitation and waste, information and digital services; the form then calculates the
indicators of that year's standard, the deficiency count and a provisional class, shown before
sending (the server recomputes all of it from the answers).

One form covers every list the survey accepts (`common.FORM_STANDARDS`): the 2027 list under
NĐ 351/2025 (the default), and corrections of the 2022–2026 lists under NĐ 07/2021. The
questions only one standard reads are asked only for its list years; every threshold is the
standard's own, read from its data file (docs/architecture.md, "One survey form for every list
year").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from forms.common import (
    CODE_EXAMPLE,
    FIRST_LIST_YEAR,
    FORM_STANDARDS,
    INDICATOR_LABELS,
    LIST_YEAR,
    MAX_INCOME,
    PLACE_ROWS,
    VERSION,
    YES_NO,
)
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
from server.domain.household import SCORING_METHOD
from server.domain.rule_params import (
    AgeBand,
    answers_param,
    bands_param,
    flag_param,
    in_file_order,
    integer_param,
    number_param,
)
from server.domain.score_table_file import scoring_table
from server.domain.scoring import ScoreTable
from server.domain.standards import RuleShape, Standard

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
    # Asked from the 2027 list on (NĐ 351/2025); which answers count is in its data file.
    "internet_access": (
        ("home_fixed", "Có wifi hoặc cáp quang tại nhà", "Wifi or fibre at home"),
        (
            "mobile_data",
            "Có 3G/4G trên điện thoại của người trong hộ",
            "Mobile data on a member's own phone",
        ),
        (
            "shared_public",
            "Chỉ dùng nhờ wifi hàng xóm hoặc wifi công cộng",
            "Only a neighbour's or public wifi",
        ),
        ("none", "Không vào được internet", "No internet at all"),
    ),
    "digital_service": (
        ("public_services", "Dịch vụ công trực tuyến, VNeID", "Online public services, VNeID"),
        (
            "cashless_payment",
            "Chuyển khoản, ví điện tử, quét mã QR",
            "Bank transfer, e-wallet, QR payment",
        ),
        (
            "online_health_education",
            "Khám, tư vấn sức khỏe hoặc học trực tuyến",
            "Online health advice or learning",
        ),
        ("online_trade", "Mua, bán hàng trực tuyến", "Buying or selling online"),
        ("none", "Không dùng dịch vụ nào", "None of these"),
    ),
    # How the income is found: asked, or estimated by the scoring method (Phiếu B).
    "income_method": (
        ("direct", "Hỏi trực tiếp thu nhập của hộ", "Ask the household income directly"),
        (SCORING_METHOD, "Chấm điểm theo Phiếu B", "Score with Form B (income proxy)"),
    ),
    "waste_treatment": (
        ("collected", "Có tổ, đội thu gom rác", "Collected by a waste service"),
        (
            "composted_buried",
            "Phân loại, ủ phân hoặc chôn lấp hợp vệ sinh tại nhà",
            "Sorted, composted or buried in a pit at home",
        ),
        ("burned", "Đốt ngoài trời", "Burned in the open"),
        (
            "dumped",
            "Vứt ra vườn, sông, suối hoặc nơi công cộng",
            "Dumped in the garden, a river or a public place",
        ),
        ("other", "Khác", "Other"),
    ),
}


# ---------------------------------------------------------------------------------------------
# The standards' thresholds as the on-phone calculations write them (read, never repeated)
#
# One form serves every list year from FIRST_LIST_YEAR to LIST_YEAR. The calculate
# `standard_code` names the standard of the list year entered; every threshold, question and
# indicator that differs between the standards is chosen by it (`by_standard`), and where they
# all agree the form carries the expression once.

for _standard in FORM_STANDARDS:
    if _standard.shape is not RuleShape.SINGLE_LINE_AND:
        raise ValueError(f"the provisional class is written for single_line_and: {_standard.code}")

STANDARD_CODE = "${standard_code}"


def _is(standard: Standard) -> str:
    return f"{STANDARD_CODE} = '{standard.code}'"


def by_standard(expression: Callable[[Standard], str | None], otherwise: str = "''") -> str:
    """`expression` of the list year's standard; `otherwise` for a standard it gives None for
    (an indicator the standard does not have). Written once when every standard agrees."""
    parts = [(standard, expression(standard)) for standard in FORM_STANDARDS]
    distinct = {part for _, part in parts}
    if len(distinct) == 1 and None not in distinct:
        return next(part for _, part in parts if part is not None)
    chosen = otherwise
    for standard, part in reversed(parts):
        if part is not None:
            chosen = f"if({_is(standard)}, {part}, {chosen})"
    return chosen


def asked_for(*rules: str) -> str:
    """Relevance of a question that only the indicators judged by `rules` read: asked when the
    list year's standard has such an indicator ("" when every standard has one)."""
    needing = [s for s in FORM_STANDARDS if any(i.rule in rules for i in s.indicators)]
    if not needing:
        raise ValueError(f"no standard of the form uses {rules}: drop the question")
    if len(needing) == len(FORM_STANDARDS):
        return ""
    return " or ".join(_is(standard) for standard in needing)


def _standard_choice() -> str:
    """The code of the standard of `review_year` ('' outside every standard of the form)."""
    chosen = "''"
    for standard in FORM_STANDARDS:
        first, last = standard.first_year, standard.last_year
        years = f"${{review_year}} >= {first} and ${{review_year}} <= {last}"
        chosen = f"if({years}, '{standard.code}', {chosen})"
    return chosen


def _caption_of(standard: Standard, language: str) -> str:
    """The standard as the tables of the list year name it (Standard.caption_for): a list year
    beyond the years its title names adds "áp dụng cho năm <year>"."""
    caption = _quoted(standard.caption(language))
    if standard.named_last_year is None:
        return caption
    beyond = _quoted(f", {standard.beyond_named_words(language)} ")
    return (
        f"if(${{review_year}} > {standard.named_last_year},"
        f" concat({caption}, {beyond}, ${{review_year}}), {caption})"
    )


def _quoted(text: str) -> str:
    if "'" in text:
        raise ValueError(f"an XPath string literal cannot hold an apostrophe: {text!r}")
    return f"'{text}'"


def _params(standard: Standard, indicator: str) -> Mapping[str, object]:
    return standard.indicator(indicator).params


def _integer(standard: Standard, indicator: str, name: str) -> int:
    return integer_param(_params(standard, indicator), name)


def _answers(standard: Standard, indicator: str, name: str) -> tuple[str, ...]:
    return in_file_order(answers_param(_params(standard, indicator), name))


def _has(standard: Standard, indicator: str) -> bool:
    return any(i.code == indicator for i in standard.indicators)


def _offered(list_name: str, values: tuple[str, ...], indicator: str) -> None:
    """A threshold may only name answers the form offers (a typo would never match)."""
    offered = {value for value, _, _ in HOUSEHOLD_CHOICES[list_name]}
    unknown = sorted(set(values) - offered)
    if unknown:
        raise ValueError(f"{indicator} names answers the form does not offer: {unknown}")


def _ages(standard: Standard, indicator: str) -> str:
    """The members the indicator's rule looks at: min_age to max_age, both inclusive."""
    low = _integer(standard, indicator, "min_age")
    high = _integer(standard, indicator, "max_age")
    return f"${{m_age}} >= {low} and ${{m_age}} <= {high}"


def _education_bands(standard: Standard) -> tuple[AgeBand, ...]:
    bands = bands_param(_params(standard, "adult_education"), "bands")
    if any(band.max_age is None or band.min_birth_year is not None for band in bands):
        raise ValueError("the form's education bands need both ages and no birth year")
    return bands


def _school_ages(standard: Standard) -> str:
    """In school is asked of every age that school attendance or adult education reads."""
    oldest = max(band.max_age or 0 for band in _education_bands(standard))
    youngest = _integer(standard, "child_schooling", "min_age")
    return f"${{m_age}} >= {youngest} and ${{m_age}} <= {oldest}"


def _working_age(standard: Standard) -> str:
    """Work and education are asked from the age the employment indicator starts at."""
    return f"${{m_age}} >= {_integer(standard, 'employment', 'min_age')}"


def _nutrition_ages(standard: Standard) -> str:
    """Ages are whole years: a child of at most max_age is under max_age + 1."""
    return f"${{m_age}} < {_integer(standard, 'nutrition', 'max_age') + 1}"


def _member_work(standard: Standard) -> str:
    work = one_of("${m_work}", _answers(standard, "employment", "deficient_work"))
    return flag(f"{_ages(standard, 'employment')} and {work}")


def _dependant(standard: Standard) -> str:
    """Too young or too old to count as working age, or unable to work."""
    young = _integer(standard, "dependants", "working_min_age")
    old = _integer(standard, "dependants", "working_max_age")
    unable = [f"${{m_work}} = '{work}'" for work in _answers(standard, "dependants", "unable_work")]
    return flag(" or ".join([f"${{m_age}} < {young}", f"${{m_age}} > {old}", *unable]))


def _too_many_dependants(standard: Standard) -> str:
    """Dependants are more than max_share of the members, in whole numbers (½: sum × 2 > n)."""
    over, under = number_param(_params(standard, "dependants"), "max_share").as_integer_ratio()
    members = "${n_members}" if over == 1 else f"{over} * ${{n_members}}"
    return flag(f"sum(${{m_dependant}}) * {under} > {members}")


def _adult_education(standard: Standard) -> str:
    """Out of school in an age band without having finished one of the band's levels."""
    unfinished = " or ".join(
        f"(${{m_age}} >= {band.min_age} and ${{m_age}} <= {band.max_age}"
        f" and not({one_of('${m_education}', in_file_order(band.finished))}))"
        for band in _education_bands(standard)
    )
    return flag(f"${{m_in_school}} = 'no' and ({unfinished})")


def _health_insurance(standard: Standard) -> str:
    low = _integer(standard, "health_insurance", "min_age")
    return flag(f"${{m_age}} >= {low} and ${{m_health_insurance}} = 'no'")


def _house(standard: Standard, indicator: str, condition: str) -> str:
    """The condition holds of the house, or (when the rule says so) there is no house."""
    no_house = flag_param(_params(standard, indicator), "no_house_deficient")
    without = "${has_house} = 'no' or " if no_house else ""
    return flag(f"{without}(${{has_house}} = 'yes' and {condition})")


def _housing_quality(standard: Standard) -> str:
    parts = _integer(standard, "housing_quality", "min_non_durable_parts")
    return _house(standard, "housing_quality", f"${{non_durable_parts}} >= {parts}")


def _floor_area(standard: Standard) -> str:
    """floor_area_m2 / members < the minimum per person, without dividing."""
    least = number_param(_params(standard, "floor_area"), "min_m2_per_person")
    return _house(standard, "floor_area", f"${{floor_area_m2}} < {least} * ${{n_members}}")


def _not_one_of(standard: Standard, indicator: str, question: str, param: str) -> str:
    values = _answers(standard, indicator, param)
    _offered(question, values, indicator)
    return flag(f"not({one_of('${' + question + '}', values)})")


def _information_means(standard: Standard) -> str:
    """Owning none of the devices, which the form asks as its whole `info_device` list."""
    devices = {value for value, _, _ in HOUSEHOLD_CHOICES["info_device"]}
    if set(_answers(standard, "information_means", "devices")) != devices:
        raise ValueError("information_means counts other devices than the form asks about")
    return flag("count-selected(${info_devices}) = 0 and ${hears_loudspeaker} = 'no'")


def _digital_services(standard: Standard) -> str:
    """Fewer of the listed services used than the minimum (`none` is not a service)."""
    services = _answers(standard, "digital_services", "services")
    _offered("digital_service", services, "digital_services")
    used = " + ".join(f"if(selected(${{digital_services}}, '{s}'), 1, 0)" for s in services)
    return flag(f"({used}) < {_integer(standard, 'digital_services', 'min_services')}")


# How the phone judges each indicator, by code; the rule kind the standard names must be the one
# the expression implements (checked below), so a changed rule is never judged the old way.
Judge = Callable[[Standard], str]
HOUSEHOLD_INDICATORS: dict[str, tuple[str, Judge]] = {
    "employment": ("member_work", lambda s: flag("sum(${m_d_employment}) > 0")),
    "dependants": ("dependants", _too_many_dependants),
    "nutrition": ("malnourished_child", lambda s: flag("sum(${m_d_nutrition}) > 0")),
    "health_insurance": ("no_health_insurance", lambda s: flag("sum(${m_d_health_insurance}) > 0")),
    "adult_education": ("adult_education", lambda s: flag("sum(${m_d_adult_education}) > 0")),
    "child_schooling": ("child_not_in_school", lambda s: flag("sum(${m_d_child_schooling}) > 0")),
    "housing_quality": ("non_durable_house", _housing_quality),
    "floor_area": ("floor_area_per_person", _floor_area),
    "water_source": (
        "unsafe_water",
        lambda s: _not_one_of(s, "water_source", "water_source", "safe_sources"),
    ),
    "latrine": (
        "unhygienic_latrine",
        lambda s: _not_one_of(s, "latrine", "latrine", "hygienic_latrines"),
    ),
    "internet": ("no_internet", lambda s: flag("${uses_internet} = 'no'")),
    "information_means": ("no_information_means", _information_means),
    "digital_services": ("few_digital_services", _digital_services),
    "internet_access": (
        "no_internet_access",
        lambda s: _not_one_of(s, "internet_access", "internet_access", "connected"),
    ),
    "waste_treatment": (
        "untreated_waste",
        lambda s: _not_one_of(s, "waste_treatment", "waste_treatment", "treated"),
    ),
}
# Every indicator of any standard of the form: the oldest standard's in its order, then the ones
# the newer standards added (the d_<code> of an indicator the list year's standard lacks is '').
INDICATOR_CODES: tuple[str, ...] = tuple(
    dict.fromkeys(i.code for s in FORM_STANDARDS for i in s.indicators)
)
for _standard in FORM_STANDARDS:
    for _indicator in _standard.indicators:
        _rule = HOUSEHOLD_INDICATORS.get(_indicator.code, ("", None))[0]
        if _rule != _indicator.rule:
            raise ValueError(
                f"{_standard.code}: {_indicator.code} is judged by {_indicator.rule!r}, "
                f"the form implements {_rule or 'nothing'!r}"
            )


def _indicator(code: str) -> str:
    judge = HOUSEHOLD_INDICATORS[code][1]
    return by_standard(lambda s: judge(s) if _has(s, code) else None)


def _member_part(code: str, part: Judge) -> str:
    """A member's share of an indicator; 0 under a standard without the indicator."""
    return by_standard(lambda s: part(s) if _has(s, code) else None, otherwise="0")


# ---------------------------------------------------------------------------------------------
# The scoring method (Phiếu B): the tables of the standards that have one, asked instead of the
# income where the commune scores (server/domain/scoring.py; the points are the tables' own).

SCORED = f"${{income_method}} = '{SCORING_METHOD}'"


def _tables(standard: Standard) -> tuple[ScoreTable, ...]:
    if standard.scoring is None:
        return ()
    return tuple(scoring_table(standard.scoring, urban=urban) for urban in (False, True))


SCORE_TABLES: tuple[ScoreTable, ...] = tuple(
    {table.code: table for s in FORM_STANDARDS for table in _tables(s)}.values()
)
_SCORING_STANDARDS = [s for s in FORM_STANDARDS if s.scoring is not None]


def _scoring_offered() -> str:
    """Relevance of the method question: the list year's standard has a scoring method."""
    if not _SCORING_STANDARDS:
        raise ValueError("no standard of the form has a scoring method: drop the question")
    if len(_SCORING_STANDARDS) == len(FORM_STANDARDS):
        return ""
    return " or ".join(_is(standard) for standard in _SCORING_STANDARDS)


def _by_scoring(expression: Callable[[Standard], str]) -> str:
    return by_standard(lambda s: expression(s) if s.scoring is not None else None)


def _table_choice(standard: Standard) -> str:
    assert standard.scoring is not None
    rules = standard.scoring
    return f"if(${{urban}} = 1, '{rules.urban_table}', '{rules.rural_table}')"


def _cutoff(standard: Standard) -> str:
    assert standard.scoring is not None
    return f"if(${{urban}} = 1, {standard.scoring.urban_cutoff}, {standard.scoring.rural_cutoff})"


def _score_of(table: ScoreTable) -> str:
    return " + ".join(
        "("
        + " + ".join(
            f"if(${{{table.field(item)}}} = '{answer.code}', {answer.points}, 0)"
            for answer in item.answers
            if answer.points != 0
        )
        + ")"
        for item in table.items
        if any(answer.points != 0 for answer in item.answers)
    )


def _score_a() -> str:
    chosen = "''"
    for table in reversed(SCORE_TABLES):
        chosen = f"if(${{score_table}} = '{table.code}', {_score_of(table)}, {chosen})"
    return f"if({SCORED}, {chosen}, '')"


def _score_group(table: ScoreTable) -> Rows:
    questions = tuple(
        Row(
            f"select_one {table.field(item)}",
            table.field(item),
            (item.label_vi, item.label_en),
            required=True,
        )
        for item in table.items
    )
    return group(
        f"score_{table.code}",
        (f"Phiếu B — {table.caption('vi')}", f"Form B — {table.caption('en')}"),
        *questions,
        relevant=f"{SCORED} and ${{score_table}} = '{table.code}'",
        appearance="",
    )


SCORE_CHOICES: dict[str, tuple[Choice, ...]] = {
    table.field(item): tuple((a.code, a.label_vi, a.label_en) for a in item.answers)
    for table in SCORE_TABLES
    for item in table.items
}
SCORE_GROUPS: Rows = flatten(*(_score_group(table) for table in SCORE_TABLES))
SCORE_CALCULATIONS: Rows = (
    calc("score_table", _by_scoring(_table_choice)),
    calc("score_a", _score_a()),
    calc("score_cutoff", _by_scoring(_cutoff)),
    calc(
        "score_b",
        _by_scoring(
            lambda s: (
                f"${{deficiency_count}} * {s.scoring.points_per_deficiency}" if s.scoring else "''"
            )
        ),
    ),
)


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
            "Năm sinh từ 1900 đến năm của danh sách (${review_year}).",
            "Year of birth from 1900 to the year of the list (${review_year}).",
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
        relevant=by_standard(_school_ages),
        appearance="columns",
    ),
    Row(
        "select_one education",
        "m_education",
        ("Đã học xong bậc nào?", "Highest level finished"),
        hint=("Bậc cao nhất đã tốt nghiệp.", "The highest level completed."),
        required=True,
        relevant=by_standard(_working_age),
        appearance="minimal",
    ),
    Row(
        "select_one work",
        "m_work",
        ("Việc làm chính", "Main work"),
        required=True,
        relevant=by_standard(_working_age),
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
        relevant=by_standard(_nutrition_ages),
        appearance="columns",
    ),
    # Per-member parts of the indicators (1/0). Each is gated on the same ages as the
    # questions it reads, so a stale answer to a question that is no longer asked never counts.
    calc("m_d_employment", _member_part("employment", _member_work)),
    calc("m_dependant", _member_part("dependants", _dependant)),
    calc(
        "m_d_nutrition",
        _member_part(
            "nutrition", lambda s: flag(f"{_nutrition_ages(s)} and ${{m_malnourished}} = 'yes'")
        ),
    ),
    calc("m_d_health_insurance", _member_part("health_insurance", _health_insurance)),
    calc("m_d_adult_education", _member_part("adult_education", _adult_education)),
    calc(
        "m_d_child_schooling",
        _member_part(
            "child_schooling",
            lambda s: flag(f"{_ages(s, 'child_schooling')} and ${{m_in_school}} = 'no'"),
        ),
    ),
)


def _class_expression() -> str:
    """poor / near_poor / middle / not_poor; income compared with line × members (no rounding)."""
    income, members = "${household_income_month}", "${n_members}"
    cut_off = by_standard(lambda s: str(s.deficiency_cutoff))
    deprived = f"if(${{deficiency_count}} >= {cut_off}, 'poor', 'near_poor')"
    # Scored: score A at or under the area's cut-off, then the deficiencies decide (no middle
    # band: the score says nothing about income above the cut-off).
    by_score = (
        f"if(${{score_a}} = '' or {members} = 0 or {STANDARD_CODE} = '', '', "
        f"if(${{score_a}} <= ${{score_cutoff}}, {deprived}, 'not_poor'))"
    )
    by_income = (
        f"if({income} = '' or {members} = 0 or {STANDARD_CODE} = '', '', "
        f"if({income} <= ${{poverty_line}} * {members}, {deprived}, "
        f"if({income} <= ${{middle_line}} * {members}, 'middle', 'not_poor')))"
    )
    return f"if({SCORED}, {by_score}, {by_income})"


def _class_label(language: int) -> str:
    label = "''"
    for value, *names in reversed(CLASSES):
        label = f"if(${{provisional_class}} = '{value}', '{names[language]}', {label})"
    return label


def _deficient_list(language: int) -> str:
    """Names of the deficient indicators, comma separated; 'none' when there are none."""
    parts = ", ".join(
        f"if(${{d_{code}}} = 1, ', {INDICATOR_LABELS[code][language]}', '')"
        for code in INDICATOR_CODES
    )
    none = ("không có", "none")[language]
    return f"if(${{deficiency_count}} = 0, '{none}', substr(concat({parts}), 2))"


def _line(name: str) -> Callable[[Standard], str]:
    def line(standard: Standard) -> str:
        urban, rural = getattr(standard.urban, name), getattr(standard.rural, name)
        return f"if(${{urban}} = 1, {urban}, {rural})"

    return line


INDICATOR_CALCULATIONS: Rows = (
    calc("n_members", "count(${member})"),
    # A household is deficient when one member is (sum of the members' 1/0 > 0).
    *(calc(f"d_{code}", _indicator(code)) for code in INDICATOR_CODES),
    calc(
        "deficiency_count",
        by_standard(lambda s: " + ".join(f"${{d_{i.code}}}" for i in s.indicators)),
    ),
    calc("indicator_total", by_standard(lambda s: str(len(s.indicators)))),
    calc(
        "income_per_person",
        "if(${household_income_month} = '' or ${n_members} = 0, '',"
        " round(${household_income_month} div ${n_members}, 0))",
    ),
    calc("urban", "instance('villages')/root/item[name=${village}]/urban"),
    calc("poverty_line", by_standard(_line("poverty"))),
    calc("middle_line", by_standard(_line("middle"))),
    *SCORE_CALCULATIONS,
    calc("provisional_class", _class_expression()),
    calc("class_label_vi", _class_label(0)),
    calc("class_label_en", _class_label(1)),
    calc("deficient_vi", _deficient_list(0)),
    calc("deficient_en", _deficient_list(1)),
)


def _grouped(field: str, separator: str) -> str:
    """The whole number in ${field} with its thousands grouped (2.250.000 in Vietnamese,
    2,250,000 in English), for a note: XPath has no format-number, so it is cut with substr
    (0-based, end excluded); up to 999 billion, far beyond any household's income."""
    text, length = f"string(${{{field}}})", f"string-length(string(${{{field}}}))"

    def groups(count: int) -> str:
        # The leading digits, then `count` groups of three, each after a separator.
        head = f"substr({text}, 0, {length} - {3 * count})"
        tail = ", ".join(
            f"'{separator}', substr({text}, {length} - {3 * n}, {length} - {3 * (n - 1)})"
            for n in range(count, 0, -1)
        )
        return f"concat({head}, {tail})"

    return (
        f"if(${{{field}}} = '', '', "
        f"if({length} > 9, {groups(3)}, "
        f"if({length} > 6, {groups(2)}, "
        f"if({length} > 3, {groups(1)}, {text}))))"
    )


# What the notes and hints show: incomes grouped, and a household code as it is typed (the
# village is asked first; before it is chosen, the code of a real village stands in).
NOTE_CALCULATIONS: Rows = (
    CODE_EXAMPLE,
    calc("income_month_vi", _grouped("household_income_month", ".")),
    calc("income_month_en", _grouped("household_income_month", ",")),
    calc("income_per_person_vi", _grouped("income_per_person", ".")),
    calc("income_per_person_en", _grouped("income_per_person", ",")),
)

# One fact a line: a blank line between them, as Markdown joins lines that follow each other;
# every line ends in the form's own text (a full stop at least), because the web form drops a
# line break that comes straight after a ${…} value and would run two facts together.
# The note shows only once there is a class to show (income and members answered); until then
# a short note says what it waits for.
RESULT_NOTE = Row(
    "note",
    "result",
    (
        "**Kết quả tạm tính** (xã sẽ xét lại)\n\n"
        "Danh sách năm ${review_year}: ${standard_caption_vi}.\n\n"
        "Thu nhập của hộ: ${income_month_vi} đồng/tháng.\n\n"
        "Thu nhập bình quân: ${income_per_person_vi} đồng/người/tháng.\n\n"
        "Số chỉ số thiếu hụt: **${deficiency_count}** trên ${indicator_total} chỉ số.\n\n"
        "Thiếu hụt: ${deficient_vi}.\n\n"
        "Phân loại tạm: **${class_label_vi}**.\n\n"
        "Nếu thấy chưa đúng, quay lại sửa trước khi gửi.",
        "**Provisional result** (the commune reviews it)\n\n"
        "List of ${review_year}: ${standard_caption_en}.\n\n"
        "Household income: ${income_month_en} VND/month.\n\n"
        "Income per person: ${income_per_person_en} VND/month.\n\n"
        "Deficient indicators: **${deficiency_count}** of ${indicator_total}.\n\n"
        "Deficient in: ${deficient_en}.\n\n"
        "Provisional class: **${class_label_en}**.\n\n"
        "If something looks wrong, go back and correct it before sending.",
    ),
    relevant=f"${{provisional_class}} != '' and not({SCORED})",
)
RESULT_SCORE_NOTE = Row(
    "note",
    "result_score",
    (
        "**Kết quả tạm tính theo Phiếu B** (xã sẽ xét lại)\n\n"
        "Danh sách năm ${review_year}: ${standard_caption_vi}.\n\n"
        "Điểm A (thu nhập ước tính): **${score_a}** điểm; ngưỡng ${score_cutoff} điểm.\n\n"
        "Điểm B (thiếu hụt): **${score_b}** điểm, ${deficiency_count} trên "
        "${indicator_total} chỉ số.\n\n"
        "Thiếu hụt: ${deficient_vi}.\n\n"
        "Phân loại tạm: **${class_label_vi}**.\n\n"
        "Nếu thấy chưa đúng, quay lại sửa trước khi gửi.",
        "**Provisional result by Form B** (the commune reviews it)\n\n"
        "List of ${review_year}: ${standard_caption_en}.\n\n"
        "Score A (income proxy): **${score_a}** points; cut-off ${score_cutoff} points.\n\n"
        "Score B (deficiencies): **${score_b}** points, ${deficiency_count} of "
        "${indicator_total} indicators.\n\n"
        "Deficient in: ${deficient_en}.\n\n"
        "Provisional class: **${class_label_en}**.\n\n"
        "If something looks wrong, go back and correct it before sending.",
    ),
    relevant=f"${{provisional_class}} != '' and {SCORED}",
)
RESULT_PENDING_NOTE = Row(
    "note",
    "result_pending",
    (
        "Kết quả tạm tính hiện ở đây khi đã nhập các thành viên và thu nhập của hộ.",
        "The provisional result shows here once the members and the household income are in.",
    ),
    relevant="${provisional_class} = ''",
)

# The review year: the list year, and the standard it brings, shown as soon as it is entered.
LIST_YEAR_ROWS: Rows = (
    Row(
        "integer",
        "review_year",
        ("Năm của danh sách hộ nghèo, hộ cận nghèo", "Year of the poor and near-poor list"),
        hint=(
            f"Rà soát định kỳ cuối năm {LIST_YEAR - 1} lập danh sách năm {LIST_YEAR}: để "
            f"nguyên {LIST_YEAR}. Sửa phiếu của danh sách cũ ({FIRST_LIST_YEAR}–"
            f"{LIST_YEAR - 1}): nhập năm đó, phiếu sẽ hỏi theo chuẩn nghèo của năm đó.",
            f"The periodic review of late {LIST_YEAR - 1} makes the {LIST_YEAR} list: leave "
            f"{LIST_YEAR}. To correct a record of an earlier list ({FIRST_LIST_YEAR}–"
            f"{LIST_YEAR - 1}), enter its year; the form then asks by that year's standard.",
        ),
        required=True,
        default=str(LIST_YEAR),
        constraint=f". >= {FIRST_LIST_YEAR} and . <= {LIST_YEAR}",
        message=(
            f"Năm của danh sách từ {FIRST_LIST_YEAR} đến {LIST_YEAR}.",
            f"The year of the list is from {FIRST_LIST_YEAR} to {LIST_YEAR}.",
        ),
    ),
    calc("standard_code", _standard_choice()),
    calc("standard_caption_vi", by_standard(lambda s: _caption_of(s, "vi"))),
    calc("standard_caption_en", by_standard(lambda s: _caption_of(s, "en"))),
    Row(
        "note",
        "standard_note",
        ("Chuẩn áp dụng: ${standard_caption_vi}", "Standard applied: ${standard_caption_en}"),
        relevant=f"{STANDARD_CODE} != ''",
    ),
)

HOUSEHOLD_SURVEY = Form(
    form_id="household_survey",
    title=f"Rà soát hộ nghèo, hộ cận nghèo — danh sách năm {LIST_YEAR}",
    instance_name="concat(${household_code}, ' ', ${head_name})",
    version=VERSION,
    choices={**HOUSEHOLD_CHOICES, **SCORE_CHOICES},
    survey=flatten(
        Row("start", "start"),
        Row("end", "end"),
        Row("deviceid", "deviceid"),
        group(
            "area",
            ("Địa bàn", "Place"),
            LIST_YEAR_ROWS,
            *PLACE_ROWS,
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
                "select_one income_method",
                "income_method",
                ("Cách xác định thu nhập", "How the income is found"),
                hint=(
                    "Chỉ chọn chấm điểm nếu xã rà soát bằng Phiếu B.",
                    "Choose scoring only where the commune reviews with Form B.",
                ),
                required=True,
                default="direct",
                relevant=_scoring_offered(),
                # The income's own check on the members is not asked when the household is
                # scored, so the method insists on at least one member too.
                constraint=f"not({SCORED}) or count(${{member}}) >= 1",
                message=(
                    "Hộ phải có ít nhất 1 thành viên.",
                    "The household needs at least 1 member.",
                ),
            ),
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
                relevant=f"not({SCORED})",
            ),
        ),
        SCORE_GROUPS,
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
            ("Nước sinh hoạt, nhà tiêu, rác thải", "Water, sanitation and waste"),
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
            Row(
                "select_one waste_treatment",
                "waste_treatment",
                (
                    "Rác thải sinh hoạt của hộ thường được xử lý thế nào?",
                    "How is the household's rubbish usually handled?",
                ),
                required=True,
                relevant=asked_for("untreated_waste"),
            ),
            appearance="",
        ),
        group(
            "information",
            ("Thông tin, internet, dịch vụ số", "Information, internet, digital services"),
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
                relevant=asked_for("no_internet"),
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
                relevant=asked_for("no_information_means"),
            ),
            Row(
                "select_one yes_no",
                "hears_loudspeaker",
                (
                    "Ở nhà có nghe được loa của thôn, xã không?",
                    "Can the village loudspeaker be heard at home?",
                ),
                required=True,
                relevant=asked_for("no_information_means"),
                appearance="columns",
            ),
            Row(
                "select_one internet_access",
                "internet_access",
                (
                    "Hộ có vào được internet không, bằng cách nào?",
                    "Can the household go online, and how?",
                ),
                hint=("Chọn cách tốt nhất hộ đang có.", "Pick the best way the household has."),
                required=True,
                relevant=asked_for("no_internet_access"),
            ),
            Row(
                "select_multiple digital_service",
                "digital_services",
                (
                    "Trong 12 tháng qua, người trong hộ có dùng dịch vụ nào sau đây trên điện "
                    "thoại hoặc máy tính không?",
                    "In the last 12 months, did anyone in the household use any of these "
                    "services on a phone or computer?",
                ),
                hint=(
                    "Chọn tất cả. Nếu không dùng dịch vụ nào, chọn «Không dùng dịch vụ nào».",
                    "Tick all. If none, tick 'None of these'.",
                ),
                required=True,
                relevant=asked_for("few_digital_services"),
                constraint="not(selected(., 'none')) or count-selected(.) = 1",
                message=(
                    "«Không dùng dịch vụ nào» không chọn cùng với dịch vụ khác.",
                    "'None of these' cannot be ticked with a service.",
                ),
            ),
        ),
        INDICATOR_CALCULATIONS,
        NOTE_CALCULATIONS,
        group(
            "finish",
            ("Kết thúc", "Finish"),
            RESULT_PENDING_NOTE,
            RESULT_NOTE,
            RESULT_SCORE_NOTE,
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
