"""Times on the pages: one format, in the configured zone (RASOAT_TIMEZONE, Vietnam's by
default), and a zone the server does not know stops the start with the setting's name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from server import config
from server.web.times import local_time


def app_in(zone: str) -> Flask:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    app.config["RASOAT_TIMEZONE"] = zone
    Babel(app)
    return app


def test_a_stored_utc_moment_is_shown_in_vietnams_time_by_default(tmp_path: Path) -> None:
    settings = config.load(str(tmp_path), {"SECRET_KEY": "x"})
    assert settings["RASOAT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    with app_in(settings["BABEL_DEFAULT_TIMEZONE"]).test_request_context():
        assert local_time(datetime(2026, 12, 3, 18, 5, tzinfo=UTC)) == "04/12/2026 01:05"
        assert local_time(datetime(2026, 12, 3, 18, 5)) == "04/12/2026 01:05"  # SQLite: naive UTC
        assert local_time(None) == ""


def test_the_zone_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_TIMEZONE", "Europe/Paris")
    settings = config.load(str(tmp_path), {"SECRET_KEY": "x"})
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Europe/Paris"
    with app_in("Europe/Paris").test_request_context():
        assert local_time(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "01/07/2026 12:00"


def test_an_unknown_zone_is_refused_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASOAT_TIMEZONE", "Sao Hoả/Thủ đô")
    with pytest.raises(ValueError, match="RASOAT_TIMEZONE"):
        config.load(str(tmp_path), {"SECRET_KEY": "x"})
