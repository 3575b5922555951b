"""Each kind of audit event is read back from how the code writes it into a sentence key and
the parts the sentence names (services/audit_log.describe); an unknown shape keeps its text."""

from __future__ import annotations

from datetime import UTC, datetime

from server.services.audit_log import describe
from server.storage.audit_log import LoggedEvent


def event(action: str, target: str, details: str | None = None) -> LoggedEvent:
    return LoggedEvent(datetime(2026, 12, 4, tzinfo=UTC), action, target, details, None, None)


def test_a_list_download_names_its_kind_area_and_period() -> None:
    found = describe(event("download", "list deficiencies (download)", "area=19603&period=2026"))
    assert found.sentence == "list_download"
    assert found.parts == {"kind": "deficiencies", "area": "19603", "period": "2026"}
    opened = describe(event("download", "list exited (view)", "area=468"))
    assert (opened.sentence, opened.parts["period"]) == ("list_view", "")


def test_records_and_their_files_are_named_by_form_and_record() -> None:
    view = describe(event("download", "submission household_survey uuid:1 (view)"))
    assert (view.sentence, view.parts["record"]) == ("record_view", "uuid:1")
    file = describe(event("download", "submission household_survey uuid:1 file anh nha.jpg"))
    assert (file.sentence, file.parts["file"]) == ("record_file", "anh nha.jpg")
    listed = describe(event("download", "submissions (list)"))
    assert listed.sentence == "submissions_all"
    one = describe(event("download", "submissions followup_visit (list)"))
    assert (one.sentence, one.parts["form"]) == ("submissions_form", "followup_visit")


def test_changes_carry_their_area_period_form_and_person() -> None:
    households = describe(event("area.households", "area 19603 year 2026", "120 → 130"))
    assert households.parts == {"area": "19603", "period": "2026", "details": "120 → 130"}
    state = describe(event("form.state", "form household_survey", "open → closed"))
    assert (state.sentence, state.parts["form"]) == ("form_state", "household_survey")
    draft = describe(event("form.draft", "form household_survey version 2026120401", "x"))
    assert draft.parts["version"] == "2026120401"
    moved = describe(event("user.move", "a@b.vn", "19603 → 19612"))
    assert (moved.sentence, moved.parts["target"]) == ("user_move", "a@b.vn")


def test_the_support_plan_s_changes_name_their_area_period_and_what_changed() -> None:
    bulk = describe(event("plan_items_created", "plan 19603 2026", "12 items: health_insurance"))
    assert (bulk.sentence, bulk.parts["area"], bulk.parts["period"]) == (
        "plan_items_created",
        "19603",
        "2026",
    )
    imported = describe(event("plan_imported", "plan 468 2027", "30 rows"))
    assert imported.parts == {"area": "468", "period": "2027", "details": "30 rows"}
    item = describe(event("plan_item_changed", "plan item 7", "planned → delivered 2027-03-01"))
    assert (item.sentence, item.parts["target"]) == ("plan_item_changed", "plan item 7")
    added = describe(event("organisation_created", "organisation 3", "Hội Phụ nữ xã"))
    assert (added.sentence, added.parts["details"]) == ("organisation_created", "Hội Phụ nữ xã")


def test_a_commendation_names_its_household_and_year() -> None:
    found = describe(event("commendation_declined", "household 1960301-002 2026", "chưa ổn định"))
    assert (found.sentence, found.parts["household"], found.parts["period"]) == (
        "commendation_declined",
        "1960301-002",
        "2026",
    )
    assert found.parts["details"] == "chưa ổn định"
    dialogue = describe(event("dialogue_recorded", "dialogue 3", "19603 2026-11-20: 2 items"))
    assert (dialogue.sentence, dialogue.parts["details"]) == (
        "dialogue_recorded",
        "19603 2026-11-20: 2 items",
    )


def test_an_event_of_an_unknown_shape_keeps_its_text() -> None:
    found = describe(event("download", "something new"))
    assert (found.sentence, found.parts["target"]) == ("other", "something new")
