"""What a person setting up a phone is shown once, on the page or in the terminal: the server
URL for ODK Collect and the QR code that configures Collect in one scan, and beside them the
browser link (`/f/<token>`, the web form for someone without Android) with its own QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from sqlalchemy.orm import Session

from server.services.app_users import NewAppUser, collect_qr_payload, collect_server_url
from server.services.forms import DEFAULT_PROJECT_NAME
from server.storage.forms import find_project

# A terminal is 80 columns: its QR code (one character a module, two modules a line) keeps a
# quiet zone of 2 modules, and drops to error correction L when M would be wider.
TERMINAL_COLUMNS = 80
_TERMINAL_BORDER = 2


@dataclass(frozen=True)
class PhoneSetup:
    url: str  # for ODK Collect (Android)
    qr: segno.QRCode  # configures ODK Collect in one scan
    browser_url: str  # the web form, for a phone or computer without ODK Collect
    browser_qr: segno.QRCode
    collect_payload: str


def phone_setup(base_url: str, new: NewAppUser, project_name: str) -> PhoneSetup:
    payload = collect_qr_payload(base_url, new, project_name)
    browser_url = f"{base_url.rstrip('/')}/f/{new.token}"
    return PhoneSetup(
        collect_server_url(base_url, new.project_id, new.token),
        segno.make(payload, error="m"),
        browser_url,
        segno.make(browser_url, error="m"),
        payload,
    )


def terminal_qr(text: str) -> str | None:
    """`text` as a QR code drawn in a terminal, at most TERMINAL_COLUMNS wide; None when even
    the smallest code is wider (the PNG saved beside it still works)."""
    for error in ("m", "l"):
        code = segno.make(text, error=error, boost_error=False)
        if code.symbol_size(border=_TERMINAL_BORDER)[0] <= TERMINAL_COLUMNS:
            out = io.StringIO()
            code.terminal(out=out, compact=True, border=_TERMINAL_BORDER)
            return out.getvalue()
    return None


def project_name(session: Session, project_id: int) -> str:
    """The name Collect shows for the project (the default one's when it is not stored)."""
    project = find_project(session, project_id)
    return project.name if project else DEFAULT_PROJECT_NAME
