"""A table's version: a name for a table before it is built (the surfaces' ETag), so that a
caller who has the current copy hears so without the table being computed again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from server.storage.versions import registry_version

SERVER = Path(__file__).resolve().parent.parent
# What builds a table besides the data: the code and the standards' data files.
_CODE_FILES = ("**/*.py", "domain/data/**/*")


@cache
def _code_version() -> str:
    """The server's code as it is installed: a new release may build the same data into a
    different table, and a copy made by the old one must not pass for current."""
    digest = hashlib.sha256()
    paths = sorted({p for pattern in _CODE_FILES for p in SERVER.glob(pattern) if p.is_file()})
    for path in paths:
        digest.update(str(path.relative_to(SERVER)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def table_version(session: Session, inputs: Sequence[object], today: date | None = None) -> str:
    """A name for the table that `inputs` ask for (route, parameters, language, the reader's
    area…) as the data stands now: it changes when the data, the day (the follow-up window
    moves with it) or the server's code does, and not otherwise. Costs a few aggregates,
    not the table."""
    today = today or date.today()
    text = json.dumps([list(inputs), today.isoformat(), registry_version(session)], default=str)
    return hashlib.sha256((_code_version() + text).encode()).hexdigest()[:32]
