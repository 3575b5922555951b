"""Configuration: defaults, then RASOAT_* environment variables, then explicit overrides.

Everything a deployment may change is read here and nowhere else.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO_ROOT = Path(__file__).resolve().parent.parent

# Collect splits a submission into several POSTs when it would exceed the advertised size, so a
# modest figure keeps each request short on a weak mobile line; the real limit is higher so that
# one large attachment (sent alone, as Collect does) is still accepted.
ADVERTISED_SUBMISSION_BYTES = 10_000_000
MAX_REQUEST_BYTES = 100_000_000
MAX_INSTANCE_XML_BYTES = 10_000_000
# Files above this go to an S3 store in parts (S3 takes at most 5 GB in one PUT, and a part that
# fails is sent again alone).
S3_MULTIPART_BYTES = 16 << 20


def _env(name: str, default: str) -> str:
    return os.environ.get(f"RASOAT_{name}", default)


def normalise_database_url(url: str) -> str:
    """Let people write postgresql://… while SQLAlchemy uses the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(data_dir: Path) -> str:
    """A stable secret per installation, created on first start unless given explicitly."""
    given = os.environ.get("RASOAT_SECRET_KEY")
    if given:
        return given
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def blob_location(url: str) -> tuple[str, str] | None:
    """RASOAT_BLOB_URL as (bucket, prefix); None for the disk store (no URL)."""
    if not url:
        return None
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket:
        raise ValueError(f"RASOAT_BLOB_URL: {url!r} is not s3://bucket or s3://bucket/prefix")
    return bucket, prefix.strip("/")


def _checked_zone(name: str) -> str:
    """A zone the server can convert to, else a start-up error naming the setting."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"RASOAT_TIMEZONE: {name!r} is not a known time zone") from exc
    return name


def load(instance_path: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Return the Flask config mapping for one app instance."""
    instance = Path(instance_path)
    data_dir = Path(overrides.get("RASOAT_DATA_DIR") or _env("DATA_DIR", str(instance / "data")))
    default_db = f"sqlite:///{instance / 'rasoat.db'}"
    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or _env("DATABASE_URL", default_db)
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "RASOAT_BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "RASOAT_DATA_DIR": str(data_dir),
        "RASOAT_FORMS_DIR": _env("FORMS_DIR", str(REPO_ROOT / "forms")),
        # The web form's built bundle (webform/, `npm ci && npm run build`, done by ./dev).
        "RASOAT_WEBFORM_DIR": _env("WEBFORM_DIR", str(REPO_ROOT / "webform" / "dist")),
        "RASOAT_REALM": _env("REALM", "rasoat"),
        "RASOAT_ADVERTISED_SUBMISSION_BYTES": int(
            _env("ADVERTISED_SUBMISSION_BYTES", str(ADVERTISED_SUBMISSION_BYTES))
        ),
        "RASOAT_MAX_INSTANCE_XML_BYTES": int(
            _env("MAX_INSTANCE_XML_BYTES", str(MAX_INSTANCE_XML_BYTES))
        ),
        "MAX_CONTENT_LENGTH": int(_env("MAX_REQUEST_BYTES", str(MAX_REQUEST_BYTES))),
        # Werkzeug keeps non-file form fields in memory; OpenRosa sends only tiny ones. (The
        # parser also checks its read buffer against this, so it must exceed its 64 KiB reads.)
        "MAX_FORM_MEMORY_SIZE": 500_000,
        # Forwarding to an upstream server (services/forwarding.py); off without a URL.
        "RASOAT_UPSTREAM_URL": _env("UPSTREAM_URL", ""),
        "RASOAT_UPSTREAM_TOKEN": _env("UPSTREAM_TOKEN", ""),
        "RASOAT_UPSTREAM_PROJECT": int(_env("UPSTREAM_PROJECT", "1")),
        "RASOAT_UPSTREAM_OUTBOX": _env(
            "UPSTREAM_OUTBOX", str(data_dir / "upstream-outbox.sqlite3")
        ),
        "RASOAT_UPSTREAM_POLL_SECONDS": float(_env("UPSTREAM_POLL_SECONDS", "2")),
        "RASOAT_UPSTREAM_MAX_DELAY": float(_env("UPSTREAM_MAX_DELAY", "60")),
        # The forwarding lease (one pusher among all nodes): renewed before every record and
        # every poll, so it lapses this long after its holder was killed; a record's upload
        # should end within it, or a second pusher may send it again (stored once: 202).
        "RASOAT_UPSTREAM_LEASE_SECONDS": float(_env("UPSTREAM_LEASE_SECONDS", "60")),
        # Files in an S3-compatible store shared by every node (s3://bucket/prefix) instead of
        # RASOAT_DATA_DIR/blobs. Credentials and region: boto3's usual AWS_ACCESS_KEY_ID,
        # AWS_SECRET_ACCESS_KEY, AWS_REGION; the endpoint of a store other than AWS here (or
        # AWS_ENDPOINT_URL). See docs/object-store.md.
        "RASOAT_BLOB_URL": _env("BLOB_URL", ""),
        "RASOAT_S3_ENDPOINT": _env("S3_ENDPOINT", ""),
        "RASOAT_S3_MULTIPART_BYTES": int(_env("S3_MULTIPART_BYTES", str(S3_MULTIPART_BYTES))),
        # Times on the pages are shown in this zone (an IANA name); Vietnam keeps UTC+7.
        "RASOAT_TIMEZONE": _env("TIMEZONE", "Asia/Ho_Chi_Minh"),
        # No pre-ping: it costs a round trip per request; a connection broken by a database
        # restart fails one request (503, the phone retries) and the pool is then renewed.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
    }
    config.update(overrides)
    config["RASOAT_BASE_URL"] = str(config["RASOAT_BASE_URL"]).rstrip("/")
    secure = config["RASOAT_BASE_URL"].startswith("https://")
    for prefix in ("SESSION", "REMEMBER"):
        # Not readable by scripts, not sent by other sites' forms, only over https when served so.
        config.setdefault(f"{prefix}_COOKIE_HTTPONLY", True)
        config.setdefault(f"{prefix}_COOKIE_SAMESITE", "Lax")
        config.setdefault(f"{prefix}_COOKIE_SECURE", secure)
    config.setdefault("PERMANENT_SESSION_LIFETIME", 12 * 3600)
    config["RASOAT_TIMEZONE"] = _checked_zone(str(config["RASOAT_TIMEZONE"]))
    config.setdefault("BABEL_DEFAULT_TIMEZONE", config["RASOAT_TIMEZONE"])
    config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(REPO_ROOT / "server" / "translations"))
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    blob_location(str(config["RASOAT_BLOB_URL"]))  # a wrong URL stops the start, named
    # Every node must sign with the same key; a key generated in one node's data folder is not.
    config["RASOAT_SECRET_KEY_GIVEN"] = "SECRET_KEY" in config or bool(
        os.environ.get("RASOAT_SECRET_KEY")
    )
    if config["RASOAT_BLOB_URL"] and not config["RASOAT_SECRET_KEY_GIVEN"]:
        # `serve` refuses to start (missing_shared_secret); other commands need no lasting key,
        # and a file in this node's folder would only be a trap for a later start.
        config["SECRET_KEY"] = secrets.token_hex(32)
    if "SECRET_KEY" not in config:  # not setdefault: that would create the file regardless
        config["SECRET_KEY"] = _secret_key(Path(config["RASOAT_DATA_DIR"]))
    return config


def missing_shared_secret(config: Mapping[str, Any]) -> str | None:
    """Why this configuration may not start, when it is multi-node (files in a shared store)
    without a secret given to every node; None when it may."""
    if not config.get("RASOAT_BLOB_URL") or config.get("RASOAT_SECRET_KEY_GIVEN"):
        return None
    return (
        "RASOAT_BLOB_URL đã đặt (nhiều máy chủ dùng chung kho tệp) nên phải đặt RASOAT_SECRET_KEY,"
        " giống nhau trên mọi máy chủ. / RASOAT_BLOB_URL is set (several nodes share one file"
        " store), so RASOAT_SECRET_KEY must be set, the same on every node: a key generated in"
        " one node's data folder would sign sessions and web-form keys the other nodes refuse."
    )


@dataclass(frozen=True)
class ForwardingSettings:
    """Where and how often a server forwards its submissions upstream (services/forwarding.py)."""

    upstream_url: str  # a phone's token URL on the upstream server
    outbox_path: Path
    poll_seconds: float
    max_delay: float
    lease_seconds: float = 60.0


def forwarding_settings(config: Mapping[str, Any]) -> ForwardingSettings | None:
    """None when no upstream is configured. With a token, the URL is the upstream's base."""
    url = str(config.get("RASOAT_UPSTREAM_URL") or "").strip().rstrip("/")
    if not url:
        return None
    token = str(config.get("RASOAT_UPSTREAM_TOKEN") or "").strip()
    if token:
        url = f"{url}/v1/key/{token}/projects/{int(config.get('RASOAT_UPSTREAM_PROJECT', 1))}"
    outbox = config.get("RASOAT_UPSTREAM_OUTBOX") or (
        Path(config["RASOAT_DATA_DIR"]) / "upstream-outbox.sqlite3"
    )
    return ForwardingSettings(
        upstream_url=url,
        outbox_path=Path(outbox),
        poll_seconds=float(config.get("RASOAT_UPSTREAM_POLL_SECONDS", 2.0)),
        max_delay=float(config.get("RASOAT_UPSTREAM_MAX_DELAY", 60.0)),
        lease_seconds=float(config.get("RASOAT_UPSTREAM_LEASE_SECONDS", 60.0)),
    )
