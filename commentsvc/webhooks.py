"""Webhooks: per-site HTTP callbacks for comment events, signed with HMAC-SHA256.

Events are noticed when the ORM flushes a change (a new comment, a status change, a new
report), whichever service made it, and written as ``OutboxMessage`` rows in that same
transaction: nothing is announced for a change that rolled back. The one write that does not
go through a flush, a posted comment's INSERT (``comments.status.store_new_comment``), tells
``comment_inserted`` instead. The outbox delivers them outside the request and retries with
backoff; ``send_webhook`` is its ``webhook`` sender.

Receivers check ``X-Commentsvc-Signature: t=<unix time>,v1=<hex>`` where ``v1`` is
HMAC-SHA256(secret, "<t>.<raw body>").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import weakref
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, attributes

from commentsvc.extensions import db
from commentsvc.models import Comment, OutboxMessage, Report, Site, Status, Thread, Webhook, utcnow
from commentsvc.outbox import PermanentFailure

EVENTS = ("comment.created", "comment.published", "comment.rejected", "comment.reported")
CHANNEL = "webhook"
SIGNATURE_HEADER = "X-Commentsvc-Signature"
TIMEOUT_SECONDS = 10
USER_AGENT = "commentsvc-webhooks/1"


class WebhookError(ValueError):
    """A webhook that cannot be registered; the message says why."""


class DeliveryFailed(Exception):
    """The receiver did not accept the delivery; the outbox will try again later."""


# ---- managing webhooks --------------------------------------------------------------------


def add_webhook(site: Site, url: str, events: list[str] | None = None) -> Webhook:
    """Register a receiver for ``events`` (all by default); its secret is generated here."""
    if not url.startswith(("https://", "http://")):
        raise WebhookError(f"{url!r}: a webhook URL starts with https:// (or http://)")
    unknown = set(events or []) - set(EVENTS)
    if unknown:
        raise WebhookError(f"unknown events {sorted(unknown)}; choose from {', '.join(EVENTS)}")
    hook = Webhook(
        site_id=site.id, url=url, secret=secrets.token_urlsafe(32), events=list(events or EVENTS)
    )
    db.session.add(hook)
    db.session.commit()
    return hook


def remove_webhook(hook_id: int) -> bool:
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        return False
    db.session.delete(hook)
    db.session.commit()
    return True


# ---- payloads and signatures --------------------------------------------------------------


def comment_payload(comment: Comment, thread_url: str, thread_title: str) -> dict[str, Any]:
    """What a receiver learns of a comment: its public face (no e-mail, IP or score)."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "status": str(comment.status),
        "author": comment.author_name,
        "website": comment.author_website,
        "body_html": comment.body_html,
        "created_at": _stamp(comment.created_at),
        "thread": {"url": thread_url, "title": thread_title},
    }


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does: check the signature and that it is recent (replays)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


# ---- noticing events ----------------------------------------------------------------------


def _status_change(comment: Comment) -> str | None:
    history = attributes.get_history(comment, "status")
    if not history.added or history.added == history.deleted:
        return None
    new = history.added[0]
    if new == Status.PUBLISHED:
        return "comment.published"
    if new == Status.REJECTED:
        return "comment.rejected"
    return None


def _events_of_flush(session: Session) -> list[tuple[str, Comment, dict[str, Any]]]:
    found: list[tuple[str, Comment, dict[str, Any]]] = []
    for obj in session.new:
        if isinstance(obj, Comment):
            found += _new_comment_events(obj)
        elif isinstance(obj, Report) and obj.comment_id is not None:
            with session.no_autoflush:
                comment = session.get(Comment, obj.comment_id)
            if comment is not None:
                found.append(("comment.reported", comment, {"report": {"reason": obj.reason}}))
    for obj in session.dirty:
        if isinstance(obj, Comment):
            name = _status_change(obj)
            if name:
                found.append((name, obj, {}))
    return found


# Which sites have an active webhook, per database, kept this long per process: most sites
# have none, and every comment write would otherwise pay the lookup. A change made in this
# process is seen at once (``_forget_hooked_sites``); other processes see it within the delay.
HOOKED_SITES_SECONDS = 5.0
_HOOKED_SITES: weakref.WeakKeyDictionary[Engine, tuple[float, frozenset[int]]] = (
    weakref.WeakKeyDictionary()
)


def _hooked_sites(connection: Connection) -> frozenset[int]:
    engine = connection.engine
    now = time.monotonic()
    kept = _HOOKED_SITES.get(engine)
    if kept is not None and now - kept[0] < HOOKED_SITES_SECONDS:
        return kept[1]
    query = select(Webhook.site_id).where(Webhook.active.is_(True)).distinct()
    sites = frozenset(connection.execute(query).scalars())
    _HOOKED_SITES[engine] = (now, sites)
    return sites


def _forget_hooked_sites(session: Session) -> None:
    if any(isinstance(obj, Webhook) for obj in (*session.new, *session.dirty, *session.deleted)):
        _HOOKED_SITES.pop(session.get_bind(), None)
        # Again once committed: a lookup from another session meanwhile saw the old rows.
        session.info["commentsvc_webhooks_changed"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("commentsvc_webhooks_changed", False):
        _HOOKED_SITES.pop(session.get_bind(), None)


def _new_comment_events(comment: Comment) -> list[tuple[str, Comment, dict[str, Any]]]:
    found: list[tuple[str, Comment, dict[str, Any]]] = [("comment.created", comment, {})]
    if comment.status == Status.PUBLISHED:
        found.append(("comment.published", comment, {}))
    return found


def comment_inserted(connection: Connection, comment: Comment) -> None:
    """A comment inserted without a flush: its events, as a flush would have noticed them."""
    _write_events(connection, _new_comment_events(comment))


def _after_flush(session: Session, _context: Any) -> None:
    _forget_hooked_sites(session)
    found = _events_of_flush(session)
    if found:
        _write_events(session.connection(), found)


def _write_events(connection: Connection, found: list[tuple[str, Comment, dict[str, Any]]]) -> None:
    """The outbox rows of these events for every active webhook that wants them."""
    if not _hooked_sites(connection):
        return
    thread_ids = {comment.thread_id for _name, comment, _extra in found}
    threads = {
        row.id: row
        for row in connection.execute(
            select(Thread.id, Thread.url, Thread.title, Thread.site_id, Site.name)
            .join(Site, Site.id == Thread.site_id)
            .where(Thread.id.in_(thread_ids))
        )
    }
    site_ids = {row.site_id for row in threads.values()}
    hooks = connection.execute(
        select(Webhook.id, Webhook.site_id, Webhook.url, Webhook.events).where(
            Webhook.site_id.in_(site_ids), Webhook.active.is_(True)
        )
    ).all()
    if not hooks:
        return
    rows = []
    now = utcnow()
    for name, comment, extra in found:
        thread = threads[comment.thread_id]
        data = {
            "event": name,
            "site": thread.name,
            "occurred_at": now.isoformat(),
            "comment": comment_payload(comment, thread.url, thread.title),
            **extra,
        }
        for hook in hooks:
            if hook.site_id == thread.site_id and name in (hook.events or []):
                payload = {"webhook_id": hook.id, "event": name, "data": data}
                rows.append({"channel": CHANNEL, "target": hook.url, "payload": payload})
    if rows:
        connection.execute(insert(OutboxMessage), rows)


def install() -> None:
    """Listen to every session's flushes (once per process); deliver through the outbox."""
    from commentsvc.outbox import register_channel

    register_channel(CHANNEL, send_webhook)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)


# ---- delivering ---------------------------------------------------------------------------


def send_webhook(message: OutboxMessage) -> None:
    """The outbox's ``webhook`` sender: POST the signed JSON; raise unless the receiver says 2xx."""
    hook = db.session.get(Webhook, message.payload.get("webhook_id"))
    if hook is None or not hook.active:
        raise PermanentFailure("the webhook was removed or switched off")
    body = json.dumps(message.payload["data"], ensure_ascii=False).encode()
    request = urllib.request.Request(
        hook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Commentsvc-Event": message.payload["event"],
            "X-Commentsvc-Delivery": str(message.id),
            SIGNATURE_HEADER: sign(hook.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response
        raise DeliveryFailed(f"{hook.url} answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryFailed(f"{hook.url}: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{hook.url} answered {status}")


def _register_channel() -> None:
    from commentsvc.outbox import register_channel

    register_channel(CHANNEL, send_webhook)


_register_channel()
