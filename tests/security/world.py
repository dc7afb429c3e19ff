"""The fixtures ``bad_inputs.tsv`` names (its header, "FIXTURES"), and the two ways to post.

Placeholders map onto commentsvc as follows: a "thread" is a page URL of the site; the form is
the iframe's ``POST /embed/<site>/comments`` (its anti-forgery token is the signed form token
of the page, fetched by GETting the iframe first); the API is ``POST
/api/v1/sites/<site>/comments``; fields ``name``/``parent`` are ``author``/``parent_id``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from commentsvc.comments.status import set_status
from commentsvc.extensions import db
from commentsvc.models import Comment, OutboxMessage, Status, Thread
from tests.factories import PASSWORD, make_comment, make_moderator, make_site, make_thread

ORIGIN_A = "https://site-a.test"
ORIGIN_B = "https://site-b.test"
FIELD_NAMES = {"name": "author", "parent": "parent_id", "thread": "url"}
BASE = {
    "author": "Alice Test",
    "email": "alice@example.org",
    "website": "https://example.org/alice",
    "body": "A perfectly ordinary comment.",
}
_TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')


@dataclass
class World:
    site_a: Any
    site_b: Any
    thread_a1: Any
    thread_a2: Any
    thread_b1: Any
    c_ok: Any
    c_other_thread: Any
    c_other_site: Any
    c_deleted: Any
    c_rejected: Any
    c_pending: Any
    moderator: Any
    password: str = PASSWORD

    @property
    def id_missing(self) -> int:
        return (db.session.scalar(select(func.max(Comment.id))) or 0) + 1000

    def ref(self, name: str) -> Any:
        """The value of a fixture named in the corpus (ids as ints, sites by name...)."""
        values = {
            "SITE_A": self.site_a.name,
            "SITE_B": self.site_b.name,
            "THREAD_A1": self.thread_a1.url,
            "THREAD_A2": self.thread_a2.url,
            "THREAD_B1": self.thread_b1.url,
            "C_OK": self.c_ok.id,
            "C_OTHER_THREAD": self.c_other_thread.id,
            "C_OTHER_SITE": self.c_other_site.id,
            "C_DELETED": self.c_deleted.id,
            "C_REJECTED": self.c_rejected.id,
            "C_PENDING": self.c_pending.id,
            "MOD_PASSWORD": self.password,
        }
        if name == "ID_MISSING":
            return self.id_missing
        if name == "MOD":
            return self.moderator.email
        return values[name]


def build_world(*, moderator: bool = False) -> World:
    """Two sites, three threads and a comment in each state (minimum fill time off).

    The moderator account (argon2: slow on purpose) only when asked for.
    """
    site_a = make_site("site-a", origins=[ORIGIN_A], mode="post", min_seconds=0)
    site_b = make_site("site-b", origins=[ORIGIN_B], mode="post", min_seconds=0)
    thread_a1 = make_thread(site_a, f"{ORIGIN_A}/posts/a1")
    thread_a2 = make_thread(site_a, f"{ORIGIN_A}/posts/a2")
    thread_b1 = make_thread(site_b, f"{ORIGIN_B}/posts/b1")
    world = World(
        site_a=site_a,
        site_b=site_b,
        thread_a1=thread_a1,
        thread_a2=thread_a2,
        thread_b1=thread_b1,
        c_ok=make_comment(thread_a1, "Premier commentaire"),
        c_other_thread=make_comment(thread_a2, "Ailleurs"),
        c_other_site=make_comment(thread_b1, "Autre site"),
        c_deleted=make_comment(thread_a1, "Effacé"),
        c_rejected=make_comment(thread_a1, "Refusé"),
        c_pending=make_comment(thread_a1, "En attente", status=Status.PENDING),
        moderator=make_moderator("mod@site-a.example.org", sites=[site_a]) if moderator else None,
    )
    set_status(world.c_deleted, Status.DELETED)
    set_status(world.c_rejected, Status.REJECTED)
    db.session.commit()
    return world


def stored_state() -> tuple[int, int, int]:
    """(threads, comments, outbox messages): a refusal leaves all three unchanged."""
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(Thread.id))),
        db.session.scalar(select(func.count(Comment.id))),
        db.session.scalar(select(func.count(OutboxMessage.id))),
    )


def form_token(client: FlaskClient, site: str, url: str) -> str:
    """The signed token of the iframe's comment form for this page."""
    page = client.get(f"/embed/{site}", query_string={"url": url})
    assert page.status_code == 200, page.status_code
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, "no form token in the iframe page"
    return match.group(1) or match.group(2)


def form_post(
    client: FlaskClient, site: str, fields: dict[str, str], *, token: str | None = "fetch"
):
    """POST the iframe's comment form; ``token=None`` leaves it out."""
    data = {**BASE, "url": fields.get("url", ""), **fields}
    if token == "fetch":
        token = form_token(client, site, data["url"])
    if token is not None:
        data["token"] = token
    return client.post(f"/embed/{site}/comments", data=data)


def api_post(client: FlaskClient, site: str, document: Any, **headers: str):
    """POST the JSON API's create call with ``document`` (any JSON value, or raw bytes)."""
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    headers.setdefault("Content-Type", "application/json")
    return client.post(f"/api/v1/sites/{site}/comments", data=raw, headers=headers)
