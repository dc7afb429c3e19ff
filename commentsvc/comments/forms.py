"""The iframe's forms. Session CSRF is off: the signed form token protects them instead.

Forms check shape (lengths, presence); the services check everything again, and the
cross-record rules, so that the API and the forms refuse the same things the same way.
"""

from __future__ import annotations

import functools

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length, Optional

from commentsvc.comments import validation as v
from commentsvc.models import ReportReason, Site


@functools.lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


def _too_long(limit: int):
    return Length(max=limit, message=_l("At most %(max)d characters, please."))


class TokenForm(FlaskForm):
    """Every iframe form carries the page URL and its signed token."""

    class Meta:
        csrf = False  # third-party cookies are blocked in iframes; see formtoken.py

        def get_translations(self, form):
            # Flask-WTF reads WTForms' own catalogue from disk for every request that builds
            # a form (half a millisecond of each comment post); it never changes: keep it.
            return _wtforms_catalogue(str(get_locale()))

    token = HiddenField()
    url = HiddenField()


class CommentForm(TokenForm):
    title = HiddenField()
    parent_id = HiddenField()
    author = StringField(_l("Name"), validators=[_too_long(v.MAX_NAME)])
    email = EmailField(_l("Email"), validators=[_too_long(v.MAX_EMAIL)])
    website = URLField(_l("Website"), validators=[Optional(), _too_long(v.MAX_WEBSITE)])
    body = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(message=_l("Please write a comment.")),
            _too_long(v.MAX_BODY),
        ],
    )
    # Hidden from people by CSS; bots fill it. The pipeline decides what that means.
    homepage = StringField(_l("Leave this field empty"))
    remember = BooleanField(_l("Save my name, email and website in this browser for next time."))

    def parent(self) -> int | None:
        raw = (self.parent_id.data or "").strip()
        return int(raw) if raw.isdigit() else None

    def require_for(self, site: Site) -> None:
        """Mark name and e-mail required (browser hint and ``*``) as the site wants."""
        self.author.flags.required = site.require_name
        self.email.flags.required = site.require_email


class EditForm(TokenForm):
    edit_key = HiddenField()
    body = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(message=_l("Please write a comment.")),
            _too_long(v.MAX_BODY),
        ],
    )


class DeleteForm(TokenForm):
    edit_key = HiddenField()


class LikeForm(TokenForm):
    reader_key = HiddenField()


REPORT_CHOICES = [
    SelectChoice(ReportReason.SPAM.value, _l("Spam or advertising")),
    SelectChoice(ReportReason.ABUSE.value, _l("Abusive or hateful")),
    SelectChoice(ReportReason.OFF_TOPIC.value, _l("Off-topic")),
    SelectChoice(ReportReason.OTHER.value, _l("Something else")),
]


class ReportForm(TokenForm):
    reader_key = HiddenField()
    # The service refuses unknown reasons with a translated message.
    reason = SelectField(_l("Why?"), choices=REPORT_CHOICES, validate_choice=False)
    detail = StringField(
        _l("Details (optional)"), validators=[Optional(), _too_long(v.MAX_REPORT_DETAIL)]
    )
