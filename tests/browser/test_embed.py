"""The embed in a real browser: the demo page, and a publisher on another site with
third-party cookies blocked. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from tests.factories import make_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FRAME = "iframe.commentsvc-frame"


def _site(live, name: str, origins: list[str]):
    with live.app.app_context():
        # Posting right after the page loaded is what the test does, not a robot.
        make_site(name, origins=origins, mode="post", min_seconds=0)


def _comments(live) -> list[Comment]:
    with live.app.app_context():
        rows = db.session.query(Comment).order_by(Comment.id).all()
        db.session.expunge_all()
        return rows


def _wait_fitted(page, frame) -> None:
    """Wait until the host made the iframe exactly as tall as its content."""
    page.wait_for_function(
        """(h) => Math.abs(document.querySelector('iframe.commentsvc-frame')
                .getBoundingClientRect().height - h) <= 1""",
        arg=frame.evaluate("() => document.documentElement.getBoundingClientRect().height"),
        timeout=5000,
    )


def _post(frame, body: str, *, author: str = "Camille", email: str = "camille@example.fr"):
    form = frame.locator("#cs-form")
    form.locator("textarea[name=body]").fill(body)
    if form.locator("input[name=author]").input_value() == "":
        form.locator("input[name=author]").fill(author)
        form.locator("input[name=email]").fill(email)
    form.locator("button[type=submit]").click()


def test_demo_page_resizes_posts_and_replies_without_reload(live_server, browser, artifact):
    _site(live_server, "demo", [live_server.url])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/demo/")
    frame_el = page.wait_for_selector(FRAME)
    frame = frame_el.content_frame()
    frame.wait_for_selector("#cs-form")
    assert frame_el.get_attribute("title") == "Commentaires"
    assert "Aucun commentaire" in frame.inner_text("#cs-thread")
    _wait_fitted(page, frame)
    empty_height = frame_el.bounding_box()["height"]

    frame.evaluate("() => { window.__notReloaded = true; }")
    _post(frame, "Très **intéressant**, merci pour l’enquête !")
    frame.wait_for_selector(".cs-top > .cs-item .cs-body strong")
    assert frame.evaluate("() => window.__notReloaded") is True
    assert frame.inner_text("#cs-count") == "1 commentaire"
    assert "Votre commentaire est publié." in frame.inner_text("#cs-status")

    root_id = frame.get_attribute(".cs-top > .cs-item", "data-id")
    frame.click(f"#c{root_id} > article [data-action=reply]")
    assert frame.locator(f"#c{root_id} > #cs-respond").count() == 1
    assert "Répondre à Camille" in frame.inner_text("#cs-form-title")
    _post(frame, "Je ne suis pas d’accord sur la consommation.", author="Lucas")
    frame.wait_for_selector(f"#c{root_id} > .cs-replies > .cs-item")
    assert frame.evaluate("() => window.__notReloaded") is True
    assert "Je ne suis pas d’accord" in frame.inner_text(f"#c{root_id} > .cs-replies")

    _wait_fitted(page, frame)
    assert frame_el.bounding_box()["height"] > empty_height + 100
    assert errors == []
    comments = _comments(live_server)
    assert [c.status for c in comments] == [Status.PUBLISHED, Status.PUBLISHED]
    assert comments[1].parent_id == comments[0].id
    # A new reader (fresh browser cache) sees the counts on the article's count link.
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/demo/")
    page.wait_for_function(
        "() => document.querySelector('.byline [data-commentsvc-count]').textContent"
        " === '2 commentaires'"
    )
    frame = page.wait_for_selector(FRAME).content_frame()
    frame.wait_for_selector(".cs-replies .cs-item")
    _wait_fitted(page, frame)
    page.screenshot(path=str(artifact("demo-page.png")), full_page=True)
    context.close()


PUBLISHER_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Article chez l’éditeur</title>
<link rel="canonical" href="{origin}/2026/11/article-test">
<style>body{{font:18px Georgia,serif;max-width:760px;margin:40px auto;padding:0 16px}}</style>
</head><body>
<h1>Un article publié ailleurs</h1>
<p>Le service de commentaires est sur une autre origine que cette page.</p>
<div id="commentsvc-thread" data-site="editeur"></div>
<script src="{service}/embed.js" async></script>
</body></html>"""


@pytest.fixture(scope="module")
def cookieless_browser(launch_chromium):
    # Chromium's own switch for "third-party cookies blocked" (the phase-out).
    return launch_chromium("--test-third-party-cookie-phaseout")


def test_cross_site_embed_without_third_party_cookies(
    live_server, static_server, cookieless_browser, artifact
):
    url = static_server.add(
        "/2026/11/article-test",
        PUBLISHER_PAGE.format(origin=static_server.origin, service=live_server.url),
    )
    _site(live_server, "editeur", [static_server.origin])
    context = cookieless_browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    frame_el = page.wait_for_selector(FRAME)
    frame = frame_el.content_frame()
    frame.wait_for_selector("#cs-form")
    # Really cross-site: the host cannot reach into the frame.
    assert (
        page.evaluate("() => document.querySelector('iframe.commentsvc-frame').contentDocument")
        is None
    )
    assert frame.evaluate("() => document.body.dataset.pageOrigin") == static_server.origin

    _post(frame, "Commentaire depuis un autre site.")
    frame.wait_for_selector(".cs-top > .cs-item")
    root_id = frame.get_attribute(".cs-top > .cs-item", "data-id")
    frame.click(f"#c{root_id} > article [data-action=reply]")
    _post(frame, "Une réponse, toujours sans cookie tiers.", author="Inès")
    frame.wait_for_selector(f"#c{root_id} > .cs-replies > .cs-item")

    # This browser denies storage to a cross-site frame over HTTP: the reader is told that the
    # edit key lives only as long as the page, and it does.
    assert "Ce navigateur ne permet pas" in frame.inner_text("#cs-status")
    # Edit: the key was kept by the iframe (its storage, or memory where storage is blocked).
    frame.click(f"#c{root_id} > article .cs-edit")
    frame.fill(f"#cs-edit-{root_id}", "Commentaire *corrigé* depuis un autre site.")
    frame.click(f"#c{root_id} .cs-edit-inline button[type=submit]")
    frame.wait_for_selector(f"#c{root_id} > article .cs-body em")
    assert "modifié" in frame.inner_text(f"#c{root_id} > article .cs-when")

    # The host page was resized through postMessage across origins.
    page.wait_for_function(
        "() => document.querySelector('iframe.commentsvc-frame').getBoundingClientRect().height"
        " > 600"
    )
    assert errors == []
    comments = _comments(live_server)
    assert [c.body_source for c in comments] == [
        "Commentaire *corrigé* depuis un autre site.",
        "Une réponse, toujours sans cookie tiers.",
    ]
    assert comments[0].edited_at is not None and comments[1].parent_id == comments[0].id
    assert context.cookies(live_server.url) == []
    page.screenshot(path=str(artifact("cross-site-embed.png")), full_page=True)
    context.close()


def test_pending_comment_is_shown_to_its_author_only(live_server, browser):
    with live_server.app.app_context():
        make_site("demo", origins=[live_server.url], mode="pre", min_seconds=0)
    url = live_server.url + "/demo/"
    author = browser.new_context()
    page = author.new_page()
    page.goto(url)
    frame = page.wait_for_selector(FRAME).content_frame()
    frame.wait_for_selector("#cs-form")
    _post(frame, "Mon avis passe d’abord par la modération.")
    frame.wait_for_selector("#cs-status .cs-alert")
    assert "en attente de modération" in frame.inner_text("#cs-status")
    frame.wait_for_selector(".cs-item.cs-pending")
    assert "En attente de modération" in frame.inner_text(".cs-item.cs-pending")
    assert frame.inner_text("#cs-count") == "0 commentaire"
    # After a reload the author still sees it, from the iframe's own storage.
    page.reload()
    frame = page.wait_for_selector(FRAME).content_frame()
    frame.wait_for_selector(".cs-item.cs-pending")
    assert "Mon avis passe" in frame.inner_text("#cs-thread")
    # Anyone else does not.
    other = browser.new_context().new_page()
    other.goto(url)
    other_frame = other.wait_for_selector(FRAME).content_frame()
    other_frame.wait_for_selector("#cs-form")
    assert "Mon avis passe" not in other_frame.inner_text("body")
    author.close()
    other.context.close()


def test_iframe_works_without_javascript(live_server, browser, artifact):
    _site(live_server, "sansjs", ["https://news.example.fr"])
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/embed/sansjs?url=https://news.example.fr/a&title=Article")
    page.fill("#body", "Posté *sans* JavaScript.")
    page.fill("#author", "Anne")
    page.fill("#email", "anne@example.fr")
    page.click("#cs-form button[type=submit]")
    page.wait_for_selector(".cs-body em")
    assert page.url.endswith("#c1") and "mine=" in page.url
    page.click(".cs-own-edit summary")
    page.fill(".cs-edit-form textarea", "Posté puis **corrigé** sans JavaScript.")
    page.click(".cs-edit-form button[type=submit]")
    page.wait_for_selector(".cs-body strong")
    assert "Votre commentaire a été modifié." in page.inner_text("#cs-status")
    page.click("#c1 [data-action=reply]")
    assert "Répondre à Anne" in page.inner_text("#cs-form-title")
    page.fill("#body", "Une réponse sans script.")
    page.fill("#author", "Anne")  # over plain HTTP nothing remembers it without a script
    page.fill("#email", "anne@example.fr")
    page.click("#cs-form button[type=submit]")
    page.wait_for_selector("#c1 .cs-replies .cs-item")
    page.screenshot(path=str(artifact("no-javascript.png")), full_page=True)
    context.close()


CLICK_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Liste et article</title></head><body>
<p><a href="/autre#comments" data-commentsvc-count="{origin}/autre" data-site="clic">…</a></p>
<div id="commentsvc-thread" data-site="clic" data-load="click"></div>
<script src="{service}/embed.js" async></script>
</body></html>"""


@pytest.mark.parametrize(
    ("lang", "button", "count"),
    [
        ("fr", "Cliquez pour commenter (2)", "1 commentaire"),
        ("en", "Click to comment (2)", "1 comment"),
    ],
)
def test_click_to_load_button_and_count_links(
    live_server, static_server, browser, lang, button, count
):
    from tests.factories import make_comment, make_thread

    url = static_server.add(
        "/article",
        CLICK_PAGE.format(lang=lang, origin=static_server.origin, service=live_server.url),
    )
    with live_server.app.app_context():
        site = make_site("clic", origins=[static_server.origin], mode="post", min_seconds=0)
        here = make_thread(site, url)
        make_comment(here, "Premier")
        make_comment(here, "Second")
        make_comment(make_thread(site, static_server.origin + "/autre"), "Ailleurs")
    page = browser.new_page()
    page.goto(url)
    load = page.wait_for_selector("button.commentsvc-load")
    page.wait_for_function(
        "(text) => document.querySelector('button.commentsvc-load').textContent === text",
        arg=button,
    )
    page.wait_for_function(
        "(text) => document.querySelector('[data-commentsvc-count]').textContent === text",
        arg=count,
    )
    assert page.query_selector(FRAME) is None
    load.focus()
    page.keyboard.press("Enter")  # reachable and usable from the keyboard
    frame = page.wait_for_selector(FRAME).content_frame()
    frame.wait_for_selector(".cs-top > .cs-item")
    assert "Premier" in frame.inner_text("#cs-thread")
    assert page.query_selector("button.commentsvc-load") is None
    page.close()
