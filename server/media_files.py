"""A form's media file over HTTP, for the surfaces that hand one out: a phone's download
(OpenRosa) and a draft tried in the web form."""

from __future__ import annotations

import mimetypes

from flask import Response, current_app, request

from server.downloads import stored_file
from server.extensions import blob_store
from server.services.phone_forms import MediaFile


def media_response(item: MediaFile) -> Response:
    """A file built for the caller (a village list) or one from the blob store. The browser asks
    again each time (the lists change with the registry) and no shared cache keeps it."""
    if item.content is not None:
        response = Response(item.content, mimetype=mimetypes.guess_type(item.name)[0])
        response.set_etag(item.md5)
        response.make_conditional(request)  # in place: 304 when the browser has this copy
    else:
        opened = blob_store(current_app).open(item.sha256 or "")
        response = stored_file(opened.size, opened.file, name=item.name, etag=item.md5)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
