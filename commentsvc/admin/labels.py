"""Words for statuses, tabs, sorts, actions and report reasons, in the viewer's language."""

from __future__ import annotations

from flask_babel import gettext as _


def status_text(status: str | None) -> str:
    texts = {
        "pending": _("pending"),
        "published": _("published"),
        "spam": _("spam"),
        "rejected": _("rejected"),
        "deleted": _("deleted"),
    }
    return texts.get(status or "", status or "—")


def tab_text(tab: str) -> str:
    texts = {
        "pending": _("Pending"),
        "reported": _("Reported"),
        "spam": _("Spam"),
        "published": _("Published"),
        "rejected": _("Rejected"),
    }
    return texts.get(tab, tab)


def sort_text(sort: str) -> str:
    texts = {
        "newest": _("newest first"),
        "oldest": _("oldest first"),
        "score": _("highest score first"),
        "reports": _("most reported first"),
    }
    return texts.get(sort, sort)


def action_text(action: str) -> str:
    texts = {
        "approve": _("approve"),
        "reject": _("reject"),
        "spam": _("spam"),
        "not_spam": _("not spam"),
        "ban": _("ban"),
        "delete": _("delete"),
        "edit": _("edit"),
        "undo": _("undo"),
        "erase": _("erasure"),
        "settings": _("settings"),
    }
    return texts.get(action, action)


def report_text(reason: str) -> str:
    texts = {
        "spam": _("spam"),
        "abuse": _("abuse"),
        "off-topic": _("off topic"),
        "other": _("other"),
    }
    return texts.get(reason, reason)
