from commentsvc.comments.status import set_status
from commentsvc.models import Status, Thread
from tests.factories import make_comment, make_site, make_thread


def test_published_count_follows_every_status_change(app, db) -> None:
    thread = make_thread(make_site())
    published = make_comment(thread)
    make_comment(thread, status=Status.PENDING)
    db.session.refresh(thread)
    assert thread.published_count == 1
    version = thread.version

    set_status(published, Status.SPAM)
    db.session.commit()
    db.session.refresh(thread)
    assert thread.published_count == 0
    assert thread.version > version

    set_status(published, Status.PUBLISHED)
    db.session.commit()
    assert db.session.get(Thread, thread.id).published_count == 1
