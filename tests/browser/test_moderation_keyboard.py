"""A moderator signs in, approves a pending comment with the keyboard, and readers see it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from tests.factories import PASSWORD, make_comment, make_moderator, make_site, make_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _setup(live):
    with live.app.app_context():
        site = make_site("journal", origins=[live.url], mode="pre", lang="fr")
        thread = make_thread(site, url=f"{live.url}/articles/pates", title="Les pâtes")
        make_comment(thread, "Un avis **modéré** avant publication", status=Status.PENDING)
        make_comment(thread, "Un autre en attente", status=Status.PENDING, author_name="Zoé")
        make_moderator("modo@example.org", sites=[site])
        return thread.url


def test_approve_with_the_keyboard_then_the_thread_shows_it(live_server, browser, artifact):
    url = _setup(live_server)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            r.status >= 400 and "favicon" not in r.url and errors.append(f"{r.status} {r.url}")
        ),
    )

    page.goto(live_server.url + "/admin/queue")
    page.fill("input[name=email]", "modo@example.org")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/admin/queue")
    assert page.locator(".cards .card").count() == 2

    # Newest first: "j" twice reaches the first comment, "k" back, "j" again.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    focused = page.locator(".card.focused")
    assert "Un autre en attente" in focused.inner_text()
    page.keyboard.press("j")
    assert "Un avis" in page.locator(".card.focused").inner_text()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("?")
    page.screenshot(path=str(artifact("moderation-queue.png")))
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "Fait" in page.inner_text(".flash")
    assert page.locator(".cards .card").count() == 1

    with live_server.app.app_context():
        statuses = dict(db.session.query(Comment.body_source, Comment.status).all())
    assert statuses["Un avis **modéré** avant publication"] == Status.PUBLISHED
    assert statuses["Un autre en attente"] == Status.PENDING

    reader = browser.new_context(locale="fr-FR").new_page()
    reader.goto(f"{live_server.url}/embed/journal?url={quote(url, safe='')}&title=P%C3%A2tes")
    body = reader.inner_text("body")
    assert "Un avis modéré avant publication" in body
    assert "Un autre en attente" not in body
    assert errors == []
