import pytest

from commentsvc import create_app
from tests.conftest import base_config


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-dir/commentsvc/db.sqlite3",
        # Nothing listens on port 1: what a stopped PostgreSQL looks like.
        "postgresql://postgres@127.0.0.1:1/commentsvc",
    ],
    ids=["sqlite-unreadable", "postgresql-stopped"],
)
def test_readiness_fails_and_says_why_when_the_database_is_down(database_url: str) -> None:
    app = create_app(base_config(database_url))
    with app.app_context():
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["ready"] is False
    assert response.json["problems"]["database"]
    assert "model" not in response.json["problems"]


def test_liveness_does_not_depend_on_the_database() -> None:
    app = create_app(base_config("postgresql://postgres@127.0.0.1:1/commentsvc"))
    with app.app_context():
        assert app.test_client().get("/healthz").status_code == 200
