"""Rate limits on posting comments: per hashed IP (per minute, per hour) and per thread.

The reader's form post and the API post share the same counters (one ``scope``), so a flood
cannot switch paths to get twice the allowance. Limits follow ``RATELIMIT_ENABLED`` and are
stored where Flask-Limiter is told (Redis in production, so every app process counts together).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request
from flask_babel import gettext as _

from commentsvc.extensions import limiter
from commentsvc.identity import hash_ip

DEFAULT_PER_IP = "5/minute;30/hour"
DEFAULT_PER_THREAD = "30/minute"
SCOPE_IP = "comment-post-ip"
SCOPE_THREAD = "comment-post-thread"

View = TypeVar("View", bound=Callable[..., Any])


def ip_key() -> str:
    """The hashed client address: limits never store a raw IP."""
    return "ip:" + (hash_ip(request.remote_addr) or "unknown")


def _site_name() -> str:
    args = request.view_args or {}
    return str(args.get("site") or args.get("site_name") or args.get("name") or "")


def thread_key() -> str:
    """The thread being posted to: its site and page URL, from the form or the JSON body."""
    url = request.form.get("url") or request.args.get("url") or ""
    if not url and request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            url = str(body.get("url") or "")
    return f"thread:{_site_name()}:{url[:500]}"


def _per_ip() -> str:
    return current_app.config.get("COMMENT_RATE_LIMIT_PER_IP", DEFAULT_PER_IP)


def _per_thread() -> str:
    return current_app.config.get("COMMENT_RATE_LIMIT_PER_THREAD", DEFAULT_PER_THREAD)


def _speak_site_language() -> None:
    # Limits run before the view, so the site's language is not chosen yet.
    from commentsvc.i18n import use_site_language
    from commentsvc.sites import get_site

    name = _site_name()
    site = get_site(name) if name else None
    if site is not None:
        use_site_language(site.default_lang)


def too_fast_message() -> str:
    """The 429 text, in the reader's language."""
    _speak_site_language()
    return _("You are posting too fast. Please wait a moment before sending another comment.")


def thread_busy_message() -> str:
    _speak_site_language()
    return _("This discussion receives too many comments right now. Please try again shortly.")


def limit_comment_posts(view: View) -> View:
    """Decorate a view that creates comments (POST only) with the shared limits."""
    by_thread = limiter.shared_limit(
        _per_thread,
        scope=SCOPE_THREAD,
        key_func=thread_key,
        methods=["POST"],
        error_message=thread_busy_message,
    )
    by_ip = limiter.shared_limit(
        _per_ip, scope=SCOPE_IP, key_func=ip_key, methods=["POST"], error_message=too_fast_message
    )
    return by_ip(by_thread(view))
