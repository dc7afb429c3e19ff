"""The duplicate rule's lookup: one index probe, whatever an author or an address has written."""

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text

from commentsvc.duplicates import fingerprint
from commentsvc.models import Comment, Status, utcnow
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
    for n in range(60):
        make_comment(thread, f"Avis {n}", author_email=f"r{n}@b.fr", ip_hash="nat")
    with pytest.raises(Refused):
        pipeline.rule_duplicate(ctx(site, "Mon avis", email="a@b.fr", ip_hash="nat"))


def _statements(db, run) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_one_statement_whatever_the_author_wrote_before(app, db) -> None:
    site = make_site()
    thread = make_thread(site)
    for n in range(30):
        make_comment(thread, f"Avis {n}", author_email="a@b.fr", ip_hash="nat")
    candidate = ctx(site, "Encore un avis", email="a@b.fr", ip_hash="nat")
    seen = _statements(db, lambda: pipeline.rule_duplicate(candidate))
    # The e-mail and the address in one probe; it returns at most one id, never a body.
    reads = [statement for statement, _ in seen if "FROM comments" in statement]
    assert len(reads) == 1
    assert "body_source" not in reads[0]


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads SQLite's query plan")
def test_the_lookup_probes_the_fingerprint_index(app, db) -> None:
    site = make_site()
    thread = make_thread(site)
    # One busy address (the benchmark's client, a NAT) and fresh statistics about it.
    for n in range(300):
        make_comment(thread, f"Avis {n}", author_email=f"r{n}@b.fr", ip_hash="h1")
    db.session.execute(text("ANALYZE"))
    since = utcnow() - timedelta(hours=1)
    seen = _statements(
        db,
        lambda: history.recent_duplicate(
            site, "Mon avis", email="a@b.fr", ip_hash="h1", since=since
        ),
    )
    statement, parameters = seen[-1]
    plan = " ".join(
        row[-1]
        for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )
    )
    assert "ix_comments_body_fingerprint_created" in plan
    assert "TEMP B-TREE" not in plan, plan


def test_the_fingerprint_follows_every_change_of_the_body(app, db) -> None:
    site = make_site()
    comment = make_comment(make_thread(site), "Premier  Avis", author_email="a@b.fr")
    assert comment.body_fingerprint == fingerprint("premier avis") is not None
    comment.body_source = "Avis corrigé"
    db.session.commit()
    assert comment.body_fingerprint == fingerprint("AVIS CORRIGÉ")
    with pytest.raises(Refused):
        pipeline.rule_duplicate(ctx(site, "avis corrigé", email="a@b.fr"))
    assert pipeline.rule_duplicate(ctx(site, "Premier avis", email="a@b.fr")) is None
    comment.body_source = ""
    comment.status = Status.DELETED
    db.session.commit()
    assert comment.body_fingerprint is None


def test_fingerprints_ignore_spacing_and_case_only() -> None:
    assert fingerprint("  Mon\n avis ") == fingerprint("mon avis")
    assert fingerprint("Mon avis") != fingerprint("Mon avis !")
    assert fingerprint("   ") is None
    assert fingerprint(None) is None


def _published_by(thread, email: str, n: int, db) -> None:
    """``n`` published comments by one author, written in one statement (a long history)."""
    rows = [
        {
            "thread_id": thread.id,
            "depth": 0,
            "author_name": "Fidèle",
            "author_email": email,
            "avatar_hash": "a",
            "body_source": f"Avis {i}",
            "body_html": f"<p>Avis {i}</p>",
            "status": Status.PUBLISHED,
            "created_at": utcnow() - timedelta(days=1),
        }
        for i in range(n)
    ]
    db.session.execute(insert(Comment), rows)
    db.session.commit()


def _sqlite_steps(db, run) -> int:
    """SQLite virtual-machine instructions ``run`` costs (its work, whatever the machine)."""
    raw = db.session.connection().connection.driver_connection
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw.set_progress_handler(count, 1)
    try:
        run()
    finally:
        raw.set_progress_handler(None, 1)
    return steps


@pytest.mark.skipif(BACKEND != "sqlite", reason="counts SQLite's instructions")
def test_trust_costs_the_same_however_long_an_authors_history(app, db) -> None:
    site = make_site(trusted_after=3)
    thread = make_thread(site)
    _published_by(thread, "court@b.fr", 5, db)
    _published_by(thread, "fidele@b.fr", 2_000, db)
    short = _sqlite_steps(db, lambda: history.is_trusted(site, "court@b.fr", 3))
    long = _sqlite_steps(db, lambda: history.is_trusted(site, "fidele@b.fr", 3))
    assert history.is_trusted(site, "fidele@b.fr", 3)
    # Counting the whole history read 400 times as many rows for the second author.
    assert long < 2 * short, (short, long)


def test_trust_counts_this_sites_comments_and_any_refusal_on_it(app, db) -> None:
    site, other = make_site(trusted_after=2), make_site()
    here, elsewhere = make_thread(site), make_thread(other)
    _published_by(elsewhere, "fidele@b.fr", 5, db)
    assert not history.is_trusted(site, "fidele@b.fr", 2)
    _published_by(here, "fidele@b.fr", 2, db)
    make_comment(elsewhere, "refusé ailleurs", author_email="fidele@b.fr", status=Status.SPAM)
    # A refusal on another site is not held against the author here.
    assert history.is_trusted(site, "fidele@b.fr", 2)
    make_comment(here, "refusé ici", author_email="fidele@b.fr", status=Status.REJECTED)
    assert not history.is_trusted(site, "fidele@b.fr", 2)


def test_trust_matches_the_email_as_given_or_lower_case_in_one_cached_statement(app, db) -> None:
    site = make_site(trusted_after=2)
    thread = make_thread(site)
    _published_by(thread, "Fidele@B.fr", 1, db)
    _published_by(thread, "fidele@b.fr", 1, db)
    assert history.is_trusted(site, " Fidele@B.fr ", 2)
    assert not history.is_trusted(site, "fidele@b.fr", 2)  # the lower-case form alone
    # No expanding IN list: SQLAlchemy would render the statement anew on every post.
    assert "POSTCOMPILE" not in str(history._TRUST.compile())
