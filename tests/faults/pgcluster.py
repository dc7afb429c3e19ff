"""A throwaway PostgreSQL cluster the fault tests may stop and restart at will.

Never the shared server on 5432: everyone else's tests use that one. The cluster lives in a
temporary directory owned by the ``postgres`` user and listens on a free loopback port.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from commentsvc.localserver import free_port


def postgres_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl, if any."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    for candidate in reversed(candidates):
        if os.access(Path(candidate) / "initdb", os.X_OK):
            return Path(candidate)
    return None


def unavailable_reason() -> str | None:
    """Why a private cluster cannot be started here, or None when it can."""
    if postgres_bin_dir() is None:
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed"
    if os.geteuid() != 0:
        return "starting a private PostgreSQL cluster needs root (to run initdb as postgres)"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres system user"
    return None


class Cluster:
    """initdb once; start, stop (even abruptly) and restart on the same port and data."""

    def __init__(self) -> None:
        bin_dir = postgres_bin_dir()
        assert bin_dir is not None
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="commentsvc-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/commentsvc"

    def _as_postgres(self, tool: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash as far as clients can tell: no goodbye, connections cut."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self) -> None:
        self.fresh_database("commentsvc")

    def fresh_database(self, name: str) -> str:
        """Create an empty database ``name`` (letters, digits, _) and return its URL."""
        import psycopg

        assert name.replace("_", "").isalnum()
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def running(self) -> bool:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl")]
        status = subprocess.run(
            [*command, "-D", str(self.data), "status"], capture_output=True, timeout=30
        )
        return status.returncode == 0

    def destroy(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
