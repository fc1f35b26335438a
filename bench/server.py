"""A real ``trustone serve`` on loopback, in a subprocess of its own (own data dir, own port)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.stores import server_environment
from trustone.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _trustone() -> list[str]:
    script = Path(sys.executable).with_name("trustone")
    return [str(script)] if script.exists() else [sys.executable, "-m", "trustone.cli"]


@contextlib.contextmanager
def running_server(settings: Settings, log_path: Path, startup_seconds: float = 90.0) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*_trustone(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_environment(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"trustone serve exited with {process.returncode}; see {log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"trustone serve did not answer /healthz in {startup_seconds:.0f} s")
                time.sleep(0.2)
            yield base
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and any workers
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
