"""followup_visit: a visit to a household that left poverty in the last 36 months.

The household is picked from the list the server sends (`followup_households.csv`); the cadre
records what changed since the last visit, the support the household has and needs, the
indicators it lacks now and the risk of falling back, judged by the standard's relapse rules.
The household's open support plan items (`plan_items.csv`, from the same list of households)
are shown for the cadre to tick what arrived, or what cannot be done and why; the server moves
those items on when the record arrives.
"""

from __future__ import annotations

from forms.common import INDICATORS, MAX_INCOME, STANDARD, VERSION, YES_NO
from forms.xlsform_builder import Choice, Form, Row, calc, flatten, group

# Deficient indicators at the re-check from which a household counts as at risk.
AT_RISK_DEFICIENCIES = STANDARD.relapse.min_deficiencies

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


# The items of the chosen household; "not possible" offers only those not ticked as delivered.
_OF_HOUSEHOLD = "household=${household}"
PLAN_ITEMS = group(
    "plan",
    ("Kế hoạch hỗ trợ của hộ", "The household's support plan"),
    calc("open_item_count", "count(instance('plan_items')/root/item[household=${household}])"),
    Row(
        "select_multiple_from_file plan_items.csv",
        "delivered_items",
        ("Những hỗ trợ nào hộ đã nhận được?", "Which supports has the household received?"),
        hint=(
            "Đánh dấu các khoản đã đến tay hộ. Bỏ trống nếu chưa có khoản nào.",
            "Tick the items that reached the household. Leave empty if none yet.",
        ),
        relevant="${open_item_count} > 0",
        choice_filter=_OF_HOUSEHOLD,
    ),
    Row(
        "select_multiple_from_file plan_items.csv",
        "impossible_items",
        ("Khoản nào không thực hiện được?", "Which items cannot be done?"),
        hint=("Không bắt buộc.", "Optional."),
        relevant="${open_item_count} > count-selected(${delivered_items})",
        choice_filter=f"{_OF_HOUSEHOLD} and not(selected(${{delivered_items}}, name))",
    ),
    Row(
        "text",
        "impossible_reason",
        ("Vì sao không thực hiện được?", "Why can they not be done?"),
        required=True,
        relevant="count-selected(${impossible_items}) > 0",
    ),
)


FOLLOWUP_VISIT = Form(
    form_id="followup_visit",
    title="Thăm hộ mới thoát nghèo",
    instance_name="concat(${household}, ' ', ${fh_head_name}, ' ', ${visit_date})",
    version=VERSION,
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
        PLAN_ITEMS,
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
                    f"Cao: thu nhập sát chuẩn nghèo, thiếu từ {AT_RISK_DEFICIENCIES} chỉ số trở lên"
                    " hoặc vừa gặp rủi ro.",
                    "Deficient in ${recheck_count} indicators, ${shock_count} kinds of shock. "
                    f"High: income close to the line, {AT_RISK_DEFICIENCIES} or more deficiencies,"
                    " or a recent shock.",
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
