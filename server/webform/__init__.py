"""The web form: surveys filled in a browser, offline, with ODK's own engine.

The page runs `@getodk/web-forms` (bundled from npm into webform/dist by the set-up step) on
the same form, media and submission endpoint a phone uses; this surface serves the page, the
bundle's hashed files and the service worker that keeps them for offline use.
"""

from flask import Blueprint

bp = Blueprint("webform", __name__, template_folder="templates")

from server.webform import trial, views  # noqa: E402,F401  (routes register on import)
