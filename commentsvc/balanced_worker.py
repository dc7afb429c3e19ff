"""A gunicorn gthread worker that takes its share of connections, no more.

Gunicorn's gthread workers all watch the listening socket and accept whatever arrives while
they are awake. A client that opens its kept-alive connections at once (a proxy's upstream
pool, a load generator) finds them split very unevenly: 11/2/2/1 and even 16/0/0/0 were seen
for 16 connections over 4 workers. One process then serves most readers with one core while
the others idle, and the requests queued behind each other in it make the slow tail.

Here each worker publishes how many connections it holds in a small table shared by all the
workers of the master (anonymous shared memory, made in the master before the first fork),
and accepts only while no live sibling holds fewer. The least loaded worker always accepts,
so nobody waits in the backlog; a worker that stands aside checks again every
``RECHECK_SECONDS`` instead of gunicorn's second, so it takes over as soon as it is the least
loaded.

It depends only on gunicorn and the standard library: the benchmark serves Isso with it too,
so both are measured under the same gunicorn settings.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# How often a worker that is not accepting looks again at its siblings' loads.
RECHECK_SECONDS = 0.05
FREE = 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ConnectionTable:
    """One slot per worker: its pid (0: free) and how many connections it holds."""

    def __init__(self, slots: int) -> None:
        self.pids = multiprocessing.RawArray("l", slots)
        self.counts = multiprocessing.RawArray("l", slots)
        self._lock = multiprocessing.Lock()

    def claim(self, pid: int) -> int | None:
        """A slot for the worker ``pid``: a free one or a dead worker's; None if all are taken."""
        with self._lock:
            for slot, owner in enumerate(self.pids):
                if owner == FREE or not _alive(owner):
                    self.counts[slot] = 0
                    self.pids[slot] = pid
                    return slot
        return None

    def release(self, slot: int) -> None:
        self.pids[slot] = FREE

    def least_other(self, slot: int) -> int | None:
        """The fewest connections a live sibling holds; None when there is none."""
        fewest = None
        for other, owner in enumerate(self.pids):
            if other == slot or owner == FREE:
                continue
            count = self.counts[other]
            # A worker killed without a word (timeout, OOM) must not hold the others back.
            if (fewest is None or count < fewest) and _alive(owner):
                fewest = count
        return fewest


class BalancedThreadWorker(ThreadWorker):
    """gthread, accepting only while no live sibling holds fewer connections."""

    table: ConnectionTable | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._nr_conns = 0
        self._alive = True
        self.slot: int | None = None
        super().__init__(*args, **kwargs)
        # Made in the master before the first fork, so every worker shares the same memory.
        if BalancedThreadWorker.table is None:
            BalancedThreadWorker.table = ConnectionTable(2 * self.cfg.workers + 4)

    def init_process(self) -> None:
        self.slot = self.table.claim(os.getpid())
        super().init_process()

    @property
    def nr_conns(self) -> int:
        return self._nr_conns

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._nr_conns = value
        if self.slot is not None:
            self.table.counts[self.slot] = value

    @property
    def worker_connections(self) -> int:
        """Gunicorn's cap; while a sibling holds fewer, the current count (accept nothing)."""
        if self.slot is None:
            return self._cap
        fewest = self.table.least_other(self.slot)
        if fewest is not None and fewest < self._nr_conns:
            return self._nr_conns
        return self._cap

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._cap = value

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if not self._accepting:
            timeout = min(timeout, RECHECK_SECONDS)
        super().wait_for_and_dispatch_events(timeout)

    @property
    def alive(self) -> bool:
        return self._alive

    @alive.setter
    def alive(self, value: bool) -> None:
        # A worker on its way out (stopped, or recycled after its requests) accepts nothing
        # more: while it drains, the others must not stand aside for its small count.
        self._alive = value
        if not value and self.slot is not None:
            self.table.release(self.slot)
            self.slot = None
