"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL on request).

``COMMENTSVC_TEST_BACKEND=postgresql`` with ``COMMENTSVC_TEST_DATABASE_URL`` runs the suite on
PostgreSQL; the schema is built once by the migrations, and each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from commentsvc import create_app
from commentsvc.config import normalise_database_url
from commentsvc.extensions import db as _db
from tests.fakes import FixedSpamModel

TEST_SECRET = "test-secret-key-not-for-production"
BACKEND = os.environ.get("COMMENTSVC_TEST_BACKEND", "sqlite")
# Under pytest-xdist ("gw0", "gw1"…): each worker process runs its share of the tests.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def worker_database(url: str | None, worker: str | None) -> str | None:
    """A worker's own PostgreSQL database (``…/test`` → ``…/test_gw0``), since every test
    empties every table; the shared one where tests run in a single process."""
    if not url or not worker:
        return url
    parsed = make_url(url)
    own = parsed.set(database=f"{parsed.database}_{worker}")
    return own.render_as_string(hide_password=False)


SHARED_PG_URL = os.environ.get("COMMENTSVC_TEST_DATABASE_URL")
PG_URL = worker_database(SHARED_PG_URL, XDIST_WORKER)
# Redis needs no such care: every test that uses it keys its data under a prefix of its own.
REDIS_URL = os.environ.get("COMMENTSVC_TEST_REDIS_URL")


# Every engine a test connects through, including those of apps a test builds for itself
# (a second server, a broken database): their pooled connections are closed when the test
# ends instead of whenever the garbage collector finalises them.
_engines_in_use: weakref.WeakSet[Engine] = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection: Any) -> None:
    _engines_in_use.add(connection.engine)


@pytest.fixture(autouse=True)
def _close_pooled_connections() -> Iterator[None]:
    yield
    for engine in list(_engines_in_use):
        engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need a real PostgreSQL or Redis skip, with the reason, where there is none."""
    missing = {
        "postgres": None if PG_URL else "COMMENTSVC_TEST_DATABASE_URL is not set: no PostgreSQL",
        "redis": None if REDIS_URL else "COMMENTSVC_TEST_REDIS_URL is not set: no Redis",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def base_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SPAM_MODEL": FixedSpamModel(),
        "CACHE_TYPE": "SimpleCache",
    }
    config.update(overrides)
    return config


def migrate_to_head(database_url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate_to_head(f"sqlite:///{path}")
    return path


def _recreate_database(url: str) -> None:
    """Drop and create ``url``'s database, through the shared one's server."""
    name = make_url(url).database
    engine = create_engine(normalise_database_url(SHARED_PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> str:
    """The migrated PostgreSQL database; a parallel worker's own is made anew on first use."""
    if not PG_URL:
        pytest.skip("COMMENTSVC_TEST_DATABASE_URL is not set: no PostgreSQL to test against")
    if PG_URL != SHARED_PG_URL:
        _recreate_database(PG_URL)
    migrate_to_head(PG_URL)
    return PG_URL


def _truncate_all(app: Flask) -> None:
    """Empty every table and restart the ids, as a fresh database would have them.

    DELETE, not TRUNCATE: on tables of a few rows PostgreSQL deletes in a millisecond where
    TRUNCATE (new files for every table) takes most of a second, per test.
    """
    tables = list(reversed(_db.metadata.sorted_tables))
    serial = ", ".join(f"('{t.name}')" for t in tables if "id" in t.c)
    with app.app_context():
        for table in tables:
            _db.session.execute(table.delete())
        _db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(name, 'id'), 1, false) "
                f"FROM (VALUES {serial}) AS tables(name) "
                "WHERE pg_get_serial_sequence(name, 'id') IS NOT NULL"
            )
        )
        _db.session.commit()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated, empty database for this test."""
    if BACKEND == "postgresql":
        return request.getfixturevalue("postgres_schema")
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "commentsvc.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the configuration of ``app``."""
    return {}


class RequestIsolatedClient(FlaskClient):
    """Each request gets its own app context, so its own ``g`` and database session, as under a
    real server; the test's own session commits before and reloads after, like a second client."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture
def app(database_url: str, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(base_config(database_url, **app_config))
    app.test_client_class = RequestIsolatedClient
    if BACKEND == "postgresql":
        _truncate_all(app)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask):
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def spam_model(app: Flask) -> FixedSpamModel:
    # The app may wrap it (metrics time every score): hand out the fake itself.
    return app.config["SPAM_MODEL"]
