from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc import outbox
from commentsvc.extensions import db
from commentsvc.models import OutboxMessage, utcnow


class Recorder:
    """A channel sender that fails the first ``failures`` times."""

    def __init__(self, failures: int = 0, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.sent: list[tuple[str, dict]] = []

    def __call__(self, message: OutboxMessage) -> None:
        if self.failures:
            self.failures -= 1
            if self.permanent:
                raise outbox.PermanentFailure("address refused")
            raise ConnectionError("receiver down")
        self.sent.append((message.target, message.payload))


@pytest.fixture
def channel():
    recorder = Recorder()
    outbox.register_channel("test", recorder)
    yield recorder
    outbox._SENDERS.pop("test", None)


def enqueue(target="t", **payload):
    message = outbox.enqueue("test", target, payload or {"n": 1})
    db.session.commit()
    return message


def test_backoff_doubles_and_is_capped() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox.backoff(30) == outbox.MAX_DELAY


def test_due_messages_are_delivered_once(app, channel) -> None:
    enqueue("a")
    enqueue("b")
    report = outbox.deliver_due()
    assert (report.delivered, report.retrying, report.failed) == (2, 0, 0)
    assert [t for t, _ in channel.sent] == ["a", "b"]
    assert outbox.deliver_due().total == 0
    assert all(m.delivered_at for m in db.session.scalars(select(OutboxMessage)))


def test_a_rolled_back_change_sends_nothing(app, channel) -> None:
    outbox.enqueue("test", "x", {})
    db.session.rollback()
    assert outbox.deliver_due().total == 0


def test_failure_is_retried_with_backoff_then_delivered(app) -> None:
    flaky = Recorder(failures=2)
    outbox.register_channel("test", flaky)
    message = enqueue()
    now = utcnow()
    assert outbox.deliver_due(now=now).retrying == 1
    db.session.refresh(message)
    assert message.attempts == 1 and "receiver down" in message.last_error
    assert message.next_attempt_at == now + timedelta(seconds=30)
    # Not due before its time.
    assert outbox.deliver_due(now=now + timedelta(seconds=10)).total == 0
    assert outbox.deliver_due(now=now + timedelta(seconds=31)).retrying == 1
    assert outbox.deliver_due(now=now + timedelta(seconds=100)).delivered == 1
    db.session.refresh(message)
    assert message.attempts == 3 and message.delivered_at and message.last_error == ""
    outbox._SENDERS.pop("test", None)


def test_gives_up_after_max_attempts(app) -> None:
    outbox.register_channel("test", Recorder(failures=100))
    message = enqueue()
    now = utcnow()
    for n in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(now=now + timedelta(days=n))
    db.session.refresh(message)
    assert message.failed_at is not None and message.attempts == outbox.MAX_ATTEMPTS
    outbox._SENDERS.pop("test", None)


def test_permanent_failure_stops_at_once(app) -> None:
    outbox.register_channel("test", Recorder(failures=1, permanent=True))
    message = enqueue()
    assert outbox.deliver_due().failed == 1
    db.session.refresh(message)
    assert message.failed_at and message.attempts == 1
    outbox._SENDERS.pop("test", None)


def test_unknown_channel_fails_with_a_reason(app) -> None:
    message = outbox.enqueue("pigeon", "x", {})
    db.session.commit()
    assert outbox.deliver_due().failed == 1
    db.session.refresh(message)
    assert "pigeon" in message.last_error


def test_a_claimed_message_is_not_taken_by_another_worker(app, channel) -> None:
    enqueue()
    now = utcnow()
    claimed = outbox._claim(now, 10)
    assert len(claimed) == 1
    # A second worker polling meanwhile finds nothing due.
    assert outbox._claim(now, 10) == []
    # If the first worker died, the lease expires and the message is tried again.
    assert outbox._claim(now + outbox.LEASE + timedelta(seconds=1), 10) == claimed


def test_both_channels_are_registered(app) -> None:
    assert {"email", "webhook"} <= set(outbox.channels())


def test_worker_command_once(app, runner, channel) -> None:
    enqueue()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output
    assert len(channel.sent) == 1


def test_an_idle_round_takes_no_write_lock(app, channel) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def _record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.upper())

    delivered = enqueue()
    outbox.deliver_due()  # delivers it; from now on nothing is due
    assert channel.sent and delivered.id
    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        report = outbox.deliver_due()
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)
    assert report.total == 0
    # Neither SQLite's write lock (BEGIN IMMEDIATE) nor PostgreSQL row locks.
    assert not [s for s in statements if "IMMEDIATE" in s or "FOR UPDATE" in s], statements
