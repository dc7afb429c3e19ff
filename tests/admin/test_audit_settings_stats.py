import re

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Comment, Site, Status, WordList
from commentsvc.moderation import actions
from commentsvc.moderation.actions import Decision
from commentsvc.moderation.audit import Action
from tests.admin.conftest import post
from tests.factories import make_comment, make_thread


def html(response) -> str:
    return response.get_data(as_text=True)


def test_audit_page_lists_filters_and_undoes(signed_in, moderator, thread) -> None:
    a = make_comment(thread, "un", status=Status.PENDING)
    b = make_comment(thread, "deux", status=Status.PENDING)
    actions.decide(a.id, Decision(Action.APPROVE), moderator=moderator)
    actions.decide(b.id, Decision(Action.SPAM, None, "pub"), moderator=moderator)
    page = html(signed_in.get("/admin/audit"))
    assert "modo@example.org" in page and "pub" in page
    assert "en attente → spam" in page
    only_spam = html(signed_in.get("/admin/audit?action=spam"))
    assert f"#{b.id}" in only_spam and f'href="/admin/comments/{a.id}"' not in only_spam
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.comment_id == b.id))
    response = post(signed_in, f"/admin/audit/{entry.id}/undo", {"next": "/admin/audit"})
    assert response.status_code == 302
    db.session.refresh(b)
    assert b.status == Status.PENDING
    page = html(signed_in.get("/admin/audit"))
    assert "annulation" in page and "annulée" in page
    # The log is append-only: three entries now, none rewritten.
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 3


@pytest.mark.parametrize(
    "query", ["action=nope", "comment=abc", "from=hier", "before=-1", "site=inconnu"]
)
def test_bad_audit_filters(signed_in, query) -> None:
    response = signed_in.get(f"/admin/audit?{query}")
    assert response.status_code in (400, 404)


def test_undo_errors_are_4xx(signed_in) -> None:
    assert post(signed_in, "/admin/audit/9999/undo").status_code == 404


def test_settings_page_for_admins_only(signed_in, site) -> None:
    assert signed_in.get(f"/admin/sites/{site.name}/settings").status_code == 403


def _settings_form(**changes):
    form = {
        "origins": "https://news.example.fr\nhttps://www.example.fr/",
        "moderation_mode": "auto",
        "default_lang": "fr",
        "hold_threshold": "0.4",
        "spam_threshold": "0.9",
        "banned_words": "viagra\ncasino*",
        "suspect_words": "gratuit",
        "max_depth": "4",
        "edit_window_minutes": "30",
        "close_after_days": "0",
        "report_threshold": "2",
        "trusted_after": "5",
        "min_seconds": "4",
        "max_links": "1",
        "require_email": "y",
        "notify_emails": "veille@example.fr",
        "queue_alert_threshold": "50",
    }
    form.update(changes)
    return form


def test_settings_saved_and_audited_and_undoable(admin_client, site) -> None:
    response = post(admin_client, f"/admin/sites/{site.name}/settings", _settings_form())
    assert response.status_code == 302
    db.session.rollback()
    site = db.session.get(Site, site.id)
    assert site.origins == ["https://news.example.fr", "https://www.example.fr"]
    assert (site.moderation_mode, site.hold_threshold, site.spam_threshold) == ("auto", 0.4, 0.9)
    assert site.edit_window_seconds == 1800 and site.report_threshold == 2
    assert site.notify_emails == ["veille@example.fr"] and site.require_name is False
    lists = {wl.action: wl.words for wl in db.session.scalars(select(WordList))}
    assert lists == {"reject": ["viagra", "casino*"], "hold": ["gratuit"]}
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "settings" and "moderation_mode" in entry.reason
    page = html(admin_client.get(f"/admin/sites/{site.name}/settings"))
    assert "casino*" in page
    assert post(admin_client, f"/admin/audit/{entry.id}/undo").status_code == 302
    db.session.rollback()
    assert db.session.get(Site, site.id).moderation_mode == "pre"
    assert db.session.scalar(select(func.count(WordList.id))) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"origins": "pas une origine"}, "origin"),
        ({"origins": ""}, "au moins une origine"),
        ({"banned_words": "ok\n!!!"}, "line 2"),
        ({"hold_threshold": "0.95", "spam_threshold": "0.5"}, "inférieur au seuil"),
        ({"spam_threshold": "1.5"}, "entre 0 et 1"),
        ({"max_depth": "-1"}, "entre 0 et 10"),
        ({"max_depth": "beaucoup"}, "entier valide"),
        ({"moderation_mode": "chaos"}, "choix valide"),
        ({"notify_emails": "pas-une-adresse"}, "adresse e-mail"),
        ({"min_seconds": "100000"}, "600"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(admin_client, site, change, message) -> None:
    response = post(admin_client, f"/admin/sites/{site.name}/settings", _settings_form(**change))
    assert response.status_code in (400, 422)
    page = html(response)
    assert 'class="error"' in page and message.lower() in page.lower()
    db.session.rollback()
    assert db.session.get(Site, site.id).moderation_mode == "pre"
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_unknown_site_settings_is_404(admin_client) -> None:
    assert admin_client.get("/admin/sites/nope/settings").status_code == 404


def test_stats_page_draws_charts(signed_in, moderator, thread) -> None:
    for i in range(4):
        c = make_comment(thread, f"s{i}", status=Status.PENDING, spam_score=0.95 if i < 2 else 0.1)
        action = Action.SPAM if i % 2 == 0 else Action.NOT_SPAM
        actions.decide(c.id, Decision(action), moderator=moderator)
    make_comment(thread, "waiting", status=Status.PENDING)
    page = html(signed_in.get("/admin/stats?days=7"))
    assert page.count("<svg") == 6
    assert "modo@example.org" in page
    assert "En attente de relecture\xa0: 1" in page or "En attente de relecture : 1" in page
    # Model said spam for s0, s1; moderators: s0 spam, s1 not spam, s2 spam, s3 not spam.
    row = re.search(r"<td>(\d+)</td>\s*<td>(\d+ %)</td>\s*<td>(\d+ %)</td>", page)
    assert row.groups() == ("4", "50 %", "50 %")


def test_stats_bad_period_is_400(signed_in) -> None:
    assert signed_in.get("/admin/stats?days=1000").status_code == 400


# --- every route refuses another site's moderator -------------------------------------------


@pytest.fixture
def foreign(other_site):
    thread = make_thread(other_site)
    comment = make_comment(thread, "ailleurs", status=Status.PENDING)
    return other_site, thread, comment


def test_every_route_is_403_for_another_sites_moderator(signed_in, foreign, admin) -> None:
    site, thread, comment = foreign
    actions.decide(comment.id, Decision(Action.REJECT), moderator=admin)
    entry = db.session.scalar(select(AuditEntry))
    before = db.session.scalar(select(Comment.revision).where(Comment.id == comment.id))
    gets = [
        f"/admin/comments/{comment.id}",
        f"/admin/queue?site={site.name}",
        f"/admin/queue?thread={thread.id}",
        f"/admin/queue/counts?site={site.name}",
        f"/admin/audit?site={site.name}",
        f"/admin/stats?site={site.name}",
        f"/admin/sites/{site.name}/settings",
    ]
    for path in gets:
        assert signed_in.get(path).status_code == 403, path
    posts = [
        (f"/admin/comments/{comment.id}/decide", {"action": "approve"}),
        (f"/admin/comments/{comment.id}/claim", {}),
        (f"/admin/comments/{comment.id}/edit", {"body": "modifié"}),
        ("/admin/bulk", {"action": "approve", "selected": f"{comment.id}:{before}"}),
        (
            "/admin/by-score",
            {"site": site.name, "status": "pending", "min_score": "0", "action": "spam"},
        ),
        (f"/admin/audit/{entry.id}/undo", {}),
        (f"/admin/sites/{site.name}/settings", _settings_form()),
    ]
    for path, data in posts:
        assert post(signed_in, path, data).status_code == 403, path
    db.session.rollback()
    stored = db.session.get(Comment, comment.id)
    assert (stored.status, stored.revision, stored.body_source) == ("rejected", before, "ailleurs")
    assert stored.claimed_by_id is None
