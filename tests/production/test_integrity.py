"""A write refused by a constraint is a conflict (409), not an outage (503)."""

from sqlalchemy import func, select

from commentsvc.extensions import csrf, db
from commentsvc.models import Site
from tests.factories import make_site


def _install_duplicate_write(app) -> None:
    @app.post("/_test/duplicate-site")
    @csrf.exempt
    def duplicate_site():
        # Two requests racing to create the same row: the second meets the unique index.
        db.session.add(Site(name="taken", origins=["https://taken.example.fr"]))
        db.session.commit()
        return "written"


def test_an_integrity_error_answers_409_in_the_readers_language(app, client) -> None:
    make_site("taken", origins=["https://taken.example.fr"])
    _install_duplicate_write(app)
    response = client.post(
        "/_test/duplicate-site",
        headers={"Accept": "application/json", "Accept-Language": "fr"},
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "Retry-After" not in response.headers
    assert response.json["detail"].startswith("Cela entre en conflit")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Site)) == 1


def test_the_html_answer_is_a_readable_page(app, client) -> None:
    make_site("taken", origins=["https://taken.example.fr"])
    _install_duplicate_write(app)
    response = client.post("/_test/duplicate-site", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "conflicts with a change made at the same moment" in response.get_data(as_text=True)
