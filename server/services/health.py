"""Whether this server can do its work: the answer of `GET /v1/health` to a load balancer or a
monitoring script."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.storage.common import database_answers


def database_reachable(session: Session) -> bool:
    return database_answers(session)
