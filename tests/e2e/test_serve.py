"""`trustone serve` as the README runs it: a real server process answering on a real port."""

import os
import socket
import subprocess
import sys
import time

import httpx

from tests.e2e.test_access_matrix import world  # noqa: F401  (fixture)


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
    server = subprocess.Popen(
        [sys.executable, "-m", "trustone.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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


def test_serve_starts_one_worker_per_core_by_default(tmp_path):
    from tests.faults.server import Server

    server = Server(tmp_path / "data").start()
    try:
        cores = len(os.sched_getaffinity(0))
        deadline = time.monotonic() + 30
        while server.output().count("Application startup complete") < cores:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)
        assert server.output().count("Started server process") == cores
        assert server.output().count("follows the events and sends the notices") == 1  # one follower
    finally:
        server.stop()


def test_two_workers_serving_at_once_keep_the_access_log_chain_and_follow_each_event_once(world, tmp_path):
    """Access-log appends from two worker processes at once are serialised in the database (the
    chain's head is read and extended under a lock), so ``trustone audit verify`` accepts the chain;
    reports uploaded meanwhile reach the lists once (the views equal a rebuild)."""
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    from tests.e2e.test_access_matrix import OWN
    from tests.faults.server import Server
    from tests.faults.views import assert_views_equal_a_fresh_rebuild, cli
    from tests.integration.report_files import csv_bytes, factory_row, quarry_row
    from trustone.web.auth import build_authenticator

    services = world
    sessions = build_authenticator(services)._sessions  # noqa: SLF001
    headers = {
        login: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=1))}"}
        for login in ("secretariat.user", "ngo.user", "company.user")
    }
    before = services.access_log.verify().checked
    server = Server(services.settings.data_dir, services.settings.database_url, workers=2).start()
    try:

        def read(n: int) -> int:
            login, path = [
                ("secretariat.user", "/api/v1/aggregated-list"),
                ("ngo.user", "/api/v1/linked-list"),
                ("secretariat.user", "/api/v1/linked-list"),
            ][n % 3]
            return httpx.get(f"{server.url}{path}", headers=headers[login], timeout=60).status_code

        def upload(n: int) -> int:
            data = csv_bytes([quarry_row(product=f"paving-{n}"), factory_row()])
            return httpx.post(
                f"{server.url}/api/v1/companies/{OWN}/reports/2024",
                headers=headers["company.user"],
                files={"file": (f"r{n}.csv", data, "text/csv")},
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            reads = pool.map(read, range(45))
            uploads = pool.map(upload, range(6))
            assert list(reads) == [200] * 45
            assert list(uploads) == [200] * 6
    finally:
        server.stop()
    audit = cli(server.env, "audit", "verify")
    assert audit.returncode == 0, audit.stderr
    checked = int(audit.stdout.split("intact: ")[1].split(" entries")[0])
    assert checked >= before + 45 + 6
    assert_views_equal_a_fresh_rebuild(services.settings, server.env)


def test_when_the_following_worker_dies_another_worker_takes_over_the_following(tmp_path):
    import re
    import signal

    from tests.faults.server import Server

    server = Server(tmp_path / "data", workers=2).start()
    try:
        server.wait_for_workers(2)
        pattern = re.compile(r"this worker \(pid (\d+)\) follows")
        deadline = time.monotonic() + 10
        while not pattern.findall(server.output()):
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        [first] = pattern.findall(server.output())
        os.kill(int(first), signal.SIGKILL)
        deadline = time.monotonic() + 15
        while len(followers := pattern.findall(server.output())) < 2:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        assert followers[1] != first
        assert httpx.get(f"{server.url}/api/v1/public/members", timeout=30).status_code == 200
    finally:
        server.stop()
