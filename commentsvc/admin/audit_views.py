"""The audit log page and undo."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commentsvc.admin.blueprint import bp, safe_next
from commentsvc.admin.forms import CsrfOnlyForm
from commentsvc.moderation import audit_log, undo
from commentsvc.moderation.access import visible_sites
from commentsvc.moderation.audit import Action


@bp.route("/audit")
def audit_page():
    filters = audit_log.parse_filters(request.args)
    entries, before = audit_log.list_entries(filters, moderator=current_user)
    return render_template(
        "admin/audit.html",
        entries=entries,
        filters=filters,
        next_before=before,
        undone=undo.undone_ids([e.id for e in entries]),
        can_undo=undo.can_undo,
        actions=[a.value for a in Action],
        sites=visible_sites(current_user),
        undo_form=CsrfOnlyForm(),
    )


@bp.route("/audit/<int:entry_id>/undo", methods=["POST"])
def undo_entry(entry_id: int):
    undo.undo(entry_id, moderator=current_user)
    flash(_("The action was undone."))
    return redirect(safe_next(request.form.get("next") or url_for("admin.audit_page")))
