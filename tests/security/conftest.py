"""Fixtures of the security tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from commentsvc import create_app
from commentsvc.extensions import db
from tests.conftest import base_config


@pytest.fixture
def web(app: Flask, database_url: str) -> Iterator[Flask]:
    """A second app on the same database, with no application context pushed.

    The ``app`` fixture keeps one context open for the test, and requests made through it
    share its ``g``: Flask-Login's cached user and Flask-WTF's cached token would then leak
    from one request to the next and hide exactly what these tests look for.
    """
    second = create_app(base_config(database_url))
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()
