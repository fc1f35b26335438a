"""PostgreSQL restarted or down under a running server (issue 12 item 7).

Found on PostgreSQL: after a restart each stale pooled connection cost one HTTP 500 (the pools
handed connections out unchecked), and during a 10 s outage requests hung up to 17 s and
``/healthz`` answered 200 after 13 s instead of failing fast. Wanted: no request fails because a
pooled connection went stale, 503 with Retry-After within a few seconds while the store cannot be
reached, and recovery without restarting the server.

Each test stops and starts a private cluster of its own (tests/faults/pgcluster.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import httpx
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.faults.server import Server
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.bootstrap import bootstrap
from trustone.settings import Settings
from trustone.web.app import create_app
from trustone.web.auth import build_authenticator

FAST = 6.0  # seconds: the default connect timeout (3 s, README) and room for a slow machine


def test_after_a_postgresql_restart_no_request_fails_on_a_stale_pooled_connection(private_pg, fresh_database, tmp_path):
    services = bootstrap(Settings(data_dir=tmp_path, database_url=fresh_database))
    try:
        with TestClient(create_app(services), raise_server_exceptions=False) as client:
            for _ in range(3):  # every pool has handed out connections, which now sit idle in it
                assert client.get("/healthz").status_code == 200
                assert client.get("/api/v1/public/members").status_code == 200
            private_pg.stop()
            private_pg.start()
            answers = [
                client.get(path).status_code for _ in range(4) for path in ("/healthz", "/api/v1/public/members")
            ]
            assert answers == [200] * 8
    finally:
        services.close()


def company_with_a_session(settings: Settings) -> dict[str, str]:
    """A member company and its user's bearer header, written before the server starts."""
    services = bootstrap(settings)
    try:
        services.registry.register_organisation(
            "de-steenhouwer", "De Steenhouwer BV", OrganisationKind.MEMBER_COMPANY, "NL"
        )
        services.registry.join("de-steenhouwer", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        services.registry.create_account("company.user", Role.COMPANY, "de-steenhouwer", "c", "not-used-here", None)
        token = build_authenticator(services)._sessions.issue("company.user", dt.timedelta(hours=1))  # noqa: SLF001
        return {"Authorization": f"Bearer {token}"}
    finally:
        services.close()


def test_while_postgresql_is_down_requests_get_503_fast_and_the_same_server_recovers(
    private_pg, fresh_database, tmp_path
):
    settings = Settings(data_dir=tmp_path / "data", database_url=fresh_database)
    headers = company_with_a_session(settings)
    server = Server(settings.data_dir, fresh_database, workers=1).start()

    def upload() -> httpx.Response:
        return httpx.post(
            f"{server.url}/api/v1/companies/de-steenhouwer/reports/2024",
            headers=headers,
            timeout=30,
            files={"file": ("r.csv", csv_bytes([quarry_row(), factory_row()]), "text/csv")},
        )

    try:
        assert httpx.get(f"{server.url}/api/v1/public/members", timeout=10).status_code == 200
        private_pg.stop()
        for path in ("/healthz", "/api/v1/public/members", "upload"):
            started = time.monotonic()
            response = upload() if path == "upload" else httpx.get(f"{server.url}{path}", timeout=30)
            took = time.monotonic() - started
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert int(response.headers["Retry-After"]) > 0
            assert response.json()["detail"] == "the data store cannot be reached: try again shortly"
            assert took < FAST, (path, took)
        private_pg.start()
        deadline = time.monotonic() + 10  # a few seconds: no pause as long as the outage was
        while (status := httpx.get(f"{server.url}/healthz", timeout=30).status_code) != 200:
            assert status == 503 and time.monotonic() < deadline, status
            time.sleep(0.5)
        assert httpx.get(f"{server.url}/api/v1/public/members", timeout=10).status_code == 200
        uploaded = upload()
        assert uploaded.status_code == 200, uploaded.text
        assert uploaded.json()["version"] == 1  # the upload refused with 503 left nothing behind
        assert server.alive()  # the same process: nothing was restarted but PostgreSQL
    finally:
        server.stop()


def test_postgresql_restarted_under_load_gives_only_answers_or_503_never_500(private_pg, fresh_database, tmp_path):
    """Eight clients read all the time while PostgreSQL stops for a few seconds and starts again,
    against a server of two workers: every answer is 200 or 503, and after the restart 200 again."""
    server = Server(tmp_path / "data", fresh_database, workers=2).start()
    server.wait_for_workers(2)
    statuses: list[tuple[float, int]] = []
    stopping = threading.Event()

    def read(path: str) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stopping.is_set():
                sent = time.monotonic()
                statuses.append((sent, client.get(path).status_code))

    clients = [threading.Thread(target=read, args=(path,)) for path in ("/healthz", "/api/v1/public/members") * 4]
    try:
        for client in clients:
            client.start()
        time.sleep(1)
        private_pg.stop()
        time.sleep(4)
        private_pg.start()
        back = time.monotonic()
        time.sleep(6)
        stopping.set()
        for client in clients:
            client.join(timeout=40)
    finally:
        stopping.set()
        server.stop()
    assert {status for _, status in statuses} <= {200, 503}, sorted({status for _, status in statuses})
    assert 503 in {status for _, status in statuses}
    late = [status for sent, status in statuses if sent > back + 1]  # sent once PostgreSQL was back
    assert late and set(late) == {200}, late
