"""Times on every page in one format and in local time: Babel's date formatting in the zone the
deployment configured (RASOAT_TIMEZONE, Vietnam's by default; Flask-Babel's
BABEL_DEFAULT_TIMEZONE is set from it in server/config.py). Templates use the `local_time`
filter and nothing else, so no page shows a UTC time or another layout."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_datetime

# Day first, as Vietnamese (and the forms' dates) write it; the same in English, so a time
# reads the same on every page and in either language.
PATTERN = "dd/MM/yyyy HH:mm"


def zone() -> tzinfo:
    """The configured zone of this app (days of filters are days there)."""
    return ZoneInfo(str(current_app.config["RASOAT_TIMEZONE"]))


def local_time(moment: datetime | None) -> str:
    """A stored moment as the pages show it; stored moments are UTC (SQLite gives them naive)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return str(format_datetime(aware, PATTERN))


def setup(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
