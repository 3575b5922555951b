"""The forms of the pages (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    MultipleFileField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class SignInForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PhoneForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name of the cadre or phone"), validators=[DataRequired(), Length(max=200)]
    )
    area = StringField(_l("Area"), validators=[Optional(), Length(max=32)])
    # Checkboxes; the choices (the open forms) are set by the view. None ticked: every form.
    forms = SelectMultipleField(
        _l("Forms this phone may fill"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class EmptyForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: only the CSRF token."""


class UploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("File"), validators=[FileRequired()])


class PledgeForm(FlaskForm):  # type: ignore[misc]
    # Choices: the viewer's areas, set by the view. An area outside them is not a form error but
    # a refusal (403) from the service, as for any other way of naming it.
    area = SelectField(_l("Area"), validators=[DataRequired()], validate_choice=False)
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    pledged = IntegerField(
        _l("Households pledged to exit"), validators=[DataRequired(), NumberRange(0, 100000)]
    )


class LanguageForm(FlaskForm):  # type: ignore[misc]
    lang = SelectField(choices=[("vi", "Tiếng Việt"), ("en", "English")])


class ReviewForm(FlaskForm):  # type: ignore[misc]
    """A submission's review state and an officer's comment (the choices are set by the view)."""

    state = SelectField(_l("Review state"))
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class XLSFormUploadForm(FlaskForm):  # type: ignore[misc]
    # Field names are kept stable: browser tests fill `xlsform` and `media`.
    xlsform = FileField(_l("XLSForm (.xlsx)"), validators=[FileRequired()])
    media = MultipleFileField(_l("Media files the form uses (optional)"))


class HouseholdsForm(FlaskForm):  # type: ignore[misc]
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    households = IntegerField(
        _l("Resident households"), validators=[InputRequired(), NumberRange(0, 10_000_000)]
    )


class PersonForm(FlaskForm):  # type: ignore[misc]
    """A new account on the Users page. Role and area choices are set by the view; a value
    outside them is the service's refusal (naming the field), as for the command line."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()], validate_choice=False)
    area = SelectField(_l("Area"), validators=[Optional()], validate_choice=False)
    password = PasswordField(
        _l("Password (empty: one is made up and shown once)"),
        validators=[Optional(), Length(max=200)],
    )


class PersonChangeForm(FlaskForm):  # type: ignore[misc]
    """One change to an account: whose (the e-mail) and, for a role or a move, the new value."""

    email = StringField(validators=[DataRequired(), Length(max=254)])
    value = StringField(validators=[Optional(), Length(max=32)])


class OrganisationForm(FlaskForm):  # type: ignore[misc]
    # The area's and the kind's choices are set by the view; an area outside one's own is a
    # refusal of the service (403), as for pledges.
    area = SelectField(_l("Area"), validators=[DataRequired()], validate_choice=False)
    kind = SelectField(_l("Kind"), validators=[DataRequired()], validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=300)])


class AssignForm(FlaskForm):  # type: ignore[misc]
    organisation = IntegerField(
        _l("Organisation"), validators=[DataRequired(), NumberRange(1, 2**31 - 1)]
    )
    period = IntegerField(_l("Review year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    village = StringField(_l("Village code"), validators=[Optional(), Length(max=20)])
    household = StringField(_l("Household code"), validators=[Optional(), Length(max=40)])
    cadre = StringField(_l("Cadre in charge"), validators=[Optional(), Length(max=200)])
    sponsor = BooleanField(_l("Sponsor (đỡ đầu) of the household"))
    committed = StringField(
        _l("What the sponsor committed"), validators=[Optional(), Length(max=500)]
    )


class BulkPlanForm(FlaskForm):  # type: ignore[misc]
    """Plan items for every household of the deficiency list that the filters keep."""

    area = StringField(_l("Area"), validators=[DataRequired(), Length(max=20)])
    period = IntegerField(_l("Review year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    indicator = SelectMultipleField(
        _l("Deficient in"), validators=[DataRequired()], validate_choice=False
    )
    household_class = SelectField(_l("Households"), validate_choice=False)
    group = SelectField(_l("Group"), validate_choice=False)
    village = StringField(_l("Village code"), validators=[Optional(), Length(max=20)])
    organisation = IntegerField(
        _l("Organisation"), validators=[DataRequired(), NumberRange(1, 2**31 - 1)]
    )
    planned_date = StringField(
        _l("Planned date (YYYY-MM-DD)"), validators=[Optional(), Length(max=10)]
    )
    support = StringField(
        _l("Support (empty: the standard's suggestion)"), validators=[Optional(), Length(max=500)]
    )
    amount = StringField(_l("Amount or quantity"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])


class PlanItemForm(FlaskForm):  # type: ignore[misc]
    state = SelectField(_l("State"), validate_choice=False)
    planned_date = StringField(
        _l("Planned date (YYYY-MM-DD)"), validators=[Optional(), Length(max=10)]
    )
    amount = StringField(_l("Amount or quantity"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    reason = StringField(_l("Reason (when not possible)"), validators=[Optional(), Length(max=500)])


class PlanUploadForm(FlaskForm):  # type: ignore[misc]
    area = StringField(_l("Area"), validators=[DataRequired(), Length(max=20)])
    period = IntegerField(_l("Review year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    file = FileField(_l("File"), validators=[FileRequired()])


class ProposeForm(FlaskForm):  # type: ignore[misc]
    area = StringField(_l("Area"), validators=[DataRequired(), Length(max=20)])
    period = IntegerField(_l("Review year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    household = StringField(_l("Household code"), validators=[DataRequired(), Length(max=40)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class DecideForm(FlaskForm):  # type: ignore[misc]
    area = StringField(_l("Area"), validators=[DataRequired(), Length(max=20)])
    period = IntegerField(_l("Review year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    household = StringField(_l("Household code"), validators=[DataRequired(), Length(max=40)])
    decision = SelectField(
        _l("Decision"),
        choices=[("approved", _l("Approve")), ("declined", _l("Decline"))],
        validate_choice=False,
    )
    note = StringField(_l("Note (needed to decline)"), validators=[Optional(), Length(max=500)])


class DialogueForm(FlaskForm):  # type: ignore[misc]
    area = StringField(_l("Area"), validators=[DataRequired(), Length(max=20)])
    period = IntegerField(_l("Review year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    held_on = StringField(_l("Date of the dialogue (YYYY-MM-DD)"), validators=[Length(max=10)])
    attendees = SelectMultipleField(_l("Organisations attending"), validate_choice=False)
    problems = TextAreaField(_l("Problems raised"), validators=[Length(max=4000)])
    follow_ups = TextAreaField(
        _l("Follow-up items, one a line: household code | support | organisation number | date"),
        validators=[Length(max=40000)],
    )
