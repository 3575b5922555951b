"""The bare floor for ingest: what the stack costs before rasoat does anything of its own.

Flask under gunicorn, the OpenRosa submission request parsed as rasoat parses it (multipart,
defusedxml), the instanceID read from the XML, and one INSERT of the raw XML (a re-send of the same
instanceID is answered 201 without a second row), committed before the 201. No authentication,
no forms, no registry: the ceiling rasoat's own work is measured against (issue 18: at least half
of this rate).

    .venv/bin/python bench/floor.py --database-url postgresql://postgres@127.0.0.1/x --port 8700

bench/ingest.py --floor starts it beside rasoat on the same database and interleaves the two.
"""

from __future__ import annotations

import argparse
from typing import Any

import defusedxml.ElementTree as SafeET
import sqlalchemy as sa
from flask import Flask, Response, request
from gunicorn.app.base import BaseApplication

_TABLE = "bench_floor_submission"
_ACCEPTED = (
    '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
    '<message nature="submit_success">ok</message></OpenRosaResponse>'
)


def _instance_id(xml: bytes) -> str:
    root = SafeET.fromstring(xml)
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "instanceID" and element.text:
            return element.text.strip()
    raise ValueError("no instanceID")


def create_floor_table(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                f"CREATE TABLE IF NOT EXISTS {_TABLE}"
                " (instance_id VARCHAR(64) PRIMARY KEY, xml TEXT)"
            )
        )
    engine.dispose()


def create_floor_app(database_url: str) -> Flask:
    """Called in each worker after the fork, so no connection is shared between processes."""
    engine = sa.create_engine(database_url, pool_size=8)
    insert = sa.text(
        f"INSERT INTO {_TABLE} (instance_id, xml) VALUES (:i, :x)"
        " ON CONFLICT (instance_id) DO NOTHING"
    )
    app = Flask("floor")

    @app.post("/submission")
    def submission() -> Response:
        upload = request.files.get("xml_submission_file")
        if upload is None:
            return Response("no xml_submission_file", status=400)
        xml = upload.read()
        try:
            instance_id = _instance_id(xml)
        except (ValueError, SafeET.ParseError):
            return Response("bad xml", status=400)
        with engine.begin() as connection:
            connection.execute(insert, {"i": instance_id, "x": xml.decode("utf-8")})
        return Response(
            _ACCEPTED,
            status=201,
            content_type="text/xml; charset=utf-8",
            headers={"X-OpenRosa-Version": "1.0"},
        )

    @app.get("/v1/health")  # the path bench/ingest.py waits on
    def health() -> str:
        return "ok"

    return app


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, database_url: str, options: dict[str, Any]) -> None:
        self._database_url, self._options = database_url, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_floor_app(self._database_url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    options = {"bind": f"127.0.0.1:{args.port}", "workers": args.workers, "accesslog": None}
    create_floor_table(args.database_url)
    _Gunicorn(args.database_url, options).run()


if __name__ == "__main__":
    main()
