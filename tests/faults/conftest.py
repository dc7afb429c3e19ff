"""Fixtures for fault tests: a private PostgreSQL cluster that tests may stop and restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import BACKEND, migrate_to_head
from tests.faults.pgcluster import Cluster, unavailable_reason


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A migrated database on a throwaway cluster (never the shared server on 5432)."""
    if BACKEND == "postgresql":
        pytest.skip("runs in the SQLite pass already: it brings its own PostgreSQL cluster")
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    cluster = Cluster()
    try:
        cluster.start()
        cluster.create_database()
        migrate_to_head(cluster.url)
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def running_cluster(pg_cluster: Cluster) -> Cluster:
    """The cluster, started again if a previous test left it stopped."""
    if not pg_cluster.running():
        pg_cluster.start()
    return pg_cluster
