"""The forms of the pages (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class SignInForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PhoneForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name of the cadre or phone"), validators=[DataRequired(), Length(max=200)]
    )
    area = StringField(_l("Area code"), validators=[Optional(), Length(max=32)])


class EmptyForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: only the CSRF token."""


class UploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("File"), validators=[FileRequired()])


class PledgeForm(FlaskForm):  # type: ignore[misc]
    area = StringField(_l("Area code"), validators=[DataRequired(), Length(max=32)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    pledged = IntegerField(
        _l("Households pledged to exit"), validators=[DataRequired(), NumberRange(0, 100000)]
    )


class LanguageForm(FlaskForm):  # type: ignore[misc]
    lang = SelectField(choices=[("vi", "Tiếng Việt"), ("en", "English")])
