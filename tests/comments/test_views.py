"""The iframe page and its form posts, through the test client, good input and bad."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models import Comment, Like, Report, Status
from tests.comments.conftest import PAGE, Embed
from tests.comments.helpers import row_counts
from tests.factories import make_comment, make_site, make_thread
from tests.htmlcheck import active_content


def test_page_headers_frame_only_by_site_origins(embed) -> None:
    response = embed.get()
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://news.example.fr https://www.example.fr" in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    html = response.get_data(as_text=True)
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    assert "<script>" not in html and "<script " in html


def test_page_in_site_language_then_explicit_lang(embed) -> None:
    html = embed.get().get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Laisser un commentaire" in html
    assert "Votre adresse e-mail ne sera pas publiée." in html
    assert "Les champs obligatoires sont indiqués avec *" in html
    english = embed.get(lang="en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Your email address will not be published." in english


def test_english_site_and_plural_counts(client) -> None:
    site = make_site("technews", origins=["https://tech.example.com"], lang="en")
    thread = make_thread(site, "https://tech.example.com/a")
    for _ in range(12):
        make_comment(thread)
    html = Embed(client, site, "https://tech.example.com/a").get().get_data(as_text=True)
    assert "12 comments" in html and '<html lang="en">' in html
    french = Embed(client, site, "https://tech.example.com/a").get(lang="fr")
    assert "12 commentaires" in french.get_data(as_text=True)


def test_labels_and_required_marks(embed, site) -> None:
    html = embed.get().get_data(as_text=True)
    for field in ("body", "author", "email", "website"):
        assert f'<label for="{field}">' in html
    assert re.search(r'id="email"[^>]*required|required[^>]*id="email"', html)
    site.require_email = False
    db.session.commit()
    html = embed.get().get_data(as_text=True)
    assert not re.search(r'<input[^>]*id="email"[^>]*required', html)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/embed/nosuchsite?url=https://news.example.fr/a", 404),
        ("/embed/lebigdata?url=https://evil.example.com/a", 403),
        ("/embed/lebigdata", 400),
        ("/embed/lebigdata?url=javascript:alert(1)", 400),
        ("/embed/lebigdata?url=https://news.example.fr/a&sort=random", 400),
        ("/embed/lebigdata?url=https://news.example.fr/a&cursor=%00", 400),
        ("/embed/lebigdata?url=https://news.example.fr/a%FF", 400),
        ("/embed/lebigdata/thread?url=https://evil.example.com/", 403),
    ],
)
def test_bad_page_requests(client, site, path, status) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert "<h1>" in response.get_data(as_text=True)


def test_foreign_url_message_is_clear(client, site) -> None:
    response = client.get("/embed/lebigdata?url=https://evil.example.com/a")
    assert "ne fait pas partie du site" in response.get_data(as_text=True)


def test_post_redirects_to_the_new_comment(embed) -> None:
    response = embed.comment(body="Un *avis* argumenté")
    assert response.status_code == 303
    comment = db.session.query(Comment).one()
    location = response.headers["Location"]
    assert location.endswith(f"#c{comment.id}")
    assert parse_qs(urlsplit(location).query)["url"] == [PAGE]
    page = embed.client.get(location).get_data(as_text=True)
    assert f'id="c{comment.id}"' in page
    assert "Un <em>avis</em> argumenté" in page
    assert "1 commentaire" in page


def test_thread_never_shows_private_data(embed) -> None:
    embed.comment(email="secret.address@example.fr", website="https://camille.example.fr")
    comment = db.session.query(Comment).one()
    comment.spam_score = 0.123456
    db.session.commit()
    html = embed.get().get_data(as_text=True)
    assert "secret.address" not in html
    assert "0.123456" not in html
    assert comment.ip_hash not in html
    assert 'href="https://camille.example.fr/" rel="nofollow ugc noopener"' in html


def test_hostile_markdown_is_sanitised_in_page(embed) -> None:
    body = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    embed.comment(body=body)
    html = embed.get().get_data(as_text=True)
    body_html = re.search(r'<div class="cs-body">(.*?)</div>', html, re.S).group(1)
    assert active_content(body_html) == []
    assert "&lt;script&gt;" in body_html  # shown as text, never run
    assert 'href="javascript' not in html


def test_pre_moderated_comment_only_its_author_sees(client) -> None:
    site = make_site("revue", origins=["https://news.example.fr"], mode="pre", min_seconds=0)
    embed = Embed(client, site)
    response = embed.comment(body="Mon avis en attente")
    assert response.status_code == 303
    mine = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mon avis en attente" in mine
    assert "En attente de modération" in mine
    other = embed.get().get_data(as_text=True)
    assert "Mon avis en attente" not in other
    assert "0 commentaire" in other
    forged = embed.get(mine="garbage").get_data(as_text=True)
    assert "Mon avis en attente" not in forged


def test_json_post_for_the_script(embed, site) -> None:
    response = embed.comment(json=True, body="Par script")
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "published" and data["edit_key"]
    assert f'id="c{data["id"]}"' in data["html"] and "Par script" in data["html"]
    assert data["count_text"] == "1 commentaire"
    assert "email" not in data["html"]
    reply = embed.comment(json=True, body="Réponse", parent_id=str(data["id"])).get_json()
    assert reply["parent_id"] == data["id"] and 'data-level="1"' in reply["html"]


def test_json_post_pending_is_202(client) -> None:
    site = make_site("revue", origins=["https://news.example.fr"], mode="pre", min_seconds=0)
    response = Embed(client, site).comment(json=True)
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending"


def test_a_post_reads_the_sites_recent_copy_and_sees_changes(embed, site, monkeypatch) -> None:
    from sqlalchemy import update

    from commentsvc import caching
    from commentsvc.models import Site
    from tests.comments.helpers import count_queries

    def last_status() -> str:
        db.session.rollback()
        return db.session.scalars(select(Comment.status).order_by(Comment.id.desc())).first()

    token = embed.token()  # the page keeps the site's copy
    assert site.name  # the helper reads it; only the post's own queries are counted
    with count_queries() as queries:
        assert embed.comment(token=token).status_code == 303
    # Loading the site as an object cost a post more than its rules' queries together.
    assert not [q for q in queries if "FROM sites" in q]
    assert last_status() == Status.PUBLISHED
    # Another process switches the site to pre-moderation (no flush in this one): the copy
    # serves until it is SITE_SECONDS old, as for reads.
    db.session.execute(update(Site).where(Site.id == site.id).values(moderation_mode="pre"))
    db.session.commit()
    assert embed.comment(token=token).status_code == 303
    assert last_status() == Status.PUBLISHED
    monkeypatch.setattr(caching, "SITE_SECONDS", 0.0)
    assert embed.comment(token=token).status_code == 303
    assert last_status() == Status.PENDING
    # A change made in this process applies at once, whatever the delay.
    monkeypatch.setattr(caching, "SITE_SECONDS", 3600.0)
    db.session.get(Site, site.id).moderation_mode = "post"
    db.session.commit()
    assert embed.comment(token=token).status_code == 303
    assert last_status() == Status.PUBLISHED


def test_reply_form_without_javascript(embed) -> None:
    embed.comment(author="Alice")
    parent = db.session.query(Comment).one()
    html = embed.get(reply=parent.id).get_data(as_text=True)
    assert "Répondre à Alice" in html
    assert f'name="parent_id" type="hidden" value="{parent.id}"' in html
    assert embed.comment(parent_id=str(parent.id), body="Réponse").status_code == 303
    reply = db.session.query(Comment).filter(Comment.parent_id == parent.id).one()
    assert reply.root_id == parent.id


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "Le formulaire est incomplet"),
        ("forged.token.value", "pas valable pour cette page"),
    ],
)
def test_missing_or_forged_token_is_400_readable(embed, token, message) -> None:
    before = row_counts()
    response = embed.comment(token=token)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "Retour aux commentaires" in html
    assert "frame-ancestors https://news.example.fr" in response.headers["Content-Security-Policy"]
    assert row_counts() == before


def test_token_of_another_page_or_site_is_refused(client, site, embed) -> None:
    other_page = Embed(client, site, PAGE + "-autre").token()
    other_site = Embed(client, make_site(origins=["https://news.example.fr"])).token()
    before = row_counts()
    assert embed.comment(token=other_page).status_code == 400
    assert embed.comment(token=other_site).status_code == 400
    assert row_counts() == before


def test_expired_token_keeps_the_text(embed, monkeypatch) -> None:
    import time

    real = time.time
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: real() - 7 * 3600)
        old = embed.token()
    before = row_counts()
    response = embed.comment(token=old, body="Mon texte précieux")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ce formulaire a expiré" in html
    assert "Mon texte précieux" in html
    assert row_counts() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "x" * 5001}, "Au plus 5000 caractères"),
        ({"author": "n" * 101}, "Au plus 100 caractères"),
        ({"email": "pas-une-adresse"}, "Cette adresse e-mail n’est pas valide."),
        ({"website": "javascript:alert(1)"}, "Cette adresse de site web n’est pas valide."),
        ({"website": "https://" + "a" * 600 + ".fr"}, "Au plus 500 caractères"),
        ({"email": ""}, "Indiquez votre adresse e-mail."),
        ({"author": ""}, "Indiquez votre nom."),
        ({"body": "   "}, "Écrivez un commentaire."),
    ],
)
def test_invalid_fields_show_the_form_again_in_french(embed, fields, message) -> None:
    before = row_counts()
    response = embed.comment(**fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'id="cs-form"' in html
    assert row_counts() == before


def test_invalid_field_message_in_english(embed) -> None:
    response = embed.client.post(
        f"/embed/{embed.site.name}/comments?lang=en",
        data={
            "url": PAGE,
            "token": embed.token(),
            "author": "A",
            "email": "nope",
            "body": "Hello",
        },
    )
    assert response.status_code == 422
    assert "This email address is not valid." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "raw",
    [
        b"body=%FF%FE&author=a",
        b"body=caf%C3&author=a",
        b"body=nul%00byte&author=a",
        b"body=bell%07&author=a",
        b"author=esc%1B&body=x",
        b"body=c1%C2%85&author=a",
    ],
)
def test_invalid_utf8_and_control_characters_are_400(embed, raw) -> None:
    token = embed.token()
    before = row_counts()
    body = raw + b"&email=a%40b.fr&url=" + PAGE.encode() + b"&token=" + token.encode()
    response = embed.client.post(
        f"/embed/{embed.site.name}/comments",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "caractères non valides" in response.get_data(as_text=True)
    assert row_counts() == before


def test_newlines_and_tabs_are_fine(embed) -> None:
    assert embed.comment(body="ligne 1\r\n\tligne 2").status_code == 303


def test_multipart_is_415(embed) -> None:
    response = embed.client.post(
        f"/embed/{embed.site.name}/comments",
        data={"body": "x", "url": PAGE},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415


def test_bad_parent_is_422_and_nothing_stored(embed, site) -> None:
    other = make_thread(site, PAGE + "-autre")
    foreign = make_comment(other)
    here = make_thread(site, PAGE)
    pending = make_comment(here, status=Status.PENDING)
    before = row_counts()
    for parent in (foreign.id, pending.id, 10**9):
        response = embed.comment(parent_id=str(parent))
        assert response.status_code == 422
    assert row_counts() == before
    html = embed.comment(parent_id=str(foreign.id)).get_data(as_text=True)
    assert "Vous ne pouvez pas répondre à ce commentaire ici." in html


def test_closed_thread_shows_comments_without_form(embed, site) -> None:
    thread = make_thread(site, PAGE, closed=True)
    make_comment(thread, "Ancien commentaire")
    html = embed.get().get_data(as_text=True)
    assert "Ancien commentaire" in html
    assert 'id="cs-form"' not in html
    assert "Les commentaires sont fermés sur cette page." in html
    before = row_counts()
    # A form token still issued to the closed page: the post is refused anyway.
    from commentsvc.comments.formtoken import issue_form_token

    response = embed.comment(token=issue_form_token(site.name, PAGE))
    assert response.status_code == 403
    assert row_counts() == before


def _posted(embed, **fields):
    data = embed.comment(json=True, **fields).get_json()
    return data["id"], data["edit_key"]


def test_edit_and_delete_without_javascript(embed) -> None:
    response = embed.comment(body="Premier jet")
    comment = db.session.query(Comment).one()
    page = embed.client.get(response.headers["Location"]).get_data(as_text=True)
    key = re.search(r'name="edit_key" value="([^"]+)"', page).group(1)
    assert "Modifier ou supprimer votre commentaire" in page
    edited = embed.post(f"comments/{comment.id}/edit", edit_key=key, body="Version **finale**")
    assert edited.status_code == 303 and edited.headers["Location"].endswith(f"#c{comment.id}")
    after = embed.client.get(edited.headers["Location"]).get_data(as_text=True)
    assert "Version <strong>finale</strong>" in after
    assert "modifié" in after and "Votre commentaire a été modifié." in after
    deleted = embed.post(f"comments/{comment.id}/delete", edit_key=key)
    assert deleted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == Status.DELETED


def test_edit_with_wrong_key_or_late_is_403(embed) -> None:
    comment_id, key = _posted(embed, body="Texte d’origine")
    wrong = embed.post(f"comments/{comment_id}/edit", edit_key="nope", body="Piraté")
    assert wrong.status_code == 403
    assert "Vous ne pouvez modifier que vos propres commentaires." in wrong.get_data(as_text=True)
    comment = db.session.get(Comment, comment_id)
    from datetime import timedelta

    comment.created_at -= timedelta(minutes=20)
    db.session.commit()
    late = embed.post(f"comments/{comment_id}/delete", edit_key=key, json=True)
    assert late.status_code == 403
    assert "15 minutes" in late.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Comment, comment_id).body_source == "Texte d’origine"


def test_edit_by_script_returns_new_html(embed) -> None:
    comment_id, key = _posted(embed)
    data = embed.post(
        f"comments/{comment_id}/edit", json=True, edit_key=key, body="*Nouveau*"
    ).get_json()
    assert data["ok"] and data["body_html"] == "<p><em>Nouveau</em></p>"
    assert data["edited"] == "modifié"


def test_deleted_comment_with_reply_leaves_placeholder(embed) -> None:
    parent_id, key = _posted(embed, body="Je vais regretter")
    embed.comment(json=True, body="Une réponse", parent_id=str(parent_id))
    assert embed.post(f"comments/{parent_id}/delete", json=True, edit_key=key).status_code == 200
    html = embed.get().get_data(as_text=True)
    assert "Je vais regretter" not in html
    assert "Ce commentaire a été supprimé par son auteur." in html
    assert "Une réponse" in html


def test_like_once_by_script_and_without(embed) -> None:
    comment_id, _ = _posted(embed)
    first = embed.post(f"comments/{comment_id}/like", json=True, reader_key="browser-1")
    assert first.status_code == 200 and first.get_json()["likes"] == 1
    again = embed.post(f"comments/{comment_id}/like", json=True, reader_key="browser-1")
    assert again.status_code == 409
    assert again.get_json()["message"] == "Vous aimez déjà ce commentaire."
    assert db.session.query(Like).count() == 1
    panel = embed.get(act="like", c=comment_id).get_data(as_text=True)
    assert "Aimer ce commentaire" in panel and f"/comments/{comment_id}/like" in panel


def test_report_without_javascript(embed) -> None:
    comment_id, _ = _posted(embed)
    panel = embed.get(act="report", c=comment_id).get_data(as_text=True)
    assert "Signaler ce commentaire aux modérateurs" in panel
    assert '<option value="off-topic">Hors sujet</option>' in panel
    response = embed.post(
        f"comments/{comment_id}/report", reason="abuse", detail="Insultes", reader_key=""
    )
    assert response.status_code == 303
    assert "done=report" in response.headers["Location"]
    report = db.session.query(Report).one()
    assert (report.reason, report.detail) == ("abuse", "Insultes")
    bad = embed.post(f"comments/{comment_id}/report", reason="boring", json=True)
    assert bad.status_code == 422


@pytest.mark.parametrize("action", ["edit", "delete", "like", "report"])
def test_actions_need_the_form_token(embed, action) -> None:
    comment_id, key = _posted(embed)
    before = row_counts()
    response = embed.post(
        f"comments/{comment_id}/{action}",
        token="",
        edit_key=key,
        body="x",
        reason="spam",
        reader_key="k",
    )
    assert response.status_code == 400
    assert row_counts() == before


def test_actions_on_other_sites_comment_are_404(embed, client) -> None:
    other = make_site(origins=["https://autre.example.org"])
    foreign = make_comment(make_thread(other, "https://autre.example.org/a"))
    response = embed.post(f"comments/{foreign.id}/like", reader_key="k")
    assert response.status_code == 404


def test_pagination_link_and_fragment(embed, site) -> None:
    thread = make_thread(site, PAGE)
    for n in range(25):
        make_comment(thread, f"Commentaire numéro {n}")
    html = embed.get().get_data(as_text=True)
    assert "Commentaire numéro 19" in html and "Commentaire numéro 20" not in html
    more = re.search(r'class="cs-button cs-more" href="([^"]+)"', html).group(1)
    second = embed.client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert "Commentaire numéro 20" in second
    fragment = embed.client.get(
        more.replace("&amp;", "&").replace(f"/embed/{site.name}?", f"/embed/{site.name}/thread?")
    )
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert "Commentaire numéro 24" in text and "<html" not in text


def test_relative_and_exact_dates(embed, site) -> None:
    from datetime import timedelta

    thread = make_thread(site, PAGE)
    make_comment(thread, age=timedelta(hours=3))
    html = embed.get().get_data(as_text=True)
    assert "il y a 3 heures" in html
    assert re.search(r'<time datetime="[^"]+" title="\d+ \w+ \d{4}', html)


def test_form_timing_and_honeypot_reach_the_pipeline(client) -> None:
    site = make_site("rapide", origins=["https://news.example.fr"], mode="post", min_seconds=30)
    embed = Embed(client, site)
    assert embed.comment(body="Envoyé trop vite").status_code == 303
    assert db.session.query(Comment).one().status == Status.SPAM
    site.min_seconds = 0
    db.session.commit()
    embed.comment(body="Un robot remplit tout", homepage="https://spam.example")
    trapped = db.session.query(Comment).filter(Comment.body_source.like("Un robot%")).one()
    assert trapped.status == Status.SPAM
    assert [r["code"] for r in trapped.rule_reasons] == ["honeypot"]


def _thread_html(html: str) -> str:
    return html.split('<section id="cs-thread"', 1)[1].split("</section>", 1)[0]


def test_thread_fragment_is_the_same_for_every_reader(embed) -> None:
    response = embed.comment(body="Le mien")
    embed.comment(body="Un autre", author="Bob")
    author_view = embed.client.get(response.headers["Location"]).get_data(as_text=True)
    stranger = Embed(embed.client.application.test_client(), embed.site)
    stranger_view = stranger.get().get_data(as_text=True)
    assert "Modifier ou supprimer votre commentaire" in author_view
    assert "Modifier ou supprimer" not in stranger_view
    # Only the part outside the thread differs: the thread itself can be cached and shared.
    strip = re.compile(r"<time[^>]*>[^<]*</time>")
    assert strip.sub("", _thread_html(author_view)) == strip.sub("", _thread_html(stranger_view))
    assert "token" not in _thread_html(author_view)


def test_page_query_count_does_not_grow_with_the_thread(embed, site) -> None:
    from tests.comments.helpers import count_queries

    small = make_thread(site, PAGE)
    make_comment(small)
    big = make_thread(site, PAGE + "-long")
    for n in range(30):
        root = make_comment(big, f"racine {n}")
        make_comment(big, f"réponse {n}", parent=root)
    assert site.name  # the helper reads it; only the view's own queries are counted
    with count_queries() as few:
        assert embed.get().status_code == 200
    with count_queries() as many:
        assert Embed(embed.client, site, PAGE + "-long").get().status_code == 200
    # The thread (and its cache version), one page of top-level comments, replies; the site
    # may come from the process's short-lived copy (commentsvc.caching.recent_site).
    few, many = ([q for q in queries if "FROM sites" not in q] for queries in (few, many))
    assert len(many) == len(few) <= 4


def test_too_deep_reply_says_in_reply_to(embed, site) -> None:
    site.max_depth = 1
    db.session.commit()
    thread = make_thread(site, PAGE)
    root = make_comment(thread, author_name="Alice")
    first = make_comment(thread, parent=root, author_name="Bob")
    make_comment(thread, "Trop profond", parent=first, author_name="Chloé")
    html = embed.get().get_data(as_text=True)
    assert f'en réponse à <a href="#c{first.id}"><bdi>Bob</bdi></a>' in html


def test_https_keeps_keys_and_author_in_partitioned_cookies(client, site) -> None:
    embed = Embed(client, site)
    html = client.get(
        f"/embed/{site.name}", query_string={"url": PAGE}, base_url="https://comments.example.org"
    ).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/embed/{site.name}/comments",
        data={
            "url": PAGE,
            "token": token,
            "author": "Camille",
            "email": "camille@example.fr",
            "body": "Par HTTPS",
            "remember": "y",
        },
        base_url="https://comments.example.org",
    )
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
            assert attribute in cookie
        assert f"Path=/embed/{site.name}" in cookie
        assert "camille@example.fr" not in cookie
    # Without the redirect's parameter, the cookie alone brings back the edit form and the name.
    again = client.get(
        f"/embed/{site.name}", query_string={"url": PAGE}, base_url="https://comments.example.org"
    ).get_data(as_text=True)
    assert "Modifier ou supprimer votre commentaire" in again
    assert 'id="author" maxlength="100" name="author" required type="text" value="Camille"' in again
    # Plain HTTP: no cookie at all (browsers would refuse a Secure one); storage is the script's.
    assert embed.comment(body="Par HTTP").headers.getlist("Set-Cookie") == []
