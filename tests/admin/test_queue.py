import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Comment, Report, Status
from tests.admin.conftest import csrf, post
from tests.factories import make_comment, make_thread


def html(response) -> str:
    return response.get_data(as_text=True)


def snapshot() -> tuple:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(AuditEntry.id))),
        tuple(db.session.execute(select(Comment.id, Comment.status, Comment.revision)).all()),
    )


def test_queue_shows_cards_with_everything_a_moderator_needs(signed_in, thread) -> None:
    make_comment(thread, "Ancien", author_email="x@b.fr", status=Status.REJECTED, ip_hash="h1")
    comment = make_comment(
        thread,
        "Achetez **maintenant** https://a.fr https://b.fr https://c.fr",
        author_email="x@b.fr",
        author_website="https://spam.example",
        status=Status.PENDING,
        ip_hash="h1",
        spam_score=0.87,
        spam_reasons=[{"code": "spam_score", "params": {"score": 0.87}, "weight": 1}],
        rule_reasons=[{"code": "too_many_links", "params": {"count": 3, "allowed": 2}}],
    )
    db.session.add(Report(comment_id=comment.id, reason="abuse", detail="insultant"))
    db.session.commit()
    page = html(signed_in.get("/admin/queue"))
    assert f'id="c{comment.id}"' in page
    assert "<strong>maintenant</strong>" in page  # rendered as readers see it
    assert "x@b.fr" in page and "https://spam.example" in page
    assert "0.87" in page
    assert "3 liens (le site en autorise 2)" in page  # rule reason, in French
    assert "abus" in page and "insultant" in page
    # This e-mail's history: one rejected, one pending.
    assert re.search(r"rejeté 1", page) and re.search(r"en attente 1", page)
    assert 'data-count="pending">1<' in page


def test_comment_html_is_sanitised_in_the_admin(signed_in, thread) -> None:
    from tests.htmlcheck import active_content

    make_comment(thread, "<script>alert(1)</script><img src=x onerror=alert(2)>", status="pending")
    page = html(signed_in.get("/admin/queue"))
    bodies = re.findall(r'<div class="body">(.*?)</div>', page, re.S)
    assert bodies and all(not active_content(body) for body in bodies)


def test_tabs(signed_in, thread) -> None:
    make_comment(thread, "p", status=Status.PENDING)
    make_comment(thread, "s", status=Status.SPAM)
    published = make_comment(thread, "ok")
    db.session.add(Report(comment_id=published.id, reason="spam"))
    db.session.commit()
    for tab, expected in [("spam", "<p>s</p>"), ("reported", "<p>ok</p>"), ("pending", "<p>p</p>")]:
        page = html(signed_in.get(f"/admin/queue?tab={tab}"))
        assert expected in page
        assert len(re.findall(r'class="card ', page)) == 1
    counts = signed_in.get("/admin/queue/counts").get_json()
    assert counts == {"pending": 1, "reported": 1, "spam": 1, "published": 1, "rejected": 0}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min=0.5", ["high", "mid"]),
        ("min=0.5&max=0.8", ["mid"]),
        ("q=MOT", ["mid"]),
        ("author=zoe@b.fr", ["low"]),
        ("author=Zo", ["low"]),
        ("sort=score", ["high", "mid", "low", "none"]),
        ("sort=oldest", ["mid", "none", "low", "high"]),
        ("sort=reports", ["mid", "high", "low", "none"]),
    ],
)
def test_filters_and_sorts(signed_in, thread, query, expected) -> None:
    make_comment(thread, "none", status="pending", age=timedelta(hours=4))
    make_comment(
        thread,
        "low",
        status="pending",
        spam_score=0.1,
        author_name="Zoé",
        author_email="zoe@b.fr",
        age=timedelta(hours=3),
    )
    make_comment(
        thread, "mid un mot", status="pending", spam_score=0.6, reports_count=5, age=timedelta(2)
    )
    make_comment(thread, "high", status="pending", spam_score=0.95, reports_count=1)
    page = html(signed_in.get(f"/admin/queue?{query}"))
    found = re.findall(r'<div class="body"><p>(\w+)', page)
    assert found == expected


def test_date_and_thread_filters(signed_in, site, thread) -> None:
    other_thread = make_thread(site)
    make_comment(thread, "old", status="pending", age=timedelta(days=10))
    make_comment(thread, "new", status="pending")
    make_comment(other_thread, "elsewhere", status="pending")
    from commentsvc.models import utcnow

    today = utcnow().date().isoformat()
    page = html(signed_in.get(f"/admin/queue?from={today}&to={today}&thread={thread.id}"))
    assert re.findall(r'<div class="body"><p>(\w+)', page) == ["new"]


@pytest.mark.parametrize(
    "query",
    [
        "tab=nope",
        "sort=random",
        "min=abc",
        "min=2",
        "max=nan",
        "min=0.9&max=0.1",
        "from=2026-13-45",
        "from=2026-02-01&to=2026-01-01",
        "thread=abc",
        "cursor=!!!notbase64",
        "cursor=WzAsIm5vcGUiXQ",
    ],
)
def test_bad_filters_are_400_with_a_message(signed_in, query) -> None:
    response = signed_in.get(f"/admin/queue?{query}")
    assert response.status_code == 400
    assert 'class="error"' in html(response)


def test_unknown_site_or_thread_is_404(signed_in) -> None:
    assert signed_in.get("/admin/queue?site=nope").status_code == 404
    assert signed_in.get("/admin/queue?thread=9999").status_code == 404


def test_keyset_pages_cover_everything_once(signed_in, thread, app) -> None:
    for i in range(30):
        make_comment(thread, f"n{i}", status="pending", spam_score=(i % 7) / 10 or None)
    for sort in ("newest", "score", "oldest"):
        seen, url = [], f"/admin/queue?sort={sort}"
        while url:
            page = html(signed_in.get(url))
            seen += re.findall(r'<div class="body"><p>(n\d+)', page)
            found = re.search(r'href="([^"]+)" rel="next"', page)
            url = found.group(1).replace("&amp;", "&") if found else None
        assert sorted(seen) == sorted(f"n{i}" for i in range(30)), sort


def test_moderator_does_not_see_other_sites(signed_in, thread, other_site) -> None:
    make_comment(thread, "mine", status="pending")
    make_comment(make_thread(other_site), "theirs", status="pending")
    page = html(signed_in.get("/admin/queue"))
    assert "mine" in page and "theirs" not in page
    assert signed_in.get("/admin/queue?site=autre").status_code == 403
    assert signed_in.get("/admin/queue/counts").get_json()["pending"] == 1


def test_decide_by_http_and_return_to_the_queue(signed_in, thread) -> None:
    comment = make_comment(thread, status=Status.PENDING)
    response = post(
        signed_in,
        f"/admin/comments/{comment.id}/decide",
        {"action": "approve", "revision": comment.revision, "next": "/admin/queue?tab=pending"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/queue?tab=pending")
    db.session.refresh(comment)
    assert comment.status == Status.PUBLISHED
    assert "Fait" in html(signed_in.get("/admin/queue"))


def test_decision_without_csrf_is_refused(signed_in, thread) -> None:
    comment = make_comment(thread, status=Status.PENDING)
    before = snapshot()
    response = signed_in.post(f"/admin/comments/{comment.id}/decide", data={"action": "approve"})
    assert response.status_code == 400
    assert snapshot() == before


def test_stale_decision_by_http_is_409_with_a_message(signed_in, thread) -> None:
    comment = make_comment(thread, status=Status.PENDING)
    before = snapshot()
    response = post(
        signed_in,
        f"/admin/comments/{comment.id}/decide",
        {"action": "spam", "revision": comment.revision + 1},
    )
    assert response.status_code == 409
    assert "a changé depuis que vous l’avez ouvert" in html(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"action": "explode"}, 400),
        ({"action": "approve", "revision": "abc"}, 400),
        ({"action": "reject", "reason": "x" * 600}, 400),
    ],
)
def test_bad_decisions_are_4xx(signed_in, thread, data, status) -> None:
    comment = make_comment(thread, status=Status.PENDING)
    before = snapshot()
    response = post(signed_in, f"/admin/comments/{comment.id}/decide", data)
    assert response.status_code == status
    assert snapshot() == before


def test_unknown_comment_is_404_everywhere(signed_in) -> None:
    assert signed_in.get("/admin/comments/9999").status_code == 404
    assert post(signed_in, "/admin/comments/9999/decide", {"action": "approve"}).status_code == 404
    assert post(signed_in, "/admin/comments/9999/claim").status_code == 404


def test_bulk_by_http(signed_in, thread) -> None:
    items = [make_comment(thread, f"b{i}", status=Status.PENDING) for i in range(3)]
    token = csrf(signed_in, "/admin/queue")
    response = signed_in.post(
        "/admin/bulk",
        data={
            "csrf_token": token,
            "action": "spam",
            "selected": [f"{c.id}:{c.revision}" for c in items[:2]],
            "next": "/admin/queue",
        },
    )
    assert response.status_code == 302
    statuses = list(db.session.scalars(select(Comment.status).order_by(Comment.id)))
    assert statuses == ["spam", "spam", "pending"]


@pytest.mark.parametrize(
    ("selected", "status"),
    [(["abc"], 400), ([], 422), (["1:2:3"], 400), ([f"{i}:0" for i in range(1, 300)], 413)],
)
def test_bad_bulk_selections(signed_in, thread, selected, status) -> None:
    make_comment(thread, status=Status.PENDING)
    before = snapshot()
    token = csrf(signed_in, "/admin/queue")
    response = signed_in.post(
        "/admin/bulk", data={"csrf_token": token, "action": "approve", "selected": selected}
    )
    assert response.status_code == status
    assert snapshot() == before


def test_by_score_preview_then_confirm(signed_in, site, thread) -> None:
    for score in (0.99, 0.985, 0.2):
        make_comment(thread, f"x{score}", status=Status.PENDING, spam_score=score)
    form = {"site": site.name, "thread": thread.id, "status": "pending", "min_score": "0.98"}
    form["action"] = "reject"
    preview = post(signed_in, "/admin/by-score", form)
    assert preview.status_code == 200
    assert "2\xa0commentaires correspondent" in html(preview) or "2 commentaires" in html(preview)
    assert set(db.session.scalars(select(Comment.status))) == {"pending"}
    done = post(signed_in, "/admin/by-score", {**form, "expected": "2", "confirm": "1"})
    assert done.status_code == 302
    db.session.rollback()
    assert sorted(db.session.scalars(select(Comment.status))) == ["pending", "rejected", "rejected"]


def test_by_score_count_changed_is_409(signed_in, site, thread) -> None:
    make_comment(thread, "a", status=Status.PENDING, spam_score=0.99)
    form = {"site": site.name, "status": "pending", "min_score": "0.98", "action": "spam"}
    response = post(signed_in, "/admin/by-score", {**form, "expected": "5", "confirm": "1"})
    assert response.status_code == 409
    assert set(db.session.scalars(select(Comment.status))) == {"pending"}


@pytest.mark.parametrize(
    "change", [{"min_score": "2"}, {"min_score": "abc"}, {"action": "nuke"}, {"status": "x"}]
)
def test_by_score_bad_input(signed_in, site, change) -> None:
    form = {"site": site.name, "status": "pending", "min_score": "0.98", "action": "spam"}
    response = post(signed_in, "/admin/by-score", {**form, **change})
    assert response.status_code == 400


def test_detail_page_claims_and_others_see_the_holder(app, site, thread, moderator) -> None:
    from tests.admin.conftest import login
    from tests.factories import make_moderator

    comment = make_comment(thread, status=Status.PENDING)
    first, second = app.test_client(), app.test_client()
    login(first, moderator)
    other = make_moderator("bob@example.org", sites=[site])
    login(second, other)
    assert "Vous examinez ce commentaire" in html(first.get(f"/admin/comments/{comment.id}"))
    page = html(second.get(f"/admin/comments/{comment.id}"))
    assert "modo@example.org examine ce commentaire" in page
    queue = html(second.get("/admin/queue"))
    assert "En cours d’examen par modo@example.org" in queue
    claimed = post(second, f"/admin/comments/{comment.id}/claim").get_json()
    assert claimed == {"mine": False, "holder": "modo@example.org", "until": claimed["until"]}


def test_reports_reaching_the_threshold_hide_and_queue_the_comment(signed_in, site, thread):
    from commentsvc.comments.services import Reader, report_comment

    site.report_threshold = 2
    db.session.commit()
    comment = make_comment(thread, "Contestable")
    for n in range(2):
        report_comment(
            comment.id, reason="abuse", reader=Reader(ip=f"10.0.0.{n}", browser_key=f"k{n}")
        )
    db.session.refresh(comment)
    assert comment.status == Status.PENDING
    page = html(signed_in.get("/admin/queue?tab=reported&sort=reports"))
    assert "Contestable" in page and page.count("<li>abus") == 2
    post(signed_in, f"/admin/comments/{comment.id}/decide", {"action": "approve"})
    assert "Contestable" not in html(signed_in.get("/admin/queue?tab=reported"))


def test_cards_show_the_html_stored_when_the_text_was_written(signed_in, thread) -> None:
    comment = make_comment(thread, "**gras**", status=Status.PENDING)
    # What the card shows is the stored rendering: no Markdown is rendered on a page view.
    comment.body_html = "<p>rendu <strong>stocké</strong></p>"
    db.session.commit()
    page = html(signed_in.get("/admin/queue"))
    assert "<p>rendu <strong>stocké</strong></p>" in page
    assert "<strong>gras</strong>" not in page
