"""One submission as an officer reads it: its answers labelled in the chosen language (places by
their names from the area tree, never their codes), the server's classification beside the
phone's own calculation, the versions it went through (edits on the phone), its files and the
officers' comments.

Opening a record is reading personal data, so it is written to the audit log; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from server.domain.standards import load_standards, standard_for_year
from server.domain.vocabulary import AreaHold, ReviewState
from server.errors import RasoatError
from server.formats.answer_sheet import (
    FileNames,
    Item,
    answer_sheet,
    file_choice_values,
    labelled_issues,
)
from server.formats.household import read_phone_view
from server.formats.instance import parse_xml
from server.formats.xform_outline import Outline
from server.services.action_lists import CLASS_NAMES
from server.services.submission_review import (
    Reader,
    Visible,
    form_outline,
    media_type,
    target_of,
    visible_submission,
)
from server.storage import accounts as audit
from server.storage import submission_review as queries
from server.storage.areas import find_area, find_area_by_code
from server.storage.forms import find_version_by_id
from server.storage.models import Area, HouseholdReview, SubmissionVersion
from server.storage.registry import deficiencies_of, review_of_submission
from server.storage.submissions import attachments_of, current_hold


@dataclass(frozen=True)
class VersionRow:
    id: int
    instance_id: str
    received_at: datetime
    submitted_by: str | None
    device_id: str | None
    current: bool


@dataclass(frozen=True)
class FileRow:
    name: str
    media_type: str
    arrived: bool


@dataclass(frozen=True)
class CommentRow:
    author: str
    at: datetime
    state: ReviewState | None
    body: str


@dataclass(frozen=True)
class Comparison:
    """One thing both the server and the phone work out: the server's value, the phone's (as
    it showed the cadre), and whether the server found them different."""

    what: str
    server: str
    phone: str
    differs: bool


@dataclass(frozen=True)
class Classification:
    """The server's classification of the record (the registry's, under the standard of its
    list year) next to the phone's provisional one; `rows` start with the class."""

    period: int
    server_class: str
    deficient: tuple[str, ...]  # the server's deficient indicators, by name
    rows: tuple[Comparison, ...]

    @property
    def disagrees(self) -> bool:
        return any(row.differs for row in self.rows)

    @property
    def phone_calculated(self) -> bool:
        """Whether the phone sent any of its own results (an old form version may not)."""
        return any(row.phone != _NOT_SENT for row in self.rows)


# Files whose choices are places of the area tree: the page names them from the tree.
AREA_FILES = ("communes.csv", "villages.csv")
_NOT_SENT = "—"


@dataclass(frozen=True)
class SubmissionPage:
    xml_form_id: str
    form_title: str
    instance_id: str
    instance_name: str | None
    review_state: ReviewState
    issues: str | None
    village: str | None
    commune: str | None
    # Set when the current version names a place outside its sender's area: held (an officer
    # may apply or reject it), applied or rejected; with the sender's area.
    hold: AreaHold | None
    sender_area: str | None
    household_code: str | None
    head_name: str | None
    shown: VersionRow
    sheet: tuple[Item, ...]
    versions: tuple[VersionRow, ...]
    files: tuple[FileRow, ...]
    comments: tuple[CommentRow, ...]
    # None: not a household review, or the server kept it out of the registry (see issues).
    classification: Classification | None = None


def _version_rows(
    session: Session, submission_id: int
) -> list[tuple[SubmissionVersion, VersionRow]]:
    return [
        (v, VersionRow(v.id, v.instance_id, v.received_at, name, v.device_id, v.current))
        for v, name in queries.versions_of(session, submission_id)
    ]


def _comments(session: Session, submission_id: int) -> tuple[CommentRow, ...]:
    return tuple(
        CommentRow(author, c.at, ReviewState(c.review_state) if c.review_state else None, c.body)
        for c, author in queries.comments_of(session, submission_id)
    )


def _in(language: str, vi: str, en: str) -> str:
    return vi if language == "vi" else en


def _class_name(value: str | None, language: str) -> str:
    if not value:
        return _NOT_SENT
    names = CLASS_NAMES.get(value)
    return (names[0] if language == "vi" else names[1]) if names else value


def _flag(value: str | None, language: str) -> str:
    if value in (None, ""):
        return _NOT_SENT
    deficient = value in ("1", True)
    return _in(language, "Thiếu hụt", "Deficient") if deficient else _in(language, "Không", "No")


def _standard_words(code: str | None, period: int, language: str) -> str:
    """A standard by its caption for the period, as the tables name it; an unknown code as
    it was sent (it is what the phone had)."""
    if not code:
        return ""
    known = {s.code: s for s in load_standards()}
    return known[code].caption_for(period, language) if code in known else code


def _classification(
    session: Session, review: HouseholdReview, root: Element, language: str
) -> Classification:
    """The server's derivation beside the phone's; a row differs where the server recorded a
    disagreement when it classified the record (registry._disagreement)."""
    standard = standard_for_year(review.period)
    phone = read_phone_view(root, tuple(i.code for i in standard.indicators))
    differing = {
        part.split(":", 1)[0].strip() for part in (review.phone_disagreement or "").split(";")
    }
    deficient = deficiencies_of(session, review.id)

    def row(name: str, what: str, ours: str, theirs: str) -> Comparison:
        return Comparison(what, ours, theirs, name in differing)

    rows = [
        row(
            "provisional_class",
            _in(language, "Phân loại", "Class"),
            _class_name(review.household_class, language),
            _class_name(phone.get("provisional_class"), language),
        ),
        row(
            "deficiency_count",
            _in(language, "Số chỉ số thiếu hụt", "Deficient indicators"),
            str(review.deficiency_count),
            phone.get("deficiency_count") or _NOT_SENT,
        ),
        row(
            "standard_code",
            _in(language, "Chuẩn áp dụng", "Standard applied"),
            _standard_words(review.standard_code, review.period, language),
            _standard_words(phone.get("standard_code"), review.period, language) or _NOT_SENT,
        ),
    ]
    names = {i.code: _in(language, i.name_vi, i.name_en) for i in standard.indicators}
    for code, name in names.items():
        ours = "1" if code in deficient else "0"
        rows.append(
            row(f"d_{code}", name, _flag(ours, language), _flag(phone.get(f"d_{code}"), language))
        )
    return Classification(
        period=review.period,
        server_class=_class_name(review.household_class, language),
        deficient=tuple(name for code, name in names.items() if code in deficient),
        rows=tuple(rows),
    )


def _place_names(session: Session, outline: Outline, root: Element) -> FileNames:
    """The names of the communes and villages the record answers, from the area tree."""
    found = file_choice_values(outline, root)
    names: dict[str, dict[str, str]] = {}
    for file in AREA_FILES:
        for code in found.get(file, set()):
            area = find_area_by_code(session, code)
            if area is not None:
                names.setdefault(file, {})[code] = area.name
    return names


def _commune(session: Session, village: Area | None) -> str | None:
    parent = find_area(session, village.parent_id) if village and village.parent_id else None
    return parent.name if parent else None


def _page(
    session: Session, visible: Visible, version_id: int | None, language: str
) -> SubmissionPage:
    submission, placement = visible.submission, visible.placement
    versions = _version_rows(session, submission.id)
    current = next((pair for pair in versions if pair[0].current), versions[-1])
    stored, shown = next((pair for pair in versions if pair[0].id == version_id), current)
    form_version = find_version_by_id(session, stored.form_version_id)
    sheet: tuple[Item, ...] = ()
    root = parse_xml(stored.xml)
    issues = submission.issues
    if form_version is not None:
        outline = form_outline(form_version.xform)
        sheet = answer_sheet(outline, root, language, _place_names(session, outline, root))
        issues = labelled_issues(issues, outline) if issues else issues
    review = review_of_submission(session, submission.id)
    classification = None
    if review is not None:
        try:
            classification = _classification(session, review, root, language)
        except RasoatError:  # a list year no standard covers any more: shown without it
            classification = None
    files = tuple(
        FileRow(a.name, media_type(a.content_type, a.name), a.blob_sha256 is not None)
        for a in attachments_of(session, stored.id)
    )
    household = placement.household
    held = current_hold(session, submission.id)
    return SubmissionPage(
        xml_form_id=visible.form.xml_form_id,
        form_title=visible.form.title,
        instance_id=submission.instance_id,
        instance_name=stored.instance_name,
        review_state=ReviewState(submission.review_state),
        issues=issues,
        village=placement.village.name if placement.village else None,
        commune=_commune(session, placement.village),
        hold=held.hold if held else None,
        sender_area=held.sender_area.name if held and held.sender_area else None,
        household_code=household.code if household else None,
        head_name=household.head_name if household else None,
        shown=shown,
        sheet=sheet,
        versions=tuple(row for _, row in versions),
        files=files,
        comments=_comments(session, submission.id),
        classification=classification,
    )


def open_submission(
    session: Session,
    reader: Reader,
    address: tuple[str, str],
    version_id: int | None,
    language: str,
) -> SubmissionPage:
    """The record at (form id, instanceID) as `reader` may see it; raises NotFound/Forbidden."""
    visible = visible_submission(session, reader, *address)
    page = _page(session, visible, version_id, language)
    audit.record(session, reader.user.id, "download", f"{target_of(visible)} (view)")
    return page
