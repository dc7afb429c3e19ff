"""Database unreachable: 503 problem+json with Retry-After, /readyz false, recovery on its own."""

from __future__ import annotations

import pytest
from flask import Flask

from commentsvc import create_app
from tests.conftest import base_config
from tests.faults.pgcluster import Cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def pg_app(running_cluster: Cluster) -> Flask:
    return create_app(base_config(running_cluster.url))


def test_readyz_follows_the_database_and_recovers_on_its_own(
    pg_app: Flask, running_cluster: Cluster
) -> None:
    client = pg_app.test_client()
    assert client.get("/readyz").get_json()["ready"] is True

    running_cluster.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False and "database" in body["problems"]

    running_cluster.start()
    # Same app, same pool: stale connections are replaced without a restart.
    assert client.get("/readyz").status_code == 200
    assert client.get("/readyz").get_json()["ready"] is True
