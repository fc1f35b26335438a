"""A real ``trustone serve`` process for fault tests: own data directory, own port, its own session
(process group), so that a SIGKILL reaches every worker at once, as a power cut or the OOM killer
taking the whole service would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.faults.pgcluster import free_port


class Server:
    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        workers: int | None = None,
        extra_env: dict[str, str] | None = None,
    ):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "TRUSTONE_DATA_DIR": str(data_dir), **(extra_env or {})}
        self.env.pop("TRUSTONE_DATABASE_URL", None)
        if database_url:
            self.env["TRUSTONE_DATABASE_URL"] = database_url
        self.workers = workers
        self.log = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        command = [sys.executable, "-m", "trustone.cli", "serve", "--port", str(self.port)]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"server did not come up:\n{self.output()}")
            time.sleep(0.2)

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` worker processes have started (the first answer may come from one alone)."""
        deadline = time.monotonic() + timeout
        while self.output().count("Application startup complete") < count:
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)

    def wait_for_follower(self, timeout: float = 60) -> None:
        """Until one worker has taken the background work (trustone/followers.py), and then one list
        read has waited for its views: the follower has made its first rounds."""
        deadline = time.monotonic() + timeout
        while "follows the events and sends the notices" not in self.output():
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)
        assert httpx.get(f"{self.url}/api/v1/public/members", timeout=30).status_code == 200

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: no handler runs, nothing is flushed or closed."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._reap_group()
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._reap_group()

    def _reap_group(self) -> None:
        """Workers left behind by a supervisor that died first are ended too (same process group)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
