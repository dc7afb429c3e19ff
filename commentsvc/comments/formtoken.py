"""Signed, time-limited form tokens for the anonymous forms of the cross-site iframe.

Third-party cookies are blocked or partitioned inside an iframe on a publisher's page, so a
session CSRF token cannot be relied on. The token instead binds a form to one site and one page
URL and says when it was served, which also tells the pipeline how fast the form was filled.
A token is not a secret from whoever can load the page; it stops blind cross-site posts,
replays on other pages, and forms kept open for days.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from commentsvc.comments.errors import CommentError

SALT = "commentsvc.form-token"
DEFAULT_MAX_AGE = 6 * 3600


@dataclass(frozen=True)
class FormToken:
    site: str
    url: str
    seconds_to_fill: float


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=4)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def issue_form_token(site: str, url: str) -> str:
    """A token for forms of ``site`` on page ``url``, stamped with the current time."""
    return form_token_at(current_app.config["SECRET_KEY"], site, url, time.time())


def form_token_at(secret: str, site: str, url: str, now: float) -> str:
    """The token ``issue_form_token`` gives at time ``now``, outside any request."""
    return _token_of_second(secret, site, url, int(now))


# Tokens are stamped to the second, so pages of one URL served within one second get the same
# token anyway: signing it once per second, not once per page view, spares the HMAC.
@functools.lru_cache(maxsize=512)
def _token_of_second(secret: str, site: str, url: str, _second: int) -> str:
    return _serializer_for(secret).dumps({"s": site, "u": url})


def check_form_token(token: str | None, *, site: str, url: str) -> FormToken:
    """The token's facts if it is ours, recent and for this site and page; else a 400."""
    if not token:
        raise CommentError(
            400, _("The form is incomplete. Please reload the page and try again."), code="token"
        )
    max_age = current_app.config.get("FORM_TOKEN_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        data, issued = _serializer().loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        raise CommentError(
            400,
            _("This form has expired. Your text is kept below: please send it again."),
            code="token_expired",
        ) from None
    except BadSignature:
        data, issued = None, None
    if not isinstance(data, dict) or data.get("s") != site or data.get("u") != url:
        raise CommentError(
            400,
            _("This form is not valid for this page. Please reload the page and try again."),
            code="token_forged",
        )
    return FormToken(site=site, url=url, seconds_to_fill=max(0.0, time.time() - issued.timestamp()))
