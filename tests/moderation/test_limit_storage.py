"""The in-process rate-limit store: limits' memory storage, swept inline, never by new threads."""

import time

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from commentsvc.extensions import limiter
from commentsvc.limit_storage import SweepingMemoryStorage


def _settled(storage: MemoryStorage) -> MemoryStorage:
    storage.timer.join()  # the timer every MemoryStorage starts when created
    return storage


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def test_without_redis_the_app_counts_in_the_sweeping_store(app) -> None:
    assert app.config["RATELIMIT_STORAGE_URI"] == "commentsvc-memory://"
    assert isinstance(limiter.storage, SweepingMemoryStorage)


def test_counting_starts_no_thread_where_limits_own_store_starts_one_per_update() -> None:
    hits = FixedWindowRateLimiter(_settled(theirs := MemoryStorage()))
    hits.hit(parse("5/minute"), "ip", "a")
    assert theirs.timer.is_alive()  # a new 10 ms timer: the cost this store exists to avoid

    ours = _settled(SweepingMemoryStorage())
    first_timer = ours.timer
    hits = FixedWindowRateLimiter(ours)
    for _ in range(3):
        assert hits.hit(parse("5/minute"), "ip", "a")
    assert ours.timer is first_timer and not first_timer.is_alive()
    assert hits.get_window_stats(parse("5/minute"), "ip", "a").remaining == 2
    assert [hits.hit(parse("2/minute"), "ip", "b") for _ in range(3)] == [True, True, False]


def test_expired_counters_are_swept_inline_at_most_once_a_second(monkeypatch) -> None:
    ours = _settled(SweepingMemoryStorage())
    ours.incr("old", expiry=0.05)  # the first update sweeps (nothing yet), the next in 1 s
    ours.incr("older", expiry=0.05)
    time.sleep(0.06)
    ours.incr("new", expiry=60)
    assert set(ours.storage) == {"old", "older", "new"}  # expired, not yet swept

    monkeypatch.setattr(ours, "_next_sweep", 0.0)  # as if the second had passed
    ours.incr("new", expiry=60)
    assert set(ours.storage) == {"new"}
    assert ours.get("new") == 2
