"""A private, throwaway PostgreSQL 15 cluster that a test may stop, restart and count connections on.

Made as scripts/pg-test-cluster.sh makes the shared one (initdb with trust authentication, own
port, own directory, fsync off), but started by the test itself, so that stopping it touches no
other test: the shared cluster on 54329 serves every other helper's tests at the same time.

The directory is a fresh one under the system's temporary directory rather than pytest's
``tmp_path``: PostgreSQL refuses to run as root, and when the tests run as root the server runs as
the ``postgres`` user, who cannot traverse pytest's owner-only base directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("TRUSTONE_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROLE, PASSWORD = "trustone", "throwaway-private-cluster"  # not a placeholder: `trustone serve` refuses those


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="trustone-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nmax_connections = 100\nlogging_collector = off\n"
            )
        self.start()
        with psycopg.connect(self.superuser_url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")

    def _run(self, *command: object) -> None:
        args = [str(part) for part in command]
        if self._as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        subprocess.run(args, check=True, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self._run(PG_BIN / "pg_ctl", "start", "-D", self.data, "-l", self.root / "postgres.log", "-w", "-t", "60")

    def stop(self) -> None:
        """A fast shutdown, as an operator's restart does: every session is told and dropped."""
        self._run(PG_BIN / "pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w", "-t", "60")

    def superuser_url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """A fresh database owned by the application role; returns its URL for TRUSTONE_DATABASE_URL."""
        with psycopg.connect(self.superuser_url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER {ROLE}")
        return f"postgresql://{ROLE}:{PASSWORD}@127.0.0.1:{self.port}/{name}"

    def connections(self, dbname: str) -> int:
        """Sessions of the application role on that database (the superuser's own session not counted)."""
        with psycopg.connect(self.superuser_url("postgres"), autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s", (dbname, ROLE)
            ).fetchone()[0]

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
