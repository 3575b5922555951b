"""What a person setting up a phone is shown once, on the page or in the terminal: the server
URL for ODK Collect and the QR code that configures Collect in one scan."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from sqlalchemy.orm import Session

from server.services.app_users import NewAppUser, collect_qr_payload, collect_server_url
from server.services.forms import DEFAULT_PROJECT_NAME
from server.storage.forms import find_project


@dataclass(frozen=True)
class PhoneSetup:
    url: str
    qr: segno.QRCode


def phone_setup(base_url: str, new: NewAppUser, project_name: str) -> PhoneSetup:
    payload = collect_qr_payload(base_url, new, project_name)
    return PhoneSetup(
        collect_server_url(base_url, new.project_id, new.token), segno.make(payload, error="m")
    )


def project_name(session: Session, project_id: int) -> str:
    """The name Collect shows for the project (the default one's when it is not stored)."""
    project = find_project(session, project_id)
    return project.name if project else DEFAULT_PROJECT_NAME
