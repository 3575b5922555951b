"""The OpenRosa surface that ODK Collect and KoboCollect talk to (reference/openrosa.md).

Two URL layouts lead to the same views: ODK Central's app-user layout
`/v1/key/<token>/projects/<id>/…` (the token in the path; one QR scan sets up a phone) and the
plain `/formList`, `/submission`, … paths with HTTP Digest authentication.
"""

from flask import Blueprint

bp = Blueprint("openrosa", __name__)

from server.openrosa import views  # noqa: E402,F401  (routes register on import)
