"""`trustone serve` as the README runs it: a real server process answering on a real port."""

import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_health_and_openapi_over_http(settings):
    env = {**os.environ, "TRUSTONE_DATA_DIR": str(settings.data_dir)}
    env.pop("TRUSTONE_DATABASE_URL", None)
    if settings.database_url:
        env["TRUSTONE_DATABASE_URL"] = settings.database_url
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "trustone.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stdout.read().decode()) from None
                time.sleep(0.2)
        assert response.json() == {"status": "ok", "backend": settings.backend}
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()["info"]["title"]
    finally:
        server.terminate()
        server.wait(timeout=10)
