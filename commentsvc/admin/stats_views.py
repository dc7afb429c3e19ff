"""The stats page: charts of volumes, the queue, moderators and the model's agreement."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from commentsvc.admin import charts
from commentsvc.admin.blueprint import bp
from commentsvc.admin.labels import action_text
from commentsvc.moderation import stats
from commentsvc.moderation.access import visible_sites
from commentsvc.moderation.errors import ModerationError

PERIODS = (7, 30, 90)


def _status_texts() -> dict[str, str]:
    return {
        "published": _("Published"),
        "pending": _("Pending"),
        "spam": _("Spam"),
        "rejected": _("Rejected"),
        "deleted": _("Deleted"),
    }


@bp.route("/stats")
def stats_page():
    days = request.args.get("days", "30")
    if not days.isdigit() or int(days) not in PERIODS:
        raise ModerationError(400, _("Choose a period of 7, 30 or 90 days."), code="bad_filter")
    site = request.args.get("site") or None
    model = current_app.extensions["spam_model"]
    report = stats.compute(
        current_user, site=site, days=int(days), defaults=model.default_thresholds
    )
    labels = [d.strftime("%d/%m") for d in report.days]
    actions = sorted({a for _name, counts in report.per_moderator for a in counts})
    figures = {
        "per_day": charts.stacked_bars(
            _("Comments per day by status"), labels, report.per_day, _status_texts()
        ),
        "spam_rate": charts.lines(
            _("Share of spam per day"), labels, {_("spam"): report.spam_rate}, percent=True
        ),
        "queue": charts.lines(
            _("Queue size at the end of each day"), labels, {_("pending"): report.queue_size}
        ),
        "median": charts.lines(
            _("Median hours to a decision"), labels, {_("hours"): report.median_hours}
        ),
        "moderators": charts.stacked_bars(
            _("Decisions per moderator"),
            [name for name, _counts in report.per_moderator],
            {a: [c.get(a, 0) for _n, c in report.per_moderator] for a in actions},
            {a: action_text(a) for a in actions},
        ),
        "agreement": charts.lines(
            _("Model agreement with moderators, per week"),
            [a.week.strftime("%d/%m") for a in report.agreement],
            {
                _("precision"): [a.precision for a in report.agreement],
                _("recall"): [a.recall for a in report.agreement],
            },
            percent=True,
        ),
    }
    return render_template(
        "admin/stats.html",
        report=report,
        figures=figures,
        sites=visible_sites(current_user),
        site=site,
        days=int(days),
        periods=PERIODS,
    )
