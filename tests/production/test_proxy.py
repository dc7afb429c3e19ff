import pytest
from flask import jsonify, request


def _echo(app):
    @app.get("/_test/client")
    def client_seen():
        return jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host)


@pytest.fixture
def app_config():
    return {"PROXY_HOPS": 1}


def test_one_trusted_proxy_gives_the_client_address_scheme_and_host(app) -> None:
    _echo(app)
    seen = app.test_client().get(
        "/_test/client",
        headers={
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "comments.example.org",
        },
    )
    assert seen.json == {
        "addr": "203.0.113.7",
        "scheme": "https",
        "host": "comments.example.org",
    }


def test_a_client_cannot_choose_its_address_through_a_trusted_proxy(app) -> None:
    _echo(app)
    # The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the real address.
    seen = app.test_client().get(
        "/_test/client", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    )
    assert seen.json["addr"] == "203.0.113.7"


@pytest.mark.parametrize("app_config", [{"PROXY_HOPS": 0}])
def test_without_proxies_forwarded_headers_are_ignored(app) -> None:
    _echo(app)
    seen = app.test_client().get(
        "/_test/client", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    )
    assert seen.json["addr"] == "127.0.0.1"
    assert seen.json["scheme"] == "http"


def test_negative_proxy_hops_is_refused_in_one_line(monkeypatch, tmp_path) -> None:
    from commentsvc import load_settings
    from commentsvc.config import ConfigError

    monkeypatch.setenv("COMMENTSVC_PROXY_HOPS", "-1")
    with pytest.raises(ConfigError, match="PROXY_HOPS: must not be negative"):
        load_settings(tmp_path, {"SECRET_KEY": "x" * 20})
