"""Two small admin pages: a moderator's API tokens, and an admin's personal-data requests."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Email, Length

from commentsvc.api import tokens
from commentsvc.i18n import use_site_language
from commentsvc.security_log import note_refusal

bp = Blueprint("api_admin", __name__, url_prefix="/admin", template_folder="templates")


class TokenForm(FlaskForm):
    name = StringField(
        _l("What the token is for"), validators=[DataRequired(), Length(max=tokens.MAX_NAME)]
    )


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking is a button."""


class PersonForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    confirm = BooleanField(_l("I confirm the erasure: it cannot be undone"))


@bp.before_request
def _guard() -> Response | None:
    lang = session.get("lang")
    if lang in ("fr", "en"):
        use_site_language(lang)
    if not current_user.is_authenticated:
        note_refusal("login_required")
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    return None


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            new_token, _row = tokens.create_token(current_user, form.name.data)
        except tokens.TokenError:
            form.name.errors = [*form.name.errors, _("Give the token a name.")]
    return render_template(
        "api/admin_tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        new_token=new_token,
        tokens=tokens.list_tokens(current_user),
    )


@bp.post("/api-tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    if RevokeForm().validate_on_submit():
        try:
            tokens.revoke_token(token_id, moderator=current_user)
            flash(_("The token is revoked."))
        except tokens.TokenError:
            flash(_("There is no such token."))
    return redirect(url_for("api_admin.api_tokens"))


@bp.route("/personal-data", methods=["GET", "POST"])
def personal_data():
    from commentsvc import gdpr

    if not current_user.is_admin:
        return render_template(
            "admin/error.html", status=403, message=_("Only an administrator may do this.")
        ), 403
    form = PersonForm()
    if not form.validate_on_submit():
        return render_template("api/admin_personal_data.html", form=form)
    if request.form.get("do") == "export":
        body = json.dumps(gdpr.export_person(form.email.data), ensure_ascii=False, indent=2)
        response = Response(body, mimetype="application/json")
        response.headers["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response
    if not form.confirm.data:
        form.confirm.errors = [_("Tick the box to confirm the erasure.")]
        return render_template("api/admin_personal_data.html", form=form), 422
    result = gdpr.erase_person(form.email.data, actor=current_user.email, moderator=current_user)
    flash(
        _(
            "%(n)d comments anonymised, %(removed)d bodies removed.",
            n=result.comments,
            removed=result.bodies_removed,
        )
    )
    return redirect(url_for("api_admin.personal_data"))
