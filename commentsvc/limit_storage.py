"""The in-process store of rate-limit counters (no Redis): limits' own, swept without threads.

``limits``' ``MemoryStorage`` forgets expired counters from a ``threading.Timer`` of 10 ms
that each counter update starts again once the last one has run. A process posting less often
than every 10 ms therefore started a thread for nearly every post: about half a millisecond
of CPU per post. Reading a counter already discards it once
expired, so sweeping is only about memory; here it runs inline, at most once a second.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MemoryStorage

SCHEME = "commentsvc-memory"
# How often at most a counter update sweeps away expired counters (and moving windows).
SWEEP_SECONDS = 1.0


class SweepingMemoryStorage(MemoryStorage):
    """``memory://`` as limits keeps it, swept inline; its URI is ``commentsvc-memory://``."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    # Replaces MemoryStorage's private scheduler, which every update calls (a test checks it
    # still does, so that a new limits release cannot bring the threads back unseen).
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
