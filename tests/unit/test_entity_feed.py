"""The household dataset's pure parts: the uuid a household is known by, and Central's entity
`$filter` members read through the Submissions grammar."""

from __future__ import annotations

import uuid

import pytest

from server.errors import UnsupportedFilterField
from server.formats.entity_feed import household_id_of, household_uuid
from server.services.household_entities import as_feed_grammar


def test_a_household_s_uuid_is_a_version_4_uuid_that_names_its_id_again() -> None:
    for household_id in (1, 4095, 2**31 - 1):
        text = household_uuid(household_id)
        assert uuid.UUID(text).version == 4
        assert household_id_of(text) == household_id
        assert household_id_of(f"uuid:{text.upper()}") == household_id
    assert household_id_of(str(uuid.uuid4())) is None
    assert household_id_of("not-a-uuid") is None
    assert household_id_of("5b0d3c1a-6e2f-4a7b-9c8d-ffffffffffff") is None  # no registry id


def test_entity_members_become_the_grammar_s_and_quoted_text_stays_as_written() -> None:
    text = "__system/createdAt gt 2026-01-01 and __id eq '__system/createdAt'"
    assert as_feed_grammar(text) == (
        "__system/submissionDate gt 2026-01-01 and __id eq '__system/createdAt'"
    )


@pytest.mark.parametrize("member", ["__system/reviewState", "__system/deletedAt", "$root/x"])
def test_a_member_the_dataset_does_not_filter_by_is_refused_by_name(member: str) -> None:
    with pytest.raises(UnsupportedFilterField) as refused:
        as_feed_grammar(f"{member} eq null")
    assert member in str(refused.value)
