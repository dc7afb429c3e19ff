"""Sites and their settings (administrators only)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commentsvc.admin.blueprint import bp
from commentsvc.admin.forms import SettingsForm
from commentsvc.moderation import site_settings
from commentsvc.moderation.access import require_admin, site_by_name, visible_sites


@bp.route("/sites")
def sites_page():
    return render_template("admin/sites.html", sites=visible_sites(current_user))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _form_values(form: SettingsForm) -> dict:
    values = {
        name: form[name].data
        for name in (
            "moderation_mode",
            "default_lang",
            "max_depth",
            "close_after_days",
            "report_threshold",
            "trusted_after",
            "min_seconds",
            "max_links",
            "queue_alert_threshold",
            *site_settings.BOOLS,
        )
    }
    values["origins"] = _lines(form.origins.data)
    values["notify_emails"] = _lines(form.notify_emails.data)
    values["banned_words"] = (form.banned_words.data or "").splitlines()
    values["suspect_words"] = (form.suspect_words.data or "").splitlines()
    values["edit_window_seconds"] = (form.edit_window_minutes.data or 0) * 60
    for name in ("hold_threshold", "spam_threshold"):
        values[name] = float(form[name].data) if form[name].data is not None else None
    return values


def _fill(form: SettingsForm, values: dict) -> None:
    for name, value in values.items():
        if name in ("origins", "notify_emails", "banned_words", "suspect_words"):
            form[name].data = "\n".join(value)
        elif name == "edit_window_seconds":
            form.edit_window_minutes.data = value // 60
        elif name in form:
            form[name].data = value


@bp.route("/sites/<name>/settings", methods=["GET", "POST"])
def site_settings_page(name: str):
    require_admin(current_user)
    site = site_by_name(name, current_user)
    form = SettingsForm()
    status = 200
    if request.method == "GET":
        _fill(form, site_settings.current_values(site))
    elif form.validate_on_submit():
        try:
            site_settings.update_settings(site.id, _form_values(form), moderator=current_user)
        except site_settings.SettingsError as exc:
            for field, message in exc.errors.items():
                target = "edit_window_minutes" if field == "edit_window_seconds" else field
                form[target].errors = [*form[target].errors, str(message)]
            status = 422
        else:
            flash(_("Settings saved."))
            return redirect(url_for("admin.site_settings_page", name=site.name))
    else:
        status = 422
    return render_template("admin/settings.html", form=form, site=site), status
