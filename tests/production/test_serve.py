import json
import signal
import subprocess
import sys

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker
from prometheus_client.parser import text_string_to_metric_families

from commentsvc.server import default_workers, gunicorn_options, prepare_for_fork
from tests.production.serving import running_server, server_env

pytestmark = pytest.mark.slow


def _healthz_count(metrics_text: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if (
                sample.name == "commentsvc_request_duration_seconds_count"
                and sample.labels.get("route") == "/healthz"
            ):
                return sample.value
    return 0.0


def test_serve_runs_workers_counts_across_them_logs_json_and_stops_gracefully(
    database_url, tmp_path
) -> None:
    with running_server(server_env(database_url), tmp_path, workers=2) as server:
        before = _healthz_count(server.request("/metrics").text)
        replies = [server.request("/healthz") for _ in range(20)]
        assert {reply.status for reply in replies} == {200}
        # Each request lands on either worker; the scrape must add both up.
        assert _healthz_count(server.request("/metrics").text) == before + 20
        access = [line for line in server.access_lines() if line.get("msg") == "request"]
        ids = {reply.headers["X-Request-ID"] for reply in replies}
        logged = {line["request_id"] for line in access if line["path"] == "/healthz"}
        assert ids <= logged
        assert all(line["logger"] == "commentsvc.access" for line in access)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=40) == 0
    stderr_lines = server.stderr.read_text().splitlines()
    boots = [json.loads(line) for line in stderr_lines if line.startswith("{")]
    assert sum("Booting worker" in line["msg"] for line in boots) == 2


def test_serve_refuses_bad_configuration_in_one_line(tmp_path) -> None:
    env = server_env("mysql://somewhere/db")
    result = subprocess.run(
        [sys.executable, "-m", "commentsvc", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "COMMENTSVC_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_settings_that_matter() -> None:
    options = gunicorn_options("0.0.0.0", 8000, None)
    assert options["workers"] == default_workers() >= 3
    assert options["preload_app"] is True
    assert options["graceful_timeout"] < options["timeout"]
    assert gunicorn_options("127.0.0.1", 8000, 4)["workers"] == 4
    # Threaded workers: the only gunicorn workers that keep connections open (keep-alive).
    config = Config()
    config.set("worker_class", options["worker_class"])
    assert issubclass(config.worker_class, ThreadWorker) and options["threads"] >= 2
    assert options["keepalive"] > 0


def test_gunicorn_leaves_the_access_line_to_the_app() -> None:
    config = Config()
    for key, value in gunicorn_options("127.0.0.1", 8000, 4).items():
        config.set(key, value)
    logger = object.__new__(config.logger_class)  # set up, it would reconfigure our logging
    logger.cfg = config
    # Gunicorn's own logger would read the response and request here to build its line.
    assert logger.access(object(), object(), {}, None) is None


def test_workers_are_recycled_rarely() -> None:
    # At 10,000 a worker serving 1,000 requests a second was replaced every 10 s.
    options = gunicorn_options("127.0.0.1", 8000, 4)
    assert options["max_requests"] >= 500_000
    assert 0 < options["max_requests_jitter"] < options["max_requests"]


def test_prepare_for_fork_compiles_templates_loads_catalogues_and_freezes(app) -> None:
    import gc

    compiled = []
    app.jinja_env.get_template = lambda name, _get=app.jinja_env.get_template: (
        compiled.append(name) or _get(name)
    )
    try:
        prepare_for_fork(app)
        assert set(compiled) == set(app.jinja_env.list_templates())
        assert gc.get_freeze_count() > 10_000
        catalogues = app.extensions["babel"].instance.domain_instance.cache
        loaded = {locale for locale, _domain in catalogues}
        assert {"fr", "en"} <= loaded
    finally:
        gc.unfreeze()
        del app.jinja_env.get_template
