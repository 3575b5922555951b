"""What both shipped forms share: the build version, the review year and its poverty standard,
and the choice lists both ask with.

The standard is the one the server classifies with (`server/domain/data/standards/`), read
through the domain's own loader, so the thresholds a form calculates with on the phone are
never a second copy of the decree's numbers.
"""

from __future__ import annotations

from forms.xlsform_builder import Choice
from server.domain.standards import standard_for_year

VERSION = "2026112602"  # yyyymmddNN: raise it on every change of any form
REVIEW_YEAR = 2026
STANDARD = standard_for_year(REVIEW_YEAR)  # NĐ 07/2021, which 2026 still uses
MAX_INCOME = 1_000_000_000  # a household's monthly income is below this

YES_NO: tuple[Choice, ...] = (("yes", "Có", "Yes"), ("no", "Không", "No"))

# The 12 indicators of NĐ 07/2021, in the order of the decree (README "Indicators"); the
# labels are the form's own, shorter than the standard's names.
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
if tuple(code for code, _, _ in INDICATORS) != tuple(i.code for i in STANDARD.indicators):
    raise ValueError(f"the forms' indicators are not those of {STANDARD.code}, in its order")
