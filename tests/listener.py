"""A TCP listener that only counts who connects: the reader's website of BI-033.

A comment's website points at it; if anything (the server, a preview, a favicon or avatar
fetch, the browser's link prefetch or preconnect) ever opened a connection to it, ``hits``
says so, with the first bytes received (the request line, when it was HTTP).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Listener:
    port: int
    hits: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def counting_listener() -> Iterator[Listener]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    listener = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    listener.hits.append(conn.recv(200) or b"(connected, sent nothing)")
                except OSError:
                    listener.hits.append(b"(connected, sent nothing)")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
