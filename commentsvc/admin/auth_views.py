"""Sign in, sign out, change password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from commentsvc.admin.accounts import end_sessions
from commentsvc.admin.blueprint import bp, safe_next
from commentsvc.admin.forms import CsrfOnlyForm, LoginForm, PasswordForm
from commentsvc.admin.login import authenticate, change_password
from commentsvc.identity import hash_ip
from commentsvc.moderation.errors import ModerationError
from commentsvc.security_log import note_refusal


def _start_session(moderator) -> None:
    # A fresh session on sign-in: nothing planted before it survives (session fixation).
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(moderator)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            moderator = authenticate(
                form.email.data, form.password.data, ip_hash=hash_ip(request.remote_addr)
            )
        except ModerationError as exc:
            # Never the e-mail or the password: the address alone says who is attacked.
            note_refusal(f"login_{exc.code}")
            form.form_errors.append(str(exc.message))
            status = exc.status
        else:
            _start_session(moderator)
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        note_refusal("form_invalid", fields=form.errors)
        status = 400
    return render_template("admin/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        note_refusal("csrf", fields=form.errors)
        return render_template("admin/error.html", status=400, message=_("Please try again.")), 400
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data)
        except ModerationError as exc:
            note_refusal(f"password_{exc.code or 'refused'}")
            form.form_errors.append(str(exc.message))
            status = exc.status
        else:
            # The session token changed (other sessions end): this one signs in again.
            _start_session(current_user._get_current_object())
            flash(_("Your password was changed. Your other sessions were closed."))
            return redirect(url_for("admin.queue"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/password.html", form=form), status
