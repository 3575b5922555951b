"""rasoat server: the Flask application factory and nothing else."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app: configuration, database, blueprints, error rendering."""
    from server import config, extensions, log_masking, query_params, security_headers
    from server.api import bp as api_bp
    from server.openrosa import bp as openrosa_bp
    from server.web import bp as web_bp
    from server.web import setup as web_setup
    from server.webform import bp as webform_bp

    # No app-wide static folder: its /static route (server/static, which does not exist) would
    # shadow the web blueprint's /static, and the pages would come without their stylesheet.
    log_masking.mask_every_log_record()
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.update(config.load(app.instance_path, overrides or {}))
    extensions.init_app(app)
    query_params.install(app)  # before the blueprints: their <int:…> take the bounded converter
    app.register_blueprint(openrosa_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(webform_bp)
    # Phones and scripts authenticate every request themselves (token, Digest, bearer); the
    # CSRF token protects the cookie-signed-in pages only.
    extensions.csrf.exempt(openrosa_bp)
    extensions.csrf.exempt(api_bp)
    web_setup(app)
    security_headers.install(app)
    return app
