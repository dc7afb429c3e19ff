"""The gunicorn worker that accepts only its share of connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gunicorn.config import Config

from commentsvc.balanced_worker import BalancedThreadWorker, ConnectionTable
from tests.production.serving import running_server, server_env, worker_pids


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_each_worker_claims_its_own_slot_and_a_dead_workers_slot_is_reused() -> None:
    table = ConnectionTable(3)
    live, dead = table.claim(os.getppid()), table.claim(_dead_pid())
    assert live != dead
    # Its owner is gone (killed, say, without releasing): the slot goes to the next worker.
    assert table.claim(os.getpid()) == dead
    assert table.claim(os.getpid()) not in {live, dead}
    assert table.claim(os.getpid()) is None  # full of live workers


def test_the_least_loaded_sibling_is_looked_for_among_live_workers_only() -> None:
    table = ConnectionTable(4)
    mine = table.claim(os.getpid())
    assert table.least_other(mine) is None
    busy = table.claim(os.getppid())
    table.counts[busy] = 7
    assert table.least_other(mine) == 7
    dead = table.claim(_dead_pid())
    table.counts[dead] = 0  # a dead worker holds nothing, but must not hold the others back
    assert table.least_other(mine) == 7
    table.release(busy)
    assert table.least_other(mine) is None


@pytest.fixture
def worker(monkeypatch, tmp_path):
    """A worker as the master builds it, with one live sibling in the shared table."""
    monkeypatch.setattr(BalancedThreadWorker, "table", None)
    config = Config()
    config.set("workers", 2)
    config.set("worker_tmp_dir", str(tmp_path))
    built = BalancedThreadWorker(1, os.getpid(), [], None, 30, config, None)
    built.method_queue.init()  # what init_process does, without serving
    built.slot = built.table.claim(os.getpid())
    sibling = built.table.claim(os.getppid())
    yield built, sibling
    built.method_queue.close()
    built.tmp.close()


def test_a_worker_accepts_while_no_sibling_holds_fewer_connections(worker) -> None:
    built, sibling = worker
    cap = built.cfg.worker_connections
    built.table.counts[sibling] = 3
    built.nr_conns = 3
    assert built.table.counts[built.slot] == 3  # what the siblings read
    assert built.worker_connections == cap  # a tie: both accept
    built.nr_conns = 4
    # gunicorn accepts while nr_conns < worker_connections: this worker stands aside.
    assert built.worker_connections == built.nr_conns == 4
    built.table.counts[sibling] = 5
    assert built.worker_connections == cap


@pytest.mark.parametrize("leaving", ["stopped", "recycled"])
def test_a_worker_on_its_way_out_leaves_the_table(worker, leaving) -> None:
    built, sibling = worker
    slot = built.slot
    if leaving == "stopped":
        built.handle_exit(None, None)  # SIGTERM
    else:
        built.alive = False  # what gthread does after max_requests
    assert built.table.pids[slot] == 0 and built.slot is None
    # The sibling, now alone, accepts whatever it holds.
    assert built.table.least_other(sibling) is None


def _accepted_sockets(port: int, peers: set[int]) -> set[str]:
    """Inodes of the server-side sockets of the connections from ``peers`` (client ports)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) in peers:
            found.add(inode)
    return found


def _connections_per_worker(master: int, port: int, peers: set[int]) -> list[int]:
    inodes = _accepted_sockets(port, peers)
    counts = []
    for pid in worker_pids(master):
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held += 1
        counts.append(held)
    return sorted(counts)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from Linux's /proc")
def test_connections_opened_at_once_are_shared_evenly_by_the_workers(
    database_url, tmp_path
) -> None:
    with running_server(server_env(database_url), tmp_path, workers=4) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 60
        while len(worker_pids(server.process.pid)) < 4:  # answering once is not all forked
            assert time.monotonic() < deadline, "the 4 workers did not start"
            time.sleep(0.2)
        # As a proxy's upstream pool or a load generator does: 16 connections at once, kept.
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        try:
            request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
            for client in clients:
                client.sendall(request)
            for client in clients:
                client.settimeout(30)
                assert client.recv(65536).startswith(b"HTTP/1.1 200")
            peers = {client.getsockname()[1] for client in clients}
            counts = _connections_per_worker(server.process.pid, port, peers)
        finally:
            for client in clients:
                client.close()
    assert sum(counts) == 16
    assert counts == [4, 4, 4, 4]
