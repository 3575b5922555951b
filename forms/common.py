"""What both shipped forms share: the build version, the list years and their poverty standards,
and the choice lists both ask with.

The standards are the ones the server classifies with (`server/domain/data/standards/`), read
through the domain's own loader, so the thresholds a form calculates with on the phone are
never a second copy of the decree's numbers.

The survey's `review_year` is the year of the list the review makes (`server/domain/periods.py`):
the periodic review of late 2026 makes the 2027 list, classified under NĐ 351/2025. Records of
the earlier lists (2022–2026, NĐ 07/2021) can still be corrected with the same form: its
questions and calculations follow the standard of the list year entered.
"""

from __future__ import annotations

from forms.xlsform_builder import Choice, Row, Rows, calc
from server.domain.standards import Standard, standard_for_year

VERSION = "2026120404"  # yyyymmddNN: raise it on every change of any form
LIST_YEAR = 2027  # the list the review now under way makes: the survey's default review_year
FIRST_LIST_YEAR = 2022  # the oldest list a record can still be corrected for (NĐ 07's first)
MAX_INCOME = 1_000_000_000  # a household's monthly income is below this


def _standards_of(first: int, last: int) -> tuple[Standard, ...]:
    by_code: dict[str, Standard] = {}
    for year in range(first, last + 1):
        standard = standard_for_year(year)
        by_code.setdefault(standard.code, standard)
    return tuple(by_code.values())


# The standards of the lists the survey accepts, oldest first: NĐ 07/2021, NĐ 351/2025.
FORM_STANDARDS = _standards_of(FIRST_LIST_YEAR, LIST_YEAR)
STANDARD = standard_for_year(LIST_YEAR)  # the standard of the default list year

YES_NO: tuple[Choice, ...] = (("yes", "Có", "Yes"), ("no", "Không", "No"))

# The 12 indicators of NĐ 07/2021, in the order of the decree (README "Indicators"); the
# labels are the form's own, shorter than the standard's names. The follow-up visit re-checks
# these.
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
ND07 = standard_for_year(FIRST_LIST_YEAR)
if tuple(code for code, _, _ in INDICATORS) != tuple(i.code for i in ND07.indicators):
    raise ValueError(f"the forms' indicators are not those of {ND07.code}, in its order")

# The indicators NĐ 351/2025 added (README "Indicators of NĐ 351/2025"), with the form's labels.
NEW_INDICATORS: tuple[Choice, ...] = (
    ("digital_services", "Sử dụng dịch vụ số", "Use of digital services"),
    ("internet_access", "Tiếp cận internet", "Internet access"),
    ("waste_treatment", "Xử lý rác thải sinh hoạt", "Household waste treatment"),
)
INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    code: (vi, en) for code, vi, en in (*INDICATORS, *NEW_INDICATORS)
}
for _standard in FORM_STANDARDS:
    _unlabelled = [i.code for i in _standard.indicators if i.code not in INDICATOR_LABELS]
    if _unlabelled:
        raise ValueError(f"{_standard.code}: the forms have no label for {_unlabelled}")

# Where a household lives, as the survey and the screening ask it: the phone's own communes and
# villages (generated per phone, forms/README.md), and the household code that starts with the
# village code. `CODE_EXAMPLE` is the example the code's hint shows (before a village is chosen,
# the code of a real village stands in).
PLACE_ROWS: Rows = (
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
            "Mã thôn, dấu gạch ngang, rồi số thứ tự hộ (1 đến 4 chữ số). Ví dụ: ${code_example}",
            "Village code, a dash, then the household number (1 to 4 digits). "
            "Example: ${code_example}",
        ),
        required=True,
        constraint=("regex(., '^[0-9]+-[0-9]{1,4}$') and starts-with(., concat(${village}, '-'))"),
        message=(
            "Mã hộ phải bắt đầu bằng mã thôn ${village}, dấu gạch ngang, "
            "rồi 1 đến 4 chữ số. Ví dụ: ${village}-012",
            "The code starts with the village code ${village}, a dash, "
            "then 1 to 4 digits. Example: ${village}-012",
        ),
    ),
)
CODE_EXAMPLE = calc(
    "code_example", "if(${village} = '', '1960301-012', concat(${village}, '-012'))"
)
