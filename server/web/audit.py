"""The audit log page (administrators): who did what, when, newest first; and the accounts
that wrong passwords locked, each with a button that lifts the lock."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from server.domain.vocabulary import Role
from server.extensions import db_session
from server.query_params import KIND, PAGE, PERSON, every_pair
from server.services import accounts
from server.services.audit_log import Described, audit_page
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import EmptyForm
from server.web.session import signed_in, viewer

# The kinds of event the code writes; one not named here is shown as it is stored.
KINDS = {
    "sign_in": _l("Sign-in to the pages"),
    "session.create": _l("Sign-in to the API"),
    "download": _l("Personal data read or downloaded"),
    "submission.review": _l("Submission reviewed"),
    "form.draft": _l("Form draft uploaded"),
    "form.publish": _l("Form published"),
    "form.state": _l("Form opened or closed"),
    "area.import": _l("Areas imported"),
    "area.households": _l("Resident households changed"),
    "app_user.create": _l("Phone set up"),
    "app_user.revoke": _l("Phone revoked"),
    "app_user.forms": _l("Phone's forms changed"),
    "account.lock": _l("Account locked (wrong passwords)"),
    "account.unlock": _l("Account lock lifted"),
    "account.sign_out_everywhere": _l("Signed out everywhere"),
    "user.create": _l("Account created"),
    "organisation_created": _l("Organisation added"),
    "organisations_imported": _l("Organisations imported"),
    "responsibility_assigned": _l("Responsibility assigned"),
    "plan_items_created": _l("Support planned in bulk"),
    "plan_imported": _l("Support plan imported"),
    "plan_item_changed": _l("Support plan item changed"),
    "commendation_proposed": _l("Proposed for commendation"),
    "commendation_approved": _l("Commendation approved"),
    "commendation_declined": _l("Commendation declined"),
    "dialogue_recorded": _l("Policy dialogue recorded"),
    "user.set_role": _l("Role changed"),
    "user.move": _l("Account moved to another area"),
    "user.disable": _l("Account disabled"),
    "user.enable": _l("Account enabled again"),
    "user.reset_password": _l("Password reset"),
}


# Each described event as a sentence (services/audit_log.describe gives the key and its parts);
# the area and period it concerns follow, separated by dashes.
SENTENCES = {
    "sign_in": _l("Signed in to the pages"),
    "api_sign_in": _l("Signed in to the API"),
    "sign_out_everywhere": _l("Signed out everywhere: %(target)s"),
    "account_lock": _l("Account %(target)s locked after wrong passwords"),
    "account_unlock": _l("Lock of account %(target)s lifted"),
    "phone_create": _l("Phone set up: %(target)s"),
    "phone_revoke": _l("Phone revoked: %(target)s"),
    "area_import": _l("Areas imported from %(target)s (%(details)s)"),
    "user_create": _l("Created the account of %(target)s (%(details)s)"),
    "user_set_role": _l("Changed the role of %(target)s: %(details)s"),
    "user_move": _l("Moved %(target)s to another area: %(details)s"),
    "user_disable": _l("Disabled the account of %(target)s"),
    "user_enable": _l("Enabled the account of %(target)s again"),
    "user_reset_password": _l("Reset the password of %(target)s"),
    "list_view": _l("Opened the list of %(kind)s"),
    "list_download": _l("Downloaded the list of %(kind)s"),
    "submissions_all": _l("Opened the submissions of every form"),
    "submissions_form": _l("Opened the submissions of form %(form)s"),
    "record_view": _l("Opened record %(record)s of form %(form)s"),
    "record_file": _l("Downloaded file %(file)s of record %(record)s"),
    "submission_review": _l("Reviewed record %(record)s of form %(form)s: %(details)s"),
    "submission_apply": _l(
        "Applied record %(record)s (sent from outside its area) to the registry"
    ),
    "submission_reject": _l("Rejected record %(record)s (sent from outside its area)"),
    "area_households": _l("Changed the resident households: %(details)s"),
    "form_draft": _l("Uploaded draft %(version)s of form %(form)s"),
    "form_publish": _l("Published version %(version)s of form %(form)s"),
    "form_state": _l("Changed whether form %(form)s accepts records: %(details)s"),
    "organisation_created": _l("Added the organisation %(details)s"),
    "organisations_imported": _l("Imported %(target)s from a CSV file"),
    "responsibility_assigned": _l("Assigned a responsibility: %(details)s"),
    "plan_items_created": _l("Planned support in bulk: %(details)s"),
    "plan_imported": _l("Imported the support plan: %(details)s"),
    "plan_item_changed": _l("Changed %(target)s of the support plan: %(details)s"),
    "commendation_proposed": _l("Proposed household %(household)s for commendation: %(details)s"),
    "commendation_approved": _l("Approved the commendation of household %(household)s"),
    "commendation_declined": _l(
        "Declined the commendation of household %(household)s: %(details)s"
    ),
    "dialogue_recorded": _l("Recorded a policy dialogue: %(details)s"),
}
LIST_NAMES = {
    "deficiencies": _l("households with deficiencies"),
    "due-visits": _l("households due for a visit"),
    "relapse-risk": _l("households at risk of falling back into poverty"),
    "exited": _l("households that left poverty"),
}
# Words of the form and review states as the log's details spell them ("open → closed").
STATE_WORDS = {
    "open": _l("open"),
    "closing": _l("closing"),
    "closed": _l("closed"),
    "draft": _l("draft"),
    "received": _l("Received"),
    "has_issues": _l("Has issues"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}


def _states_in_words(details: str) -> str:
    return " → ".join(
        str(STATE_WORDS.get(part.strip(), part.strip())) for part in details.split("→")
    )


def in_words(found: Described, target: str) -> str:
    """The sentence of one event in the reader's language, with its area and period."""
    template = SENTENCES.get(found.sentence)
    if template is None:
        return target
    parts = dict(found.parts)
    if "kind" in parts:
        parts["kind"] = str(LIST_NAMES.get(parts["kind"], parts["kind"]))
    if "details" in parts and found.sentence in ("form_state", "submission_review"):
        parts["details"] = _states_in_words(parts["details"])
    text = str(template) % {k: parts.get(k, "") for k in _names_in(str(template))}
    return " — ".join(p for p in (text, parts.get("area", ""), parts.get("period", "")) if p)


def _names_in(template: str) -> list[str]:
    return [piece.split(")", 1)[0] for piece in template.split("%(")[1:]]


@bp.get("/audit")
@signed_in(Role.ADMINISTRATOR)
def audit_log() -> Any:
    kind, person = KIND.read(), PERSON.read()
    page = audit_page(db_session(), viewer(), kind, person, PAGE.read() or 1)
    kept = {k: v for k, v in every_pair() if k != "page" and v}
    return render_template(
        "audit.html",
        log=page,
        kinds=KINDS,
        in_words=in_words,
        kind=kind,
        person=person,
        kept=kept,
        locked=accounts.locked_accounts(db_session(), viewer()),
        unlock=EmptyForm(),
    )


@bp.post("/audit/unlock")
@signed_in(Role.ADMINISTRATOR)
def unlock_account() -> BaseResponse:
    """Lift the lock of an account that wrong passwords locked (written in the log)."""
    email = request.form.get("email", "")
    if EmptyForm().validate_on_submit():
        with writing(db_session()):
            accounts.clear_lockout(db_session(), viewer(), email)
        flash(gettext("The lock of %(email)s is lifted.", email=email), "info")
    return redirect(url_for("web.audit_log"))
