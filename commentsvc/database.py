"""Engine settings per database, and the one way services open a write transaction."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from commentsvc.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "commentsvc_immediate"
# The writer lock files this thread holds (see ``sqlite_writer_lock``).
_HELD = threading.local()


def engine_options(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}


def install_sqlite_pragmas(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; and transactions begun by us, not by the driver.

    pysqlite's own BEGIN is deferred: a transaction that read first and writes later fails at
    once with "database is locked" when another writer committed meanwhile, whatever the busy
    timeout. Write transactions therefore begin IMMEDIATE (see ``write_transaction``), which
    waits for the write lock up front and so serialises writers cleanly.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[Session]:
    """Run a short write: commit on success, roll back everything on any error.

    Ends any read transaction first, so that the write starts from a fresh snapshot. Loaded
    objects are then expired and reload on next use, which is what a read-modify-write of
    them needs. ``keep_loaded`` skips that expiry (at the start and at the commit) for
    writers that only insert rows and use ids already known: the reloads would otherwise
    run as SELECTs while the write lock is held, and again after the commit.
    """
    session = db.session()  # the scoped proxy has no in_transaction()
    if session.in_transaction():
        _commit(session, expire=not keep_loaded)
    with sqlite_writer_lock(session.get_bind()):
        session.connection(execution_options={_IMMEDIATE: True})
        depth = _HELD.__dict__.get("writes", 0)
        _HELD.writes = depth + 1
        try:
            yield session
            _commit(session, expire=not keep_loaded)
        except BaseException:
            session.rollback()
            raise
        finally:
            _HELD.writes = depth


def in_write_transaction() -> bool:
    """Whether this thread is inside ``write_transaction`` (whose lock serialises writers)."""
    return _HELD.__dict__.get("writes", 0) > 0


def _commit(session: Session, *, expire: bool) -> None:
    if expire:
        session.commit()
        return
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


def _lock_path(engine: Engine) -> str | None:
    """The writers' lock file beside a SQLite database file (None: not a file on disk)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + "-writer.lock"


@contextmanager
def sqlite_writer_lock(engine: Engine) -> Iterator[None]:
    """Queue writers to one SQLite file on a lock that wakes the next one at once.

    A writer that finds SQLite's write lock taken is left to SQLite's busy handler, which
    sleeps in growing steps (up to 100 ms) and so turns a 5 ms wait into a 100 ms one: the
    long tail of concurrent posts. An exclusive ``flock`` taken before ``BEGIN IMMEDIATE``
    orders writers of every process and thread instead; the kernel hands it to the next
    waiter as soon as the holder commits, and frees it if the holder's process dies.
    Elsewhere (PostgreSQL, in-memory databases) this does nothing.
    """
    path = _lock_path(engine)
    held = _HELD.__dict__.setdefault("paths", set())
    if path is None or path in held:  # a nested write already holds it: a second would wait
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        held.add(path)
        yield
    finally:
        held.discard(path)
        os.close(descriptor)  # closing releases the lock
