"""A site's moderation settings as one validated mapping: read, change (audited), restore."""

from __future__ import annotations

import math
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import ModerationMode, Moderator, Site, WordAction, WordList
from commentsvc.moderation import audit
from commentsvc.moderation.access import require_admin
from commentsvc.moderation.audit import Action
from commentsvc.moderation.errors import ModerationError
from commentsvc.moderation.words import WordListError, parse_word_list
from commentsvc.sites import SiteError, normalise_origin

# field -> (minimum, maximum) for whole numbers
INT_RANGES: dict[str, tuple[int, int]] = {
    "max_depth": (0, 10),
    "edit_window_seconds": (0, 7 * 24 * 3600),
    "close_after_days": (0, 3650),
    "report_threshold": (0, 1000),
    "trusted_after": (0, 1000),
    "min_seconds": (0, 600),
    "max_links": (0, 100),
    "queue_alert_threshold": (0, 100_000),
}
BOOLS = ("require_email", "require_name", "notify_on_report", "allow_reply_notifications")
WORD_LISTS = {"banned_words": WordAction.REJECT, "suspect_words": WordAction.HOLD}
MAX_ORIGINS = 50
MAX_NOTIFY = 20


class SettingsError(ModerationError):
    """Settings refused; ``errors`` maps each bad field to its message."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(422, _l("Some settings are not valid."), code="invalid")
        self.errors = errors


def current_values(site: Site) -> dict[str, Any]:
    """Every editable setting of a site, as plain JSON-able values."""
    values: dict[str, Any] = {
        "origins": list(site.origins or []),
        "moderation_mode": site.moderation_mode,
        "default_lang": site.default_lang,
        "hold_threshold": site.hold_threshold,
        "spam_threshold": site.spam_threshold,
        "notify_emails": list(site.notify_emails or []),
    }
    values.update({name: getattr(site, name) for name in INT_RANGES})
    values.update({name: bool(getattr(site, name)) for name in BOOLS})
    for field, action in WORD_LISTS.items():
        values[field] = [w for wl in site.word_lists if wl.action == action for w in wl.words]
    return values


def _check_int(name: str, value: Any, errors: dict[str, Any]) -> int | None:
    low, high = INT_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = _l("A whole number from %(low)d to %(high)d.", low=low, high=high)
        return None
    return value


def _check_threshold(name: str, value: Any, errors: dict[str, Any]) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        errors[name] = _l("A number from 0 to 1, or empty for the model's default.")
        return None
    return float(value)


def _check_origins(value: Any, errors: dict[str, Any]) -> list[str]:
    origins: list[str] = []
    for raw in value or []:
        try:
            origins.append(normalise_origin(str(raw)))
        except SiteError as exc:
            errors["origins"] = str(exc)
            return []
    if not origins:
        errors["origins"] = _l("A site needs at least one origin.")
    elif len(origins) > MAX_ORIGINS:
        errors["origins"] = _l("At most %(n)d origins.", n=MAX_ORIGINS)
    return sorted(set(origins))


def _check_emails(value: Any, errors: dict[str, Any]) -> list[str]:
    emails = []
    for raw in value or []:
        try:
            emails.append(validate_email(str(raw), check_deliverability=False).normalized.lower())
        except EmailNotValidError:
            errors["notify_emails"] = _l("%(value)s is not an e-mail address.", value=str(raw))
            return []
    if len(emails) > MAX_NOTIFY:
        errors["notify_emails"] = _l("At most %(n)d addresses.", n=MAX_NOTIFY)
    return sorted(set(emails))


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """The cleaned settings, or ``SettingsError`` naming every bad field."""
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {"origins": _check_origins(values.get("origins"), errors)}
    if values.get("moderation_mode") not in set(ModerationMode):
        errors["moderation_mode"] = _l("Choose pre, post or auto.")
    clean["moderation_mode"] = values.get("moderation_mode")
    if values.get("default_lang") not in {"fr", "en"}:
        errors["default_lang"] = _l("Choose fr or en.")
    clean["default_lang"] = values.get("default_lang")
    for name in ("hold_threshold", "spam_threshold"):
        clean[name] = _check_threshold(name, values.get(name), errors)
    hold, spam = clean["hold_threshold"], clean["spam_threshold"]
    if hold is not None and spam is not None and hold > spam:
        errors["spam_threshold"] = _l("The spam threshold cannot be below the hold threshold.")
    for name in INT_RANGES:
        clean[name] = _check_int(name, values.get(name), errors)
    for name in BOOLS:
        clean[name] = bool(values.get(name))
    clean["notify_emails"] = _check_emails(values.get("notify_emails"), errors)
    for field in WORD_LISTS:
        try:
            clean[field] = parse_word_list(values.get(field) or [])
        except WordListError as exc:
            errors[field] = str(exc)
    if errors:
        raise SettingsError(errors)
    return clean


def apply_values(site: Site, values: dict[str, Any]) -> None:
    """Write validated settings in the caller's transaction."""
    for name, value in values.items():
        if name not in WORD_LISTS:
            setattr(site, name, value)
    for field, action in WORD_LISTS.items():
        for old in [wl for wl in site.word_lists if wl.action == action]:
            site.word_lists.remove(old)
        if values.get(field):
            name = "banned" if action == WordAction.REJECT else "suspect"
            site.word_lists.append(WordList(name=name, action=action, words=values[field]))


def update_settings(site_id: int, values: dict[str, Any], *, moderator: Moderator) -> Site:
    """Validate and save a site's settings (admins only); the change is audited."""
    require_admin(moderator)
    clean = validate(values)
    with write_transaction():
        site = db.session.get(Site, site_id)
        if site is None:
            raise ModerationError(404, _l("This site does not exist."), code="not_found")
        before = current_values(site)
        apply_values(site, clean)
        db.session.flush()
        after = current_values(site)
        changed = sorted(k for k in after if after[k] != before[k])
        audit.record(
            Action.SETTINGS,
            moderator=moderator,
            site_id=site.id,
            reason=", ".join(changed),
            details={"before": before, "after": after},
        )
    return site
