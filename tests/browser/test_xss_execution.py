"""XSS corpus rule g and BI-033 in a real browser: nothing a comment holds ever runs or fetches.

Every payload of ``tests/data/xss_vectors.txt`` is posted through the JSON API as the body, the
name and the website (what the service refuses is simply not shown). The pages that show them
are then loaded in Debian's chromium with the page's Content-Security-Policy switched off: CSP is
the second layer, the sanitiser must hold on its own (rule g: "a CSP report alone is not a
pass"). Payloads are batched: each thread holds one field's payloads (twenty top-level comments,
the rest as their replies), so one iframe page shows them all. Then every comment is put back to
``pending`` and the moderators' queue shows them as cards, 25 a page: stored XSS against the
moderator reviewing the queue is the worst case.

On each page, after load, every element of every comment (body, name, website; in the queue the
card's body, name and website) is hovered, pressed, focused, clicked and double-clicked by
dispatched DOM events (inline handlers fire for them exactly as for a person's), then the page
gets a second for animations, transitions and timers. It fails if:

- ``alert``/``confirm``/``prompt``/``print`` was called (replaced in every frame before any
  script of the page runs) or a dialog opened anyway (e.g. through a fresh frame's ``alert``);
- a frame navigated anywhere but the service (``javascript:``/``data:`` navigations included);
- the page threw an error (a payload that runs but fails still runs);
- any request left for another origin: the network is limited to the service itself, and every
  other request is refused and reported (script includes, dangling markup, prefetches,
  favicons). Clicks on http(s)/mailto links of comments are cancelled so that following a
  legitimate link is not mistaken for a leak; ``javascript:`` links are not, so they would run.

BI-033: one comment's website and body links point at a local listener that counts
connections; neither the service nor the browser (no prefetch, preconnect or favicon fetch)
may ever contact it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from commentsvc.comments import validation as v
from commentsvc.comments.status import set_status
from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from tests.factories import PASSWORD, make_moderator, make_site
from tests.listener import Listener, counting_listener
from tests.security.corpus import xss_payloads

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "xss-browser"
FIELDS = ("body", "author", "website")
ROOTS = 20  # one iframe page shows twenty top-level comments and all their replies
SETTLE_MS = 1000  # animations and transitions of the corpus last one second
MOD_EMAIL = "moderation@xss-browser.example.org"

# Runs in every frame before the page's own scripts (and, as DevTools injects it, despite CSP).
WATCH = """
(() => {
  const hit = (kind, detail) => {
    try { window.__xssHit(kind, String(detail)); } catch (e) { /* binding gone: page closing */ }
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => { hit(name, args.join(" ")); return null; };
  }
  // Following a comment's ordinary link is not an attack (and would leave the page being
  // checked); running a javascript: link is, so those are left to run.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (link && /^(https?|mailto):/i.test(link.href)) event.preventDefault();
  }, true);
})();
"""

# Every element of the comments matched by ``selector``: hover, press, focus, click, double-click.
SWEEP = """
(selector) => {
  const mouse = ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove",
                 "pointerdown", "mousedown", "pointerup", "mouseup"];
  let count = 0;
  for (const root of document.querySelectorAll(selector)) {
    for (const el of [root, ...root.querySelectorAll("*")]) {
      count++;
      for (const type of mouse) {
        el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window}));
      }
      if (typeof el.focus === "function") el.focus();
      el.dispatchEvent(new FocusEvent("focusin", {bubbles: true}));
      if (typeof el.click === "function") el.click();
      el.dispatchEvent(new MouseEvent("dblclick", {bubbles: true, cancelable: true, view: window}));
      el.dispatchEvent(new MouseEvent("mouseout", {bubbles: true, view: window}));
      if (typeof el.blur === "function") el.blur();
    }
  }
  return count;
}
"""


@dataclass
class Watch:
    """What the browser saw: calls, dialogs, navigations, errors, foreign requests."""

    origin: str
    where: str = ""
    hits: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: int = 0

    def problems(self) -> list[str]:
        return self.hits + [f"request to another origin: {url}" for url in self.foreign]

    def saw(self, what: str) -> None:
        self.hits.append(f"{what} on {self.where}")


@pytest.fixture
def website() -> Iterator[Listener]:
    with counting_listener() as listener:
        yield listener


def _post_corpus(live, website: Listener) -> dict[str, int]:
    """Every payload in every field, through the API; the number shown per field."""
    client = live.app.test_client()
    published: dict[str, int] = {}
    payloads = [p.text for p in xss_payloads()]
    for name in FIELDS:
        url = f"{live.url}/xss/{name}"
        roots: list[int] = []
        published[name] = 0
        extra = []
        if name == "website":  # BI-033: a link to the listener, in the website and the body
            extra = [website.url + "/bi-033"]
        for n, text in enumerate(extra + payloads):
            document: dict[str, Any] = {
                "url": url,
                "title": f"XSS {name}",
                "author": "Camille",
                "email": "camille@example.fr",
                "body": f"Corpus {name} {n}",
            }
            document[name] = text
            if name == "website" and n < len(extra):
                document["body"] = f"[lien]({text}/body) et {text}/auto"
            if name == "author" and (len(text) > v.MAX_NAME or v.has_line_break(text)):
                continue  # refused anyway (tests/security/test_routes_xss.py checks how)
            if len(roots) == ROOTS:
                document["parent_id"] = roots[n % ROOTS]
            answer = client.post(f"/api/v1/sites/{SITE}/comments", json=document)
            assert answer.status_code < 500, answer.status_code
            if answer.status_code == 201:
                published[name] += 1
                if len(roots) < ROOTS:
                    roots.append(answer.get_json()["comment"]["id"])
    return published


def _watched_context(browser, watch: Watch):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})

    def on_hit(_source: Any, kind: str, detail: str) -> None:
        watch.saw(f"{kind}({detail[:80]})")

    context.expose_binding("__xssHit", on_hit)
    context.add_init_script(WATCH)

    def route(route: Any) -> None:
        watch.requests += 1
        url = route.request.url
        if url.startswith(watch.origin + "/"):
            route.continue_()
        else:
            watch.foreign.append(f"{url[:120]} on {watch.where}")
            route.abort()

    context.route("**/*", route)
    return context


def _watch_page(context, watch: Watch) -> Any:
    page = context.new_page()
    page.on("dialog", lambda dialog: (watch.saw(f"dialog {dialog.type}"), dialog.dismiss()))
    page.on("pageerror", lambda exc: watch.saw(f"page error: {exc}"))

    def navigated(frame: Any) -> None:
        if not frame.url.startswith((watch.origin + "/", "about:blank")):
            watch.saw(f"navigated to {frame.url[:80]}")

    page.on("framenavigated", navigated)
    return page


def _visit(page, url: str, item: str, parts: str, watch: Watch) -> tuple[int, int]:
    """Load, sweep every element of ``parts``, let the page settle: (``item``s, elements)."""
    watch.where = url
    answer = page.goto(url)
    assert answer is not None and answer.status == 200, url
    shown = page.locator(item).count()
    swept = page.evaluate(SWEEP, parts)
    page.wait_for_timeout(SETTLE_MS)
    if page.url != url:  # a payload took the reader elsewhere
        watch.saw(f"left the page for {page.url[:80]}")
    return shown, swept


def _log_in(page, live) -> None:
    page.goto(live.url + "/admin/login")
    page.fill("input[name=email]", MOD_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/queue**")


def test_no_payload_runs_or_fetches_in_a_real_browser(live_server, browser, website) -> None:
    with live_server.app.app_context():
        site = make_site(SITE, origins=[live_server.url], mode="post", min_seconds=0, max_links=100)
        make_moderator(MOD_EMAIL, sites=[site])
    published = _post_corpus(live_server, website)
    # Enough of each field got through for the browser to have something to judge.
    assert published["body"] > 200 and published["author"] > 100, published
    assert published["website"] >= 1, published  # at least the listener's

    watch = Watch(origin=live_server.url)
    context = _watched_context(browser, watch)
    page = _watch_page(context, watch)
    swept = 0
    for name in FIELDS:
        url = f"{live_server.url}/embed/{SITE}?url={live_server.url}/xss/{name}"
        shown, elements = _visit(page, url, ".cs-item", ".cs-body, .cs-author", watch)
        swept += elements
        if shown != published[name]:
            watch.saw(f"{shown} comments shown of {published[name]} published")

    with live_server.app.app_context():
        for comment in db.session.scalars(select(Comment)):
            set_status(comment, Status.PENDING)
        db.session.commit()
    _log_in(page, live_server)
    carded = 0
    url: str | None = f"{live_server.url}/admin/queue?tab=pending&site={SITE}"
    while url:
        cards, elements = _visit(
            page, url, ".card", ".card .body, .card header strong, .card .website", watch
        )
        swept += elements
        carded += cards
        following = page.locator("a[rel=next]")
        url = following.get_attribute("href") if following.count() else None
        url = live_server.url + url if url else None
    context.close()

    assert watch.problems() == [], "\n".join(watch.problems())
    assert carded == sum(published.values()), (carded, published)
    assert swept > 2000, swept  # the sweep really went through the comments
    assert watch.requests > 0
    assert website.hits == [], f"the reader's website was contacted: {website.hits}"
