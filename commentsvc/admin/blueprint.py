"""The admin blueprint: sign-in guard, language, errors, template helpers, cookie settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user
from markupsafe import Markup

from commentsvc.extensions import login_manager
from commentsvc.i18n import use_site_language
from commentsvc.moderation import descriptions  # noqa: F401  (reason texts)
from commentsvc.moderation.errors import ModerationError
from commentsvc.reasons import describe
from commentsvc.security_log import note_refusal

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

PUBLIC_ENDPOINTS = {"admin.login", "admin.static", "admin.language"}


class AdminSessionInterface(SecureCookieSessionInterface):
    """Session cookies are ``Secure`` whenever the request came over HTTPS."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Readers never send a session cookie: skip building the signing serializer for them.
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class() if app.secret_key else None
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        try:
            return request.is_secure
        except RuntimeError:
            return False


def safe_next(target: str | None) -> str:
    """Only paths inside the admin: ``next`` must never send a moderator elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/"):
            return target
    return url_for("admin.queue")


@bp.before_request
def _guard() -> Response | None:
    lang = session.get("lang")
    if lang in ("fr", "en"):
        use_site_language(lang)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        # No session, an expired one or a replayed one after logout: worth seeing in the log.
        note_refusal("login_required")
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    return None


@bp.errorhandler(ModerationError)
def _refused(exc: ModerationError):
    note_refusal(exc.code or "refused")
    html = render_template("admin/error.html", status=exc.status, message=str(exc.message))
    return html, exc.status


@bp.app_template_filter("describe_reason")
def _describe_reason(reason) -> str:
    return describe(reason)


@bp.context_processor
def _helpers() -> dict:
    from commentsvc.admin import labels
    from commentsvc.moderation.undo import can_undo

    return {
        "status_text": labels.status_text,
        "tab_text": labels.tab_text,
        "sort_text": labels.sort_text,
        "action_text": labels.action_text,
        "report_text": labels.report_text,
        # The sanitised HTML stored when the text was written (``markup.render_markdown``):
        # a page of cards never renders Markdown again.
        "comment_html": lambda comment: Markup(comment.body_html or ""),
        "can_undo": can_undo,
        # Other teams add admin pages (API tokens, personal data); the menu links what exists.
        "url_endpoints": current_app.view_functions,
    }


@bp.route("/language/<code>")
def language(code: str):
    """Switch the admin's language (kept in the session)."""
    if code in ("fr", "en"):
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


def register(app: Flask) -> None:
    """Attach the admin to the app (called by ``setup.register_blueprints``)."""
    from commentsvc.admin import (  # noqa: F401  (the routes of the blueprint)
        audit_views,
        auth_views,
        queue_views,
        settings_views,
        stats_views,
    )

    app.session_interface = AdminSessionInterface()
    app.config.setdefault("SESSION_COOKIE_SECURE", bool(app.config.get("SECURE_COOKIES")))
    login_manager.login_view = "admin.login"
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
