"""JSON API v1: public reader endpoints, moderator endpoints and the OpenAPI description."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints of the API, its reference page and the feeds; the API takes no CSRF token."""
    from commentsvc import feeds, webhooks
    from commentsvc.api import admin_pages, moderation, public, reference
    from commentsvc.extensions import csrf

    for blueprint in (public.bp, moderation.bp):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    app.register_blueprint(reference.bp)
    app.register_blueprint(admin_pages.bp)
    app.register_blueprint(feeds.bp)
    webhooks.install()
