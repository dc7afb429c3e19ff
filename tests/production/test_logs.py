import json
import logging

import pytest

from commentsvc.logs import JsonFormatter, RequestIdFilter


def _access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "commentsvc.access"]


def test_every_response_names_its_request_id(client) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_proxy_request_id_is_kept(client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.42"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.42"


@pytest.mark.parametrize("forged", ["a b", "x" * 65, 'id"}{"level":"error', ""])
def test_an_unlikely_request_id_is_replaced(client, forged: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": forged})
    assert response.headers["X-Request-ID"] != forged
    assert len(response.headers["X-Request-ID"]) == 32


def test_one_access_line_per_request_with_what_operators_need(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="commentsvc.access")
    response = client.get("/nowhere", headers={"Accept": "text/html"})
    (record,) = _access_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "request"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["method"] == "GET" and line["path"] == "/nowhere" and line["status"] == 404
    assert line["route"] is None
    assert line["duration_ms"] >= 0
    assert "\n" not in JsonFormatter().format(record)


def test_the_access_line_names_the_route_not_only_the_path(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="commentsvc.access")
    client.get("/healthz?probe=1")
    (record,) = _access_records(caplog)
    assert record.route == "/healthz" and record.status == 200


def test_records_logged_during_a_request_carry_its_id(app) -> None:
    record = logging.makeLogRecord({"name": "commentsvc.x", "msg": "détail %s", "args": ("é",)})
    with app.test_request_context("/", headers={"X-Request-ID": "abc123"}):
        app.preprocess_request()
        RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc123"
    assert line["msg"] == "détail é"


def test_exceptions_are_one_line_of_json() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "commentsvc", logging.ERROR, "f", 1, "failed", (), sys.exc_info()
        )
    text = JsonFormatter().format(record)
    assert text.count("\n") == 0
    parsed = json.loads(text)
    assert parsed["level"] == "error"
    assert "ValueError: boom" in parsed["exc"]
