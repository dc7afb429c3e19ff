"""The steps of ``create_app``, each small enough to read at a glance."""

from __future__ import annotations

import logging

from flask import Flask

from commentsvc import database
from commentsvc.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from commentsvc.limit_storage import SCHEME as LIMIT_STORAGE_SCHEME  # registers it with limits

MIGRATIONS_DIR = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "migrations")
log = logging.getLogger("commentsvc")


def init_extensions(app: Flask) -> None:
    import commentsvc.models  # noqa: F401  (the tables must be known to migrations)

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", database.engine_options(url))
    app.config.setdefault("SQLALCHEMY_SESSION_OPTIONS", {"expire_on_commit": False})
    db.init_app(app)
    with app.app_context():
        database.install_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    _init_cache(app)
    _init_limiter(app)
    _init_babel(app)
    login_manager.init_app(app)
    from commentsvc.admin.accounts import load_session_user

    login_manager.user_loader(load_session_user)


def _init_cache(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
        app.config.setdefault("CACHE_KEY_PREFIX", "commentsvc:")
    else:
        app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["CACHE_SECONDS"])
    cache.init_app(app)


def _init_limiter(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or f"{LIMIT_STORAGE_SCHEME}://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", app.config["RATELIMIT_FAIL_OPEN"])
    limiter.init_app(app)


def _init_babel(app: Flask) -> None:
    from commentsvc.i18n import one_catalogue_per_render, select_locale, translation_directories

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(one_catalogue_per_render)
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale


def load_spam_model(app: Flask) -> None:
    """Load the current model once; a fail-safe stand-in holds every comment if it cannot."""
    from commentsvc.spam.base import FailSafeModel

    model = app.config.get("SPAM_MODEL")
    if model is None:
        from pathlib import Path

        from commentsvc.spam.store import ModelError, load_current

        try:
            model = load_current(Path(app.config["MODEL_DIR"]))
        except ModelError as exc:
            log.error("spam model refused, every new comment will be held: %s", exc)
            model = FailSafeModel(str(exc))
        else:
            log.info("spam model %s loaded", model.version)
    app.extensions["spam_model"] = model


def init_operations(app: Flask) -> None:
    """Client address behind proxies, request ids and JSON logs, security events, metrics."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from commentsvc import edge
    from commentsvc.logs import init_request_logging
    from commentsvc.metrics import init_metrics
    from commentsvc.security_log import init_security_log

    # Inside ProxyFix: the front cache keys on the scheme, host and prefix the client used.
    edge.install(app)
    hops = app.config.get("PROXY_HOPS") or 0
    if hops:
        # Trust exactly this many X-Forwarded-* entries: more would let clients choose their IP.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    init_request_logging(app)
    init_security_log(app)
    init_metrics(app)


def register_blueprints(app: Flask) -> None:
    from commentsvc import api, health
    from commentsvc.comments import demo, loader, rendering
    from commentsvc.comments import views as comment_views
    from commentsvc.errors import register_error_handlers
    from commentsvc.headers import register_security_headers

    app.register_blueprint(health.bp)
    app.register_blueprint(comment_views.bp)
    app.register_blueprint(loader.bp)
    app.register_blueprint(demo.bp)
    rendering.register_filters(app)
    api.register(app)
    from commentsvc.admin.blueprint import register as register_admin
    from commentsvc.notifications.views import bp as notifications_bp

    register_admin(app)
    app.register_blueprint(notifications_bp)
    register_error_handlers(app)
    register_security_headers(app)


def register_cli(app: Flask) -> None:
    from commentsvc import cli, data_cli

    cli.register(app)
    data_cli.register(app)
