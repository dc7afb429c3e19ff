"""The suite's own setup: parallel workers never share a PostgreSQL database."""

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, SHARED_PG_URL, XDIST_WORKER, worker_database


def test_a_parallel_worker_gets_a_database_of_its_own_and_keeps_the_password() -> None:
    shared = "postgresql://postgres:s3cret@127.0.0.1:5432/test"
    assert worker_database(shared, "gw1") == "postgresql://postgres:s3cret@127.0.0.1:5432/test_gw1"
    assert worker_database(shared, None) == shared
    assert worker_database(None, "gw0") is None


@pytest.mark.skipif(
    BACKEND != "postgresql" or not XDIST_WORKER, reason="only in a parallel PostgreSQL pass"
)
def test_this_worker_writes_to_its_own_postgresql_database(app, db) -> None:
    own = db.engine.url.database
    assert own == f"{make_url(SHARED_PG_URL).database}_{XDIST_WORKER}"
    assert db.session.scalar(db.text("SELECT current_database()")) == own
