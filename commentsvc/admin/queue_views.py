"""The review queue, one comment's page, and decisions (one, a selection, by score)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commentsvc.admin.blueprint import bp, safe_next
from commentsvc.admin.forms import ByScoreForm, CsrfOnlyForm, DecisionForm, EditForm
from commentsvc.admin.labels import action_text
from commentsvc.moderation import actions, audit_log, by_score, claims, queue
from commentsvc.moderation.access import site_by_name, visible_sites
from commentsvc.moderation.actions import Decision, parse_action
from commentsvc.moderation.errors import ModerationError
from commentsvc.moderation.undo import undone_ids


def _form_refused(form) -> ModerationError:
    messages = [f"{form[name].label.text}: {'; '.join(errs)}" for name, errs in form.errors.items()]
    return ModerationError(400, " ".join(messages) or _("Please try again."), code="form")


@bp.route("/")
def index():
    return redirect(url_for("admin.queue"))


@bp.route("/queue", endpoint="queue")
def queue_page():
    filters = queue.parse_filters(request.args)
    page = queue.list_queue(filters, moderator=current_user)
    return render_template(
        "admin/queue.html",
        page=page,
        filters=filters,
        cards=queue.card_context(page.comments),
        counts=queue.tab_counts(current_user, site=filters.site),
        sites=visible_sites(current_user),
        tabs=queue.TABS,
        sorts=queue.SORTS,
        decision_form=DecisionForm(),
        bulk_form=CsrfOnlyForm(),
        max_selection=actions.MAX_SELECTION,
    )


@bp.route("/queue/counts")
def queue_counts():
    """Tab counts as JSON, polled by the queue page to keep them live."""
    site = request.args.get("site") or None
    return jsonify(queue.tab_counts(current_user, site=site))


@bp.route("/comments/<int:comment_id>")
def comment_detail(comment_id: int):
    comment = actions.load_comment(comment_id, current_user)
    claim = claims.claim(comment_id, moderator=current_user)
    history = audit_log.entries_for_comment(comment_id)
    return render_template(
        "admin/comment.html",
        comment=comment,
        claim=claim,
        cards=queue.card_context([comment]),
        history=history,
        undone=undone_ids([e.id for e in history]),
        decision_form=DecisionForm(),
        edit_form=EditForm(body=comment.body_source, revision=comment.revision),
        undo_form=CsrfOnlyForm(),
    )


@bp.route("/comments/<int:comment_id>/claim", methods=["POST"])
def claim_comment(comment_id: int):
    """Claim from the queue's keyboard focus; answers who holds the comment."""
    CsrfOnlyForm()  # the token was checked by CSRFProtect before the view
    held = claims.claim(comment_id, moderator=current_user)
    if held is None:
        return jsonify({"mine": False, "holder": None})
    return jsonify({"mine": held.mine, "holder": held.holder, "until": held.until.isoformat()})


@bp.route("/comments/<int:comment_id>/decide", methods=["POST"])
def decide_comment(comment_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        raise _form_refused(form)
    decision = Decision(parse_action(form.action.data), form.revision.data, form.reason.data or "")
    actions.decide(comment_id, decision, moderator=current_user)
    flash(_("Done: %(action)s.", action=action_text(form.action.data)))
    return redirect(safe_next(request.args.get("next") or request.form.get("next")))


@bp.route("/comments/<int:comment_id>/edit", methods=["POST"])
def edit_comment(comment_id: int):
    form = EditForm()
    if not form.validate_on_submit():
        raise _form_refused(form)
    actions.edit_text(
        comment_id, form.body.data, revision=form.revision.data, moderator=current_user
    )
    flash(_("The text was changed."))
    return redirect(url_for("admin.comment_detail", comment_id=comment_id))


def _selection() -> list[tuple[int, int | None]]:
    """The ticked cards, sent as "id:revision" values."""
    selection = []
    for value in request.form.getlist("selected"):
        ident, _sep, revision = value.partition(":")
        if not ident.isdigit() or (revision and not revision.isdigit()) or len(value) > 40:
            raise ModerationError(400, _("The selection is damaged: reload the page."))
        selection.append((int(ident), int(revision) if revision else None))
    return selection


@bp.route("/bulk", methods=["POST"])
def bulk():
    """One decision on every ticked card."""
    action = parse_action(request.form.get("action", ""))
    reason = request.form.get("reason", "")
    done = actions.decide_many(_selection(), action, moderator=current_user, reason=reason)
    flash(_("%(n)d comments decided.", n=done))
    return redirect(safe_next(request.form.get("next")))


@bp.route("/by-score", methods=["GET", "POST"])
def by_score_page():
    """Decide every comment above a score: preview the count, then confirm it."""
    form = ByScoreForm(site=request.args.get("site"), thread=request.args.get("thread", type=int))
    count = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            site = site_by_name(form.site.data, current_user)
            rule = by_score.ScoreRule(
                site_id=site.id,
                thread_id=form.thread.data,
                status=form.status.data,
                min_score=float(form.min_score.data),
            )
            action = parse_action(form.action.data)
            expected = form.expected.data
            if expected and expected.isdigit() and request.form.get("confirm"):
                done = by_score.run(
                    rule,
                    action,
                    expected=int(expected),
                    moderator=current_user,
                    reason=form.reason.data or "",
                )
                flash(_("%(n)d comments decided.", n=done))
                return redirect(url_for("admin.queue", site=site.name))
            count = by_score.preview(rule, moderator=current_user)
            form.expected.data = str(count)
    return render_template(
        "admin/by_score.html", form=form, count=count, sites=visible_sites(current_user)
    ), status
