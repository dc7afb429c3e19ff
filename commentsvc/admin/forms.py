"""Admin forms: shape only (types, lengths, ranges); services check the rules across records."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from commentsvc.moderation.site_settings import INT_RANGES

DECISION_CHOICES = [
    SelectChoice("approve", _l("Approve")),
    SelectChoice("reject", _l("Reject")),
    SelectChoice("spam", _l("Spam")),
    SelectChoice("not_spam", _l("Not spam")),
    SelectChoice("ban", _l("Ban author")),
    SelectChoice("delete", _l("Delete")),
]


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=1000)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class CsrfOnlyForm(FlaskForm):
    """Buttons that only need protection against forgery (undo, claim, logout)."""


class DecisionForm(FlaskForm):
    action = SelectField(_l("Action"), choices=DECISION_CHOICES, validators=[InputRequired()])
    revision = IntegerField(validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class EditForm(FlaskForm):
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=5000)])
    revision = IntegerField(validators=[Optional()])


class ByScoreForm(FlaskForm):
    site = StringField(_l("Site"), validators=[DataRequired(), Length(max=64)])
    thread = IntegerField(_l("Page (number)"), validators=[Optional(), NumberRange(min=1)])
    status = SelectField(
        _l("Comments that are"),
        choices=[
            SelectChoice("pending", _l("Pending")),
            SelectChoice("spam", _l("Spam")),
            SelectChoice("published", _l("Published")),
        ],
    )
    min_score = DecimalField(
        _l("Score at least"), places=None, validators=[InputRequired(), NumberRange(0, 1)]
    )
    action = SelectField(_l("Action"), choices=DECISION_CHOICES[:4])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    expected = HiddenField()


def _int_field(label, name: str) -> IntegerField:
    low, high = INT_RANGES[name]
    return IntegerField(label, validators=[InputRequired(), NumberRange(low, high)])


class SettingsForm(FlaskForm):
    origins = TextAreaField(_l("Allowed origins (one per line)"), validators=[Length(max=5000)])
    moderation_mode = SelectField(
        _l("Moderation"),
        choices=[
            SelectChoice("pre", _l("pre: every comment waits for a moderator")),
            SelectChoice("post", _l("post: published at once, moderated afterwards")),
            SelectChoice("auto", _l("auto: the spam model decides, doubtful ones wait")),
        ],
    )
    default_lang = SelectField(
        _l("Language"), choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")]
    )
    hold_threshold = DecimalField(
        _l("Hold for review from score"), places=None, validators=[Optional(), NumberRange(0, 1)]
    )
    spam_threshold = DecimalField(
        _l("Mark as spam from score"), places=None, validators=[Optional(), NumberRange(0, 1)]
    )
    banned_words = TextAreaField(
        _l("Banned words: rejected (one per line, * at the end for a prefix)"),
        validators=[Length(max=100_000)],
    )
    suspect_words = TextAreaField(
        _l("Suspect words: held for review"), validators=[Length(max=100_000)]
    )
    max_depth = _int_field(_l("Maximum reply depth"), "max_depth")
    edit_window_minutes = IntegerField(
        _l("Authors may edit for (minutes)"),
        validators=[InputRequired(), NumberRange(0, INT_RANGES["edit_window_seconds"][1] // 60)],
    )
    close_after_days = _int_field(_l("Close threads after (days, 0: never)"), "close_after_days")
    report_threshold = _int_field(_l("Reports that hide a comment (0: never)"), "report_threshold")
    trusted_after = _int_field(
        _l("Published comments that make an author trusted (0: off)"), "trusted_after"
    )
    min_seconds = _int_field(_l("Minimum seconds to fill the form"), "min_seconds")
    max_links = _int_field(_l("Links allowed before review"), "max_links")
    require_email = BooleanField(_l("E-mail address required"))
    require_name = BooleanField(_l("Name required"))
    notify_emails = TextAreaField(
        _l("Moderators to notify (one e-mail per line)"), validators=[Length(max=5000)]
    )
    queue_alert_threshold = _int_field(
        _l("E-mail them when the queue passes (0: never)"), "queue_alert_threshold"
    )
    notify_on_report = BooleanField(_l("E-mail them on every report"))
    allow_reply_notifications = BooleanField(_l("Readers may ask for e-mails about replies"))
