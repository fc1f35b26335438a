"""What the lists hold, table by table, to compare a server's views with a fresh rebuild."""

from __future__ import annotations

import subprocess
import sys

from trustone.bootstrap import bootstrap
from trustone.settings import Settings


def view_tables(settings: Settings) -> dict[str, list[str]]:
    """Every row of every view table (sorted, as text), of every view of both applications."""
    services = bootstrap(settings)
    try:
        tables: dict[str, list[str]] = {}
        for runner in services.runners:
            for name, recorder in runner.recorders.items():
                with recorder.cursor(commit=False) as cursor:
                    for table in recorder.view.tables:
                        rows = cursor.execute(f"SELECT * FROM {{schema}}.{table}").fetchall()
                        tables[f"{name}.{table}"] = sorted(repr(tuple(row)) for row in rows)
        return tables
    finally:
        services.close()


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustone.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def assert_views_equal_a_fresh_rebuild(settings: Settings, env: dict[str, str]) -> None:
    """The views as following left them (the server stopped) equal the views rebuilt from the events:
    no event applied twice or left out. Then ``trustone verify`` finds nothing wrong."""
    followed = view_tables(settings)
    rebuilt = cli(env, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert view_tables(settings) == followed
    verified = cli(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
