"""The duplicate rule's lookups: bounded reads, whatever an author or an address has written."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from commentsvc.models import utcnow
from commentsvc.moderation import history, pipeline
from commentsvc.moderation.pipeline import Refused
from tests.conftest import BACKEND
from tests.factories import make_comment, make_site, make_thread
from tests.moderation.test_pipeline import ctx


def test_a_shared_address_does_not_hide_an_authors_double_post(app) -> None:
    site = make_site()
    thread = make_thread(site)
    make_comment(
        thread, "Mon avis", author_email="a@b.fr", ip_hash="nat", age=timedelta(minutes=10)
    )
    # Many readers behind one address (a company, a mobile network) wrote since.
    for n in range(history.DUPLICATE_CANDIDATES + 10):
        make_comment(thread, f"Avis {n}", author_email=f"r{n}@b.fr", ip_hash="nat")
    with pytest.raises(Refused):
        pipeline.rule_duplicate(ctx(site, "Mon avis", email="a@b.fr", ip_hash="nat"))


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads SQLite's query plan")
@pytest.mark.parametrize(
    ("query", "params", "index"),
    [
        (history._RECENT_BY_IP, {"ip_hash": "h1"}, "ix_comments_ip_hash_created"),
        (history._RECENT_BY_EMAIL, {"emails": ["a@b.fr"]}, "ix_comments_author_email_created"),
    ],
)
def test_duplicate_lookups_read_the_newest_comments_from_an_index(
    app, db, query, params, index
) -> None:
    site = make_site()
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append((statement, parameters))

    values = {"site_id": site.id, "since": utcnow() - timedelta(hours=1), "exclude_id": 0}
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        list(db.session.scalars(query, {**values, **params}))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = seen[-1]
    plan = " ".join(
        row[-1]
        for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )
    )
    # Walks the author's newest rows in index order and stops at the limit: no sort of all.
    assert index in plan
    assert "TEMP B-TREE" not in plan
