"""Whether this server can do its work, as a load balancer asks: `GET /v1/health` (the process
answers: liveness, nothing else touched, so a slow database never gets a node restarted) and
`GET /v1/ready` (it can serve: the database and the file store both answer)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.storage.blobs import BlobStore
from server.storage.common import database_answers


@dataclass(frozen=True)
class Readiness:
    database: bool
    file_store: bool

    @property
    def ready(self) -> bool:
        return self.database and self.file_store


def readiness(session: Session, blobs: BlobStore) -> Readiness:
    """Both checked every time, so the answer names everything that is down."""
    return Readiness(database=database_answers(session), file_store=blobs.answers())
