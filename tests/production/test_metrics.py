import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from commentsvc import create_app
from commentsvc.models import Status
from commentsvc.spam.base import CommentText
from tests.conftest import base_config
from tests.factories import make_comment, make_site, make_thread


def _samples(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_request_latency_is_a_histogram_by_route(client) -> None:
    key = {"method": "GET", "route": "/healthz", "status": "200"}
    before = _value(_samples(client), "commentsvc_request_duration_seconds_count", **key)
    for _ in range(3):
        client.get("/healthz?n=1")
    after = _samples(client)
    assert _value(after, "commentsvc_request_duration_seconds_count", **key) == before + 3
    assert _value(after, "commentsvc_request_duration_seconds_bucket", le="+Inf", **key) >= 3


def test_unknown_paths_do_not_create_series(client) -> None:
    client.get("/random-path-1")
    client.get("/random-path-2")
    text = client.get("/metrics").get_data(as_text=True)
    assert "random-path" not in text
    assert 'route="unmatched"' in text


def test_comments_by_status_and_queue_size_come_from_the_database(client, db) -> None:
    thread = make_thread(make_site())
    make_comment(thread)
    make_comment(thread)
    make_comment(thread, status=Status.PENDING)
    make_comment(thread, status=Status.SPAM)
    samples = _samples(client)
    assert _value(samples, "commentsvc_comments", status="published") == 2
    assert _value(samples, "commentsvc_comments", status="pending") == 1
    assert _value(samples, "commentsvc_comments", status="spam") == 1
    assert _value(samples, "commentsvc_comments", status="rejected") == 0
    assert _value(samples, "commentsvc_queue_size", kind="pending") == 1
    assert _value(samples, "commentsvc_database_up") == 1


def test_spam_scoring_is_timed_and_the_model_still_answers(app, client) -> None:
    model = app.extensions["spam_model"]
    key = {"model_version": "fixed-test"}
    before = _value(_samples(client), "commentsvc_spam_scoring_seconds_count", **key)
    score = model.score(CommentText("Buy cheap watches"))
    assert score.probability == pytest.approx(0.01)
    assert model.seen[-1].body == "Buy cheap watches"  # the wrapped model's own attributes
    assert model.usable is True
    after = _samples(client)
    assert _value(after, "commentsvc_spam_scoring_seconds_count", **key) == before + 1


def test_metrics_still_answer_when_the_database_is_down() -> None:
    app = create_app(base_config("postgresql://postgres@127.0.0.1:1/commentsvc"))
    with app.app_context():
        response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert re.search(r"^commentsvc_database_up 0\.0$", response.get_data(as_text=True), re.M)
