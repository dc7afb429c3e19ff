"""Words for statuses, tabs, sorts, actions and report reasons, in the viewer's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# Lazy strings, put in words only for the key asked: a page of cards asks hundreds of times.


def _words(texts: dict[str, Any], key: str | None) -> str:
    """The key in the viewer's language; an unknown key as it is, a missing one as a dash."""
    text = texts.get(key or "")
    if text is not None:
        return str(text)
    return key or "—"


_STATUS_TEXTS = {
    "pending": _l("pending"),
    "published": _l("published"),
    "spam": _l("spam"),
    "rejected": _l("rejected"),
    "deleted": _l("deleted"),
}


def status_text(status: str | None) -> str:
    return _words(_STATUS_TEXTS, status)


_TAB_TEXTS = {
    "pending": _l("Pending"),
    "reported": _l("Reported"),
    "spam": _l("Spam"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
}


def tab_text(tab: str | None) -> str:
    return _words(_TAB_TEXTS, tab)


_SORT_TEXTS = {
    "newest": _l("newest first"),
    "oldest": _l("oldest first"),
    "score": _l("highest score first"),
    "reports": _l("most reported first"),
}


def sort_text(sort: str | None) -> str:
    return _words(_SORT_TEXTS, sort)


_ACTION_TEXTS = {
    "approve": _l("approve"),
    "reject": _l("reject"),
    "spam": _l("spam"),
    "not_spam": _l("not spam"),
    "ban": _l("ban"),
    "delete": _l("delete"),
    "edit": _l("edit"),
    "undo": _l("undo"),
    "erase": _l("erasure"),
    "settings": _l("settings"),
}


def action_text(action: str | None) -> str:
    return _words(_ACTION_TEXTS, action)


_REPORT_TEXTS = {
    "spam": _l("spam"),
    "abuse": _l("abuse"),
    "off-topic": _l("off topic"),
    "other": _l("other"),
}


def report_text(reason: str | None) -> str:
    return _words(_REPORT_TEXTS, reason)
