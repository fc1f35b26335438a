"""SIGKILL of a real ``trustone serve`` while it writes (issue 12 item 7).

A report import and a grievance step are each one commit of their events (plus their access-log
entry), so a server killed at any moment leaves each of them wholly there or wholly not: nothing
half-written, nothing the client was told (HTTP 2xx) lost, and the lists, once caught up after
the restart, equal a rebuild from the events (no event applied twice, none skipped); ``trustone
verify`` finds nothing wrong. The moment of the kill is chosen at random within the time a
request takes, so over runs it falls everywhere in the request, the commit included.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import httpx

from registry.domain.errors import NotFoundError
from tests.e2e.test_access_matrix import OWN, quarry_site_id, world  # noqa: F401  (fixture)
from tests.faults.server import Server
from tests.faults.views import assert_views_equal_a_fresh_rebuild
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.principals import secretariat
from trustone.bootstrap import bootstrap
from trustone.web.auth import build_authenticator

CHAINS = 60  # 120 rows a report: an import takes a noticeable time, so that a kill can land inside one


def report(tag: int) -> bytes:
    rows = []
    for chain in range(1, CHAINS + 1):
        rows += [quarry_row(chain=f"C{chain}", product=f"paving-{tag}"), factory_row(chain=f"C{chain}")]
    return csv_bytes(rows)


def bearer(services, login: str) -> dict[str, str]:
    token = build_authenticator(services)._sessions.issue(login, dt.timedelta(hours=1))  # noqa: SLF001
    return {"Authorization": f"Bearer {token}"}


def versions(services, year: int) -> set[int]:
    try:
        return {version.number for version in services.registry.report(OWN, year).versions}
    except NotFoundError:
        return set()


def kill_while(server: Server, work, acknowledged: list, first: int) -> None:
    """Run ``work`` (a loop of requests that appends what was acknowledged) in a thread; once
    ``first`` requests were acknowledged, SIGKILL the server at a random moment of the next."""
    durations: list[float] = []
    thread = threading.Thread(target=work, args=(durations,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < first:
        assert thread.is_alive() and time.monotonic() < deadline, f"no progress:\n{server.output()[-3000:]}"
        time.sleep(0.01)
    time.sleep(random.uniform(0, max(durations)))  # noqa: S311 - not for security
    server.kill()
    thread.join(timeout=30)


def test_sigkill_during_report_imports(world, tmp_path):
    services = world
    settings = services.settings
    headers = bearer(services, "company.user")
    years = (2022, 2023, 2024, 2025)
    plan = [(year, tag) for tag in range(1, 4) for year in years]  # new versions from tag 2
    earlier = {year: versions(services, year) for year in years}  # the world's own 2024 report
    acknowledged: list[tuple[int, int, int]] = []  # (year, version, tag)
    attempted: dict[tuple[int, int], int] = {}  # (year, tag) -> rows sent

    def upload(durations: list[float]) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            for year, tag in plan:
                attempted[year, tag] = 2 * CHAINS
                started = time.monotonic()
                try:
                    response = client.post(
                        f"/api/v1/companies/{OWN}/reports/{year}",
                        files={"file": (f"r{tag}.csv", report(tag), "text/csv")},
                    )
                except httpx.TransportError:
                    return  # killed
                assert response.status_code == 200, response.text
                durations.append(time.monotonic() - started)
                acknowledged.append((year, response.json()["version"], tag))

    server = Server(settings.data_dir, settings.database_url, workers=1).start()
    try:
        kill_while(server, upload, acknowledged, first=3)
        assert len(acknowledged) < len(plan)  # the kill came before the last upload was answered
        server.start()  # the same data directory, as a supervisor would restart it
        assert httpx.get(f"{server.url}/api/v1/public/members", timeout=30).status_code == 200  # caught up
    finally:
        server.stop()

    reader = bootstrap(settings)
    try:
        who = secretariat()
        for year, version, tag in acknowledged:  # nothing acknowledged is lost
            content = reader.registry.read_report(who, OWN, year, version, purpose="fault test")
            assert {link.product for link in content.links if link.site_kind == "quarry"} == {f"paving-{tag}"}
        for year in years:  # nothing half-written: every version written here is a whole file
            for number in versions(reader, year) - earlier[year]:
                content = reader.registry.read_report(who, OWN, year, number, purpose="fault test")
                assert len(content.links) == 2 * CHAINS, (year, number, len(content.links))
    finally:
        reader.close()
    assert_views_equal_a_fresh_rebuild(settings, server.env)


def test_sigkill_during_grievance_steps(world, tmp_path):
    services = world
    settings = services.settings
    quarry = quarry_site_id(services)
    ngo, office = bearer(services, "ngo.user"), bearer(services, "secretariat.user")
    server = Server(settings.data_dir, settings.database_url, workers=1).start()
    acknowledged: list[str] = []
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            references = []
            for n in range(8):
                filed = client.post(
                    "/api/v1/grievances",
                    headers=ngo,
                    json={
                        "site_ids": [quarry],
                        "themes": ["health_and_safety"],
                        "observed_on": "2025-11-20",
                        "description": f"No protective gear at the quarry face, visit {n}.",
                        "language": "en",
                        "reporter": {"name": "Local partner", "contact": "+91 98290 00000"},
                    },
                )
                assert filed.status_code == 201, filed.text
                references.append(filed.json()["reference"])

        def step(durations: list[float]) -> None:
            with httpx.Client(base_url=server.url, headers=office, timeout=60) as client:
                for reference in references:
                    started = time.monotonic()
                    try:
                        response = client.post(
                            f"/api/v1/grievances/{reference}/steps", json={"step": "acknowledge", "reason": "received"}
                        )
                    except httpx.TransportError:
                        return
                    assert response.status_code == 200, response.text
                    durations.append(time.monotonic() - started)
                    acknowledged.append(reference)

        kill_while(server, step, acknowledged, first=2)
        assert len(acknowledged) < len(references)
        server.start()
        with httpx.Client(base_url=server.url, headers=office, timeout=60) as client:
            for reference in references:  # every filing is there; every acknowledged step too
                case = client.get(f"/api/v1/grievances/{reference}")
                assert case.status_code == 200, case.text
                expected = {"acknowledged"} if reference in acknowledged else {"filed", "acknowledged"}
                assert case.json()["stage"] in expected, (reference, case.json()["stage"])
            # the case views (the secretariat's queue) agree with the cases
            queue = {item["reference"]: item["stage"] for item in client.get("/api/v1/grievances").json()}
            assert {ref: client.get(f"/api/v1/grievances/{ref}").json()["stage"] for ref in references} == {
                ref: queue[ref] for ref in references
            }
    finally:
        server.stop()
    assert_views_equal_a_fresh_rebuild(settings, server.env)
