"""modq's web service: the app factory, as in Flask's tutorial."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.settings import Settings


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app from ``settings`` (default: the ``MODQ_*`` environment)."""
    from service import (
        akismet,
        antibot,
        errors,
        extensions,
        health,
        metrics,
        openapi,
        page_security,
        payload,
        public,
        ratelimit,
        request_id,
        review_api,
        review_page,
        rules_api,
        submit,
    )

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    payload.init_app(app)  # before the blueprints: it bounds their <int:...> converters
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MODQ_SETTINGS=settings,
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False  # Japanese and other scripts stay readable in every answer
    extensions.init_app(app, settings)
    errors.init_app(app)
    request_id.init_app(app)
    page_security.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(submit.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(review_api.bp)
    app.register_blueprint(akismet.bp)
    app.register_blueprint(review_page.bp)
    app.register_blueprint(antibot.bp)
    app.register_blueprint(rules_api.bp)
    app.register_blueprint(openapi.bp)
    ratelimit.init_app(app, settings)
    return app
