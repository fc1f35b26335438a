"""The load client: a separate process (``python -m bench.load``), httpx + asyncio, loopback only.

Logs in through the API (one login per client), then ``--clients`` concurrent clients each send
requests to ``--path`` until ``--requests`` have been sent in all or ``--seconds`` have passed,
whichever comes first. A JSON list answer with ``next_cursor`` is followed (each page is a request
of its own, timed on its own). Prints one JSON object: count, errors, status codes, p50/p99 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

MAX_PAGES = 5  # pages followed per request, so that one answer cannot take the whole budget


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def login(client: httpx.AsyncClient, account: dict) -> str:
    response = await client.post(
        "/api/v1/auth/login", json={"login": account["login"], "password": account["password"]}
    )
    response.raise_for_status()
    return response.json()["access_token"]


async def run(
    base: str,
    path: str,
    accounts: list[dict],
    queries: list[dict],
    clients: int,
    requests: int,
    seconds: float,
    timeout: float,
) -> dict:
    host = urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load client: loopback only, not {host}")
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    sent = 0
    deadline = time.monotonic() + seconds
    rng = random.Random(7)  # noqa: S311 - not for security

    async def one_client(number: int) -> None:
        nonlocal errors, sent
        async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
            if accounts:
                token = await login(client, accounts[number % len(accounts)])
                client.headers["Authorization"] = f"Bearer {token}"
            while sent < requests and time.monotonic() < deadline:
                sent += 1
                params = dict(rng.choice(queries)) if queries else {}
                for _ in range(MAX_PAGES):
                    started = time.perf_counter()
                    try:
                        response = await client.get(path, params=params)
                        status = str(response.status_code)
                    except httpx.HTTPError as error:
                        response, status = None, type(error).__name__
                    latencies.append((time.perf_counter() - started) * 1000)
                    statuses[status] = statuses.get(status, 0) + 1
                    if response is None or response.status_code >= 400:
                        errors += 1
                        break
                    cursor = _next_cursor(response)
                    if not cursor:
                        break
                    params = {**params, "cursor": cursor}

    started = time.monotonic()
    await asyncio.gather(*(one_client(n) for n in range(clients)))
    return {
        "path": path,
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "status": statuses,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "mean_ms": statistics.fmean(latencies) if latencies else 0.0,
        "elapsed_s": time.monotonic() - started,
    }


def _next_cursor(response: httpx.Response) -> str | None:
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    body = response.json()
    return body.get("next_cursor") if isinstance(body, dict) else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--path", required=True)
    parser.add_argument("--accounts", help="JSON file: [{login, password}, ...] (none: no login)")
    parser.add_argument("--queries", help="JSON file: a list of query-parameter objects to pick from")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="in all, across the clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="stop sending after this long")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request; a timeout is an error")
    args = parser.parse_args(argv)
    accounts = json.loads(Path(args.accounts).read_text()) if args.accounts else []
    queries = json.loads(Path(args.queries).read_text()) if args.queries else []
    result = asyncio.run(
        run(args.base, args.path, accounts, queries, args.clients, args.requests, args.seconds, args.timeout)
    )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
