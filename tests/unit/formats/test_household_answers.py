"""Reading NĐ 351's answers out of a household_survey instance: asked or not asked."""

from __future__ import annotations

from server.formats.household import read_household_answers
from server.formats.instance import parse_xml
from tests.support.surveys import NEAR_POOR, survey


def test_nd351_answers_are_read_and_none_of_the_services_is_kept_as_an_answer() -> None:
    xml, _ = survey(
        NEAR_POOR,
        review_year=2027,
        internet_access="shared_public",
        digital_services="none",
        waste_treatment="burned",
    )
    answers = read_household_answers(parse_xml(xml))
    assert answers.review_year == 2027
    assert answers.internet_access == "shared_public"
    assert answers.digital_services == frozenset({"none"})
    assert answers.waste_treatment == "burned"


def test_a_record_of_an_earlier_list_has_no_nd351_answers_not_empty_ones() -> None:
    xml, _ = survey(NEAR_POOR)
    answers = read_household_answers(parse_xml(xml))
    assert (answers.internet_access, answers.digital_services, answers.waste_treatment) == (
        None,
        None,
        None,
    )
