from commentsvc.api.schemas import MAX_COUNT_URLS
from commentsvc.models import Status
from tests.factories import make_comment, make_site, make_thread


def test_counts_for_many_pages_in_one_request(client, db) -> None:
    site = make_site("lebigdata", origins=["https://www.lebigdata.fr"])
    one = make_thread(site, "https://www.lebigdata.fr/a")
    two = make_thread(site, "https://www.lebigdata.fr/b")
    make_comment(one)
    make_comment(one)
    make_comment(one, status=Status.PENDING)
    make_comment(two)
    response = client.get(
        "/api/v1/sites/lebigdata/counts",
        query_string=[
            ("url", "https://www.lebigdata.fr/a"),
            ("url", "https://www.lebigdata.fr/b"),
            ("url", "https://www.lebigdata.fr/none"),
        ],
    )
    assert response.status_code == 200
    assert response.json == {
        "counts": {
            "https://www.lebigdata.fr/a": 2,
            "https://www.lebigdata.fr/b": 1,
            "https://www.lebigdata.fr/none": 0,
        }
    }


def test_counts_are_one_query(client, db, app) -> None:
    from sqlalchemy import event

    site = make_site("s", origins=["https://a.fr"])
    for n in range(5):
        make_comment(make_thread(site, f"https://a.fr/{n}"))
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get(
                "/api/v1/sites/s/counts",
                query_string=[("url", f"https://a.fr/{n}") for n in range(5)],
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert response.json["counts"] == {f"https://a.fr/{n}": 1 for n in range(5)}
    assert len([s for s in statements if "FROM threads" in s]) == 1


def test_more_than_100_urls_is_a_422_problem(client, db) -> None:
    make_site("s", origins=["https://a.fr"])
    urls = [("url", f"https://a.fr/{n}") for n in range(MAX_COUNT_URLS + 1)]
    response = client.get("/api/v1/sites/s/counts", query_string=urls)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == "query.url"


def test_no_url_is_a_422_problem(client, db) -> None:
    make_site("s", origins=["https://a.fr"])
    response = client.get("/api/v1/sites/s/counts")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "query.url"


def test_unknown_site_is_a_404_problem_in_the_readers_language(client, db) -> None:
    response = client.get(
        "/api/v1/sites/nope/counts?url=https://a.fr/",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "There is no site named nope."
