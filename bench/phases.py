"""One bench run on one store at one scale: the five figures, each next to its baseline.

Only the applications' public API is used: ``bootstrap``, the registry's use cases, the projection
runner, the access log (``open_for_audit``, as ``trustone audit verify`` opens it) and HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import data as bench_data
from bench.server import running_server
from bench.stores import executemany_rate, select_access_log_rate
from keys.logins.passwords import hash_password
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from trustone.bootstrap import bootstrap, open_for_audit
from trustone.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
NGO_REF = "bench-ngo"
DECLARATION = "TruStone verklaring gekoppelde lijst"

# figure key -> (label, unit, baseline label, target text, the target's absolute bound)
FIGURES = {
    "import": (
        "report import, lists caught up",
        "links/s",
        "executemany of the same rows",
        ">= 5,000/s and >= 1/3 of baseline",
        5000,
    ),
    "rebuild": (
        "projection rebuild",
        "events/s",
        "read + decode the same events",
        ">= 20,000/s and >= 1/2 of baseline",
        20000,
    ),
    "linked_list": ("linked-list search, p99", "ms", "/healthz p99, same server", "p99 < 50 ms, 0 errors", 50),
    "aggregated_list": ("aggregated list, p99", "ms", "/healthz p99, same server", "p99 < 50 ms, 0 errors", 50),
    "audit_verify": ("trustone audit verify", "entries/s", "SELECT of the access_log rows", ">= 100,000/s", 100_000),
}


def _figure(key: str, value: float, baseline: float, met: bool, **details) -> dict:
    label, unit, baseline_label, target, bound = FIGURES[key]
    return {
        "label": label,
        "unit": unit,
        "value": float(value),
        "baseline": float(baseline),
        "baseline_label": baseline_label,
        "ratio": float(value / baseline) if baseline else 0.0,
        "target": target,
        "target_value": float(bound),
        "met": bool(met),
        "details": details,
    }


def _setup_people(services, dataset: bench_data.DataSet, clients: int, work: Path) -> Path:
    registry = services.registry
    for ref in dataset.companies:
        registry.register_organisation(ref, f"Bench Company {ref[-5:]} BV", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2021, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    registry.register_organisation(NGO_REF, "Bench NGO", OrganisationKind.NGO_PARTY, "NL")
    accounts = []
    today = dt.date.today()
    for n in range(clients):
        login, password = f"bench.ngo{n}", secrets.token_urlsafe(16)
        registry.create_account(login, Role.NGO, NGO_REF, f"Bench NGO user {n}", hash_password(password), None)
        registry.record_declaration(
            login,
            DECLARATION,
            "bench-1",
            hashlib.sha256(DECLARATION.encode()).hexdigest(),
            today - dt.timedelta(days=30),
            today + dt.timedelta(days=300),
        )
        accounts.append({"login": login, "password": password})
    path = work / "accounts.json"
    path.touch(mode=0o600)
    path.write_text(json.dumps(accounts))
    return path


def measure_import(services, settings: Settings, dataset: bench_data.DataSet, step: Callable[[], None]) -> dict:
    registry = services.registry
    submitted = dt.date(bench_data.YEAR + 1, 3, 1)
    imported = 0.0  # the clock runs for the imports only, not for making the files
    for ref in dataset.companies:
        data = dataset.csv(ref)
        started = time.perf_counter()
        registry.import_report(ref, bench_data.YEAR, data, f"{ref}.csv", submitted_on=submitted)
        imported += time.perf_counter() - started
        step()
    started = time.perf_counter()
    services.catch_up()
    seconds = imported + time.perf_counter() - started
    rate = dataset.links / seconds
    baseline, _ = executemany_rate(settings, dataset.all_rows())
    _, sites = services.aggregated_list.sites(bench_data.YEAR, None, None, None, None)
    return _figure(
        "import",
        rate,
        baseline,
        rate >= 5000 and rate >= baseline / 3,
        links=dataset.links,
        reports=len(dataset.companies),
        seconds=seconds,
        import_seconds=imported,
        catch_up_seconds=seconds - imported,
        sites_in_aggregated_list=len(sites),
        sites_described=len(dataset.sites),
    )


def measure_rebuild(services) -> dict:
    runner = services.projections
    app = runner.app
    started = time.perf_counter()
    decoded = 0
    for recorder in runner.recorders.values():
        topics = getattr(getattr(recorder, "view", None), "topics", None) or []
        last = 0
        while notifications := app.recorder.select_notifications(start=last + 1, limit=500, topics=topics):
            for notification in notifications:
                app.mapper.to_domain_event(notification)
                last = notification.id
            decoded += len(notifications)
    baseline_seconds = time.perf_counter() - started
    started = time.perf_counter()
    applied = runner.rebuild()
    seconds = time.perf_counter() - started
    rate = applied / seconds
    baseline = decoded / baseline_seconds if baseline_seconds else 0.0
    return _figure(
        "rebuild",
        rate,
        baseline,
        rate >= 20000 and rate >= baseline / 2,
        events=applied,
        events_decoded=decoded,
        seconds=seconds,
    )


def _load(
    base: str,
    path: str,
    clients: int,
    requests: int,
    seconds: float,
    work: Path,
    accounts: Path | None = None,
    queries: list[dict] | None = None,
) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.load",
        "--base",
        base,
        "--path",
        path,
        "--clients",
        str(clients),
        "--requests",
        str(requests),
        "--seconds",
        str(seconds),
    ]
    if accounts is not None:
        command += ["--accounts", str(accounts)]
    if queries:
        queries_file = work / f"queries-{path.strip('/').replace('/', '-')}.json"
        queries_file.write_text(json.dumps(queries))
        command += ["--queries", str(queries_file)]
    done = subprocess.run(
        command,
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"load client failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def measure_http(
    settings: Settings,
    dataset: bench_data.DataSet,
    accounts: Path,
    clients: int,
    requests: int,
    seconds: float,
    work: Path,
    step: Callable[[], None],
) -> dict[str, dict]:
    year = bench_data.YEAR
    countries = sorted({site.country for site in dataset.sites})
    linked_queries = [{"year": year, "company": ref} for ref in dataset.companies[:50]] * 3 + [
        {"year": year, "country": country} for country in countries
    ]
    aggregated_queries = [{"year": year}] + [{"year": year, "country": country} for country in countries]
    figures = {}
    server_log = work / "server.log"
    with running_server(settings, server_log) as base:
        for key, path, queries in (
            ("linked_list", "/api/v1/linked-list", linked_queries),
            ("aggregated_list", "/api/v1/aggregated-list", aggregated_queries),
        ):
            health = _load(base, "/healthz", clients, requests, seconds, work)
            step()
            answer = _load(base, path, clients, requests, seconds, work, accounts, queries)
            step()
            met = answer["p99_ms"] < 50 and answer["errors"] == 0 and health["errors"] == 0
            figures[key] = _figure(
                key,
                answer["p99_ms"],
                health["p99_ms"],
                met,
                p50_ms=answer["p50_ms"],
                errors=answer["errors"],
                requests=answer["requests"],
                status=answer["status"],
                elapsed_s=answer["elapsed_s"],
                healthz=health,
            )
            if answer["errors"] or health["errors"]:  # why, from the server's own log (it logs no values)
                figures[key]["details"]["server_log_tail"] = server_log.read_text(errors="replace").splitlines()[-30:]
    return figures


def measure_audit(settings: Settings) -> dict:
    audit = open_for_audit(settings)
    try:
        started = time.perf_counter()
        result = audit.access_log.verify()
        seconds = time.perf_counter() - started
    finally:
        audit.close()
    if not result.ok:
        raise RuntimeError(f"audit verify failed at entry {result.first_bad_seq}")
    baseline, rows = select_access_log_rate(settings)
    rate = result.checked / seconds if seconds else 0.0
    return _figure(
        "audit_verify", rate, baseline, rate >= 100_000, entries=result.checked, rows_selected=rows, seconds=seconds
    )


def run_once(
    settings: Settings, scale: float, clients: int, requests: int, seconds: float, work: Path, step: Callable[[], None]
) -> dict:
    dataset = bench_data.make(scale, k=settings.publish_k)
    services = bootstrap(settings)
    try:
        accounts = _setup_people(services, dataset, clients, work)
        step()
        figures = {"import": measure_import(services, settings, dataset, step)}
        figures["rebuild"] = measure_rebuild(services)
        step()
    finally:
        services.close()
    figures.update(measure_http(settings, dataset, accounts, clients, requests, seconds, work, step))
    figures["audit_verify"] = measure_audit(settings)
    step()
    return {
        "scale": scale,
        "companies": len(dataset.companies),
        "sites": len(dataset.sites),
        "links": dataset.links,
        "clients": clients,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "figures": figures,
    }


def steps(scale: float) -> int:
    """Progress steps of one run: people, one per report, rebuild, four load runs, audit."""
    return 7 + bench_data.company_count(scale)
