from pathlib import Path

from flask_migrate import check, upgrade
from sqlalchemy import inspect

from commentsvc import create_app
from commentsvc.extensions import db
from tests.conftest import base_config


def test_upgrade_on_an_empty_database_then_no_drift(tmp_path: Path) -> None:
    app = create_app(base_config(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"sites", "threads", "comments", "likes", "reports", "moderators"} <= tables
        # `db check` fails when the models changed without a migration.
        check()
        db.engine.dispose()


def test_migrations_have_a_single_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from commentsvc.setup import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db) -> None:
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_fingerprints_are_backfilled_for_recent_comments(tmp_path: Path) -> None:
    from datetime import timedelta

    from flask_migrate import downgrade
    from sqlalchemy import text

    from commentsvc.duplicates import fingerprint
    from tests.factories import make_comment, make_site, make_thread

    app = create_app(base_config(f"sqlite:///{tmp_path / 'backfill.sqlite3'}"))
    with app.app_context():
        upgrade()
        thread = make_thread(make_site())
        recent = make_comment(thread, "Mon  Avis", age=timedelta(minutes=5)).id
        old = make_comment(thread, "Vieil avis", age=timedelta(days=3)).id
        db.session.remove()
        # Back to before the column existed, then forward again: the migration fills it.
        downgrade(revision="0008_author_recent_indexes")
        upgrade()
        stored = dict(db.session.execute(text("SELECT id, body_fingerprint FROM comments")).all())
        assert stored == {recent: fingerprint("mon avis"), old: None}
        db.engine.dispose()
