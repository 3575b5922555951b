"""The tables. SQLAlchemy 2.0 typed models; relationships kept few and explicit.

Bytes that reach a phone or come from one (XForm, instance XML) are stored verbatim as
LargeBinary so that hashes and byte-for-byte comparisons stay exact.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import NO_VALUE, DeclarativeBase, Mapped, mapped_column

from server.domain.vocabulary import (
    AreaHold,
    CommendationState,
    FormState,
    OrganisationKind,
    PlanState,
    ReviewState,
    Role,
)

# Constraint names Alembic can find again on both databases (the migrations use them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The typed declarative base of every table; Flask-SQLAlchemy's `db.Model` is made from
    it (server/extensions.py), so both share one metadata and one registry."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def utcnow_ms() -> datetime:
    """Now to the millisecond: the precision the OData feed writes times in (as Central), so
    that a client filtering `gt` the newest time it was shown does not get that row again."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _enum(cls: type[enum.StrEnum]) -> Enum:
    # Stored as plain strings with a CHECK, identical on SQLite and PostgreSQL.
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Area(Base):
    """One administrative unit; `path` is the materialised path of ids ("/1/4/17/")."""

    __tablename__ = "area"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    path: Mapped[str] = mapped_column(String(500), index=True)
    urban: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class AreaHouseholds(Base):
    """Resident households of an area in a review year: the denominator of every rate."""

    __tablename__ = "area_households"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    households: Mapped[int]


class AreaSuccessor(Base):
    """A unit that was merged or renamed, and the unit(s) that took its place."""

    __tablename__ = "area_successor"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)


class AreaPlacement(Base):
    """Where an area hung before a reform re-hung it: its path until `valid_to` (inclusive).
    Tables of a list year before then roll up through this path (storage/reports.path_in)."""

    __tablename__ = "area_placement"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    valid_to: Mapped[date] = mapped_column(Date, primary_key=True)
    path: Mapped[str] = mapped_column(String(500))


class Project(Base):
    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Blob(Base):
    """A file in the content-addressed store (see storage/blobs.py)."""

    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Form(Base):
    __tablename__ = "form"
    __table_args__ = (UniqueConstraint("project_id", "xml_form_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    xml_form_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    state: Mapped[FormState] = mapped_column(_enum(FormState), default=FormState.DRAFT)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FormVersion(Base):
    """One compiled version: the XLSForm as uploaded and the exact XForm bytes served."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"), index=True)
    version: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    # Deferred: every submission looks its form version up, and neither file is needed then.
    xlsform: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    xlsform_filename: Mapped[str | None] = mapped_column(String(255))
    xform: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    xform_md5: Mapped[str] = mapped_column(String(32))
    # Newline-separated instance paths of binary (file) questions, e.g. "house_photo".
    binary_paths: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FormAttachment(Base):
    """A media file a form version names; `blob_sha256` is empty until it is uploaded."""

    __tablename__ = "form_attachment"
    __table_args__ = (UniqueConstraint("form_version_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    name: Mapped[str] = mapped_column(String(255))
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blob.sha256"))


class AppUser(Base):
    """A phone (or one cadre's phones): token URL or Digest login, scoped to an area."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    login: Mapped[str] = mapped_column(String(100), unique=True)
    # Only digests are kept: the token itself is shown once, when the phone is set up.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    digest_ha1: Mapped[str] = mapped_column(String(32))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    all_forms: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An officer's web-form app user (services/web_form_users): whose it is, and the version of
    # their keys it was issued for; the token works only while the person still matches it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    key_version: Mapped[int | None] = mapped_column(Integer)


class AppUserForm(Base):
    """The forms an app user may use when `all_forms` is false."""

    __tablename__ = "app_user_form"
    app_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"), primary_key=True)


class User(Base):
    """A staff account for the web pages and the JSON API."""

    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The version of the person's keys: their page sessions, known-device cookies and web-form
    # app user carry it, and stop working when it moves ("sign out everywhere", or a change of
    # role, area or disabled state: see _retire_keys below).
    key_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def _retire_keys(target: User, value: object, oldvalue: object, _initiator: object) -> None:
    """A change of what a person may do (role, area, disabled) retires every key they hold.
    Kept here, on the attributes, so that no code that changes a person (CLI, pages, a script)
    can forget it; the checks of the keys also compare role, area and state themselves."""
    if oldvalue is not NO_VALUE and value != oldvalue:
        target.key_version = (target.key_version or 0) + 1


for _attribute in (User.role, User.area_id, User.disabled_at):
    # active_history: the old value is loaded first, so a change is told from a no-op.
    event.listen(_attribute, "set", _retire_keys, active_history=True)


class Submission(Base):
    """One record from the field; its XML versions (edits) are SubmissionVersion rows."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("form_id", "instance_id"),
        # An incremental pull (`$filter=__system/updatedAt gt …`) reads one form's records
        # changed since a moment: a range of this index, not a scan of every record.
        Index("ix_submission_form_id_changed_at", "form_id", "changed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    # The instanceID of the first version; edits keep this as the record's identity.
    instance_id: Mapped[str] = mapped_column(String(255))
    app_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.RECEIVED
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When an edit or an officer's change of review state last changed the record; None for
    # one never edited nor reviewed (Central's `__system/updatedAt`, what incremental pulls
    # filter by). `updated_at` above also moves when nobody changed the record's content.
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why a record is kept out of the registry (unknown village, unreadable income, a
    # conflicting record…), for the commune officer to fix or reject.
    issues: Mapped[str | None] = mapped_column(Text)


class SubmissionVersion(Base):
    """One instance XML exactly as received, byte for byte."""

    __tablename__ = "submission_version"
    __table_args__ = (
        # instanceID is unique per form across all versions (an edit needs a fresh one).
        UniqueConstraint("form_id", "instance_id"),
        Index("ix_submission_version_current", "submission_id", "current"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    instance_id: Mapped[str] = mapped_column(String(255))
    deprecated_id: Mapped[str | None] = mapped_column(String(255))
    instance_name: Mapped[str | None] = mapped_column(String(500))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    xml_sha256: Mapped[str] = mapped_column(String(64))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    app_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(255))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when this version names a village or household outside its sender's area: it is
    # stored but kept out of the registry (held) until an officer applies or rejects it. The
    # sender's area and the village it names are kept so the officers of both areas see it.
    area_hold: Mapped[AreaHold | None] = mapped_column(_enum(AreaHold))
    sender_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    named_village_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))


class SubmissionAttachment(Base):
    """A file of one submission version; `blob_sha256` is empty until the file arrives."""

    __tablename__ = "submission_attachment"
    __table_args__ = (UniqueConstraint("submission_version_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"))
    name: Mapped[str] = mapped_column(String(255))
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blob.sha256"), index=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    # Named in the instance XML (a photo question) or merely sent along (extra part).
    referenced: Mapped[bool] = mapped_column(Boolean, default=True)


class SubmissionComment(Base):
    """An officer's note on a submission, with the review state they set by it (if any)."""

    __tablename__ = "submission_comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    review_state: Mapped[ReviewState | None] = mapped_column(_enum(ReviewState))
    body: Mapped[str] = mapped_column(Text, default="")


class Household(Base):
    """A household of the registry, identified by the code on the commune's list."""

    __tablename__ = "household"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(200))
    ethnic_minority: Mapped[bool] = mapped_column(Boolean, default=False)
    merit: Mapped[bool] = mapped_column(Boolean, default=False)
    social_protection: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by follow-up visits; the relapse-risk list is read from here.
    relapse_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    relapse_reasons: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HouseholdReview(Base):
    """One household in one review period, derived from one submission (re-derivable)."""

    __tablename__ = "household_review"
    __table_args__ = (UniqueConstraint("household_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    period: Mapped[int] = mapped_column(index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    # The area as it was on the survey: reports roll up through this village's path.
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    urban: Mapped[bool] = mapped_column(Boolean)
    standard_code: Mapped[str] = mapped_column(String(40))
    income_per_person: Mapped[Decimal | None] = mapped_column(Numeric(14, 0))
    deficiency_count: Mapped[int]
    household_class: Mapped[str | None] = mapped_column(String(20), index=True)
    # Movement of the poor group and of the near-poor group against the previous period; both
    # empty for a baseline period (no review of the village the year before).
    transition: Mapped[str | None] = mapped_column(String(20))
    near_poor_transition: Mapped[str | None] = mapped_column(String(20))
    members: Mapped[int]
    ethnic_minority: Mapped[bool] = mapped_column(Boolean)
    merit: Mapped[bool] = mapped_column(Boolean)
    social_protection: Mapped[bool] = mapped_column(Boolean)
    # What the phone calculated, when it differs from the server's own derivation.
    phone_disagreement: Mapped[str | None] = mapped_column(Text)
    # Another submission for the same household and period exists; an officer decides.
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HouseholdScreening(Base):
    """The quick screening (Phiếu A) of a household for a list year, derived from one record.

    Keyed by the household code, not the household row: a household screened out never gets
    a review, so it may never be in the registry's household table."""

    __tablename__ = "household_screening"
    __table_args__ = (UniqueConstraint("household_code", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_code: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[int] = mapped_column(index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))  # vocabulary.ScreeningOutcome
    listed_or_applied: Mapped[bool] = mapped_column(Boolean)
    signs: Mapped[str] = mapped_column(String(400))  # sign codes, space separated
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewDeficiency(Base):
    """One deficient indicator of a review (the flag per indicator, one row each)."""

    __tablename__ = "review_deficiency"
    review_id: Mapped[int] = mapped_column(ForeignKey("household_review.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class FollowupVisit(Base):
    """A visit to a household that recently left poverty, from one followup_visit submission."""

    __tablename__ = "followup_visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), unique=True)
    visit_date: Mapped[date]
    months_since_exit: Mapped[int | None]
    household_income_month: Mapped[Decimal | None] = mapped_column(Numeric(14, 0))
    member_count: Mapped[int | None]
    shocks: Mapped[str] = mapped_column(String(300), default="")
    recheck_deficient: Mapped[str] = mapped_column(String(500), default="")
    cadre_risk: Mapped[str | None] = mapped_column(String(20))
    at_risk: Mapped[bool] = mapped_column(Boolean)
    risk_reasons: Mapped[str] = mapped_column(String(200), default="")
    support_needed: Mapped[str] = mapped_column(String(300), default="")
    hi_card_expiry: Mapped[date | None] = mapped_column(Date)
    loan_due: Mapped[date | None] = mapped_column(Date)
    livelihood_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Commitment(Base):
    """How many households an area pledged to bring out of poverty in a year (chỉ tiêu)."""

    __tablename__ = "commitment"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    pledged: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Organisation(Base):
    """A body that takes part in the support plans of an area (a commune's union, a school, a
    business, a sponsor), with a contact."""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("area_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind))
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Responsibility(Base):
    """An organisation (and maybe one of its cadres) in charge of a village or of a household
    for a review year; a sponsor ("đỡ đầu") of a household says what they committed."""

    __tablename__ = "responsibility"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period: Mapped[int] = mapped_column(index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    cadre: Mapped[str] = mapped_column(String(200), default="")
    sponsor: Mapped[bool] = mapped_column(Boolean, default=False)
    committed: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanItem(Base):
    """One support for one household in one review year: what (an indicator's support from the
    standard, or free text), by whom, by when, how much, and where it stands."""

    __tablename__ = "plan_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    period: Mapped[int] = mapped_column(index=True)
    # The deficiency it answers: an indicator's code, "income", or empty for a free item.
    indicator: Mapped[str] = mapped_column(String(40), default="")
    support: Mapped[str] = mapped_column(String(500))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    planned_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 0))
    unit: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[PlanState] = mapped_column(_enum(PlanState), default=PlanState.PLANNED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Commendation(Base):
    """A household that left poverty in a review year, proposed by its commune for the year's
    commendation and approved or declined (with a note) by an officer above the commune."""

    __tablename__ = "commendation"
    __table_args__ = (UniqueConstraint("household_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    period: Mapped[int] = mapped_column(index=True)
    state: Mapped[CommendationState] = mapped_column(_enum(CommendationState))
    proposal_note: Mapped[str] = mapped_column(String(500), default="")
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    proposed_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Dialogue(Base):
    """A policy dialogue held in an area: when, the problems people raised there; who attended
    (DialogueAttendee) and the plan items it led to (DialogueItem)."""

    __tablename__ = "dialogue"
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    period: Mapped[int] = mapped_column(index=True)  # the review year whose plan it feeds
    held_on: Mapped[date] = mapped_column(Date)
    problems: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DialogueAttendee(Base):
    """An organisation of the registry that attended a dialogue."""

    __tablename__ = "dialogue_attendee"
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)


class DialogueItem(Base):
    """A plan item a dialogue's follow-up created (the item itself lives in the plan)."""

    __tablename__ = "dialogue_item"
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id"), primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id"), primary_key=True)


class ApiSession(Base):
    """A bearer token for the JSON API (scripts, sync, ODK tools); only its digest is kept."""

    __tablename__ = "api_session"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what to which object, when; downloads of personal data included."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(300))
    details: Mapped[str | None] = mapped_column(Text)


class LoginFailure(Base):
    """A failed sign-in, by e-mail, address and known device: the rate limit counts recent ones."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    # The known device (services/accounts.KnownDevice) the attempt came from, if any: such a
    # device has its own limit instead of the account's lock.
    device: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ForwardItem(Base):
    """One complete submission version on its way to the upstream server (services/forwarding.py).

    Written in the same transaction that makes the version complete, so nothing a phone was
    told is stored can miss the queue, whichever node took it; `files_sent` names the files the
    upstream has acknowledged, so a split upload resumes where it stopped and a file that
    arrives later sends the record again with just that file."""

    __tablename__ = "forward_item"
    __table_args__ = (Index("ix_forward_item_due", "state", "next_try_at"),)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # queued, sent, refused
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(Text)
    files_sent: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of names
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Lease(Base):
    """Work that exactly one process of all the nodes may do at a time (forwarding upstream):
    held by `holder` until `expires_at`, renewed while the work goes on, taken over by another
    process once it lapses (its holder was killed)."""

    __tablename__ = "lease"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
