from commentsvc.spam.base import FailSafeModel


def test_healthz(client) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_when_database_and_model_are_fine(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["ready"] is True


def test_readyz_says_why_when_the_model_is_unusable(app, client) -> None:
    app.extensions["spam_model"] = FailSafeModel("model file hash does not match its card")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["problems"]["model"] == "model file hash does not match its card"


def test_unknown_route_is_a_readable_404(client) -> None:
    response = client.get("/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_api_errors_are_problem_json(client) -> None:
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
    assert response.json["detail"]


def test_every_response_carries_security_headers(client) -> None:
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]
