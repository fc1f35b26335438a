"""What the lists hold, table by table, to compare a server's views with a fresh rebuild."""

from __future__ import annotations

import subprocess
import sys

from trustone.bootstrap import bootstrap
from trustone.settings import Settings


def view_tables(settings: Settings, catch_up: bool = False) -> dict[str, list[str]]:
    """Every row of every view table (sorted, as text), of every view of both applications;
    ``catch_up``: first apply what the views have not applied yet (from their tracked positions)."""
    services = bootstrap(settings)
    try:
        if catch_up:
            services.catch_up()
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
    return subprocess.run(  # noqa: PLW1510 - the tests read the return code
        [sys.executable, "-m", "trustone.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def assert_views_equal_a_fresh_rebuild(settings: Settings, env: dict[str, str]) -> None:
    """The views as following left them (the server stopped), caught up from where it stopped,
    equal the views rebuilt from the events: no event applied twice or left out. Then ``trustone
    verify`` finds nothing wrong."""
    followed = view_tables(settings, catch_up=True)
    rebuilt = cli(env, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = view_tables(settings)
    assert again.keys() == followed.keys()
    for table in followed:  # table by table, so that a failure names the table
        assert again[table] == followed[table], (
            f"{table}: followed {len(followed[table])} rows, rebuilt {len(again[table])}; only in the followed: "
            f"{sorted(set(followed[table]) - set(again[table]))[:3]}; only rebuilt: "
            f"{sorted(set(again[table]) - set(followed[table]))[:3]}"
        )
    verified = cli(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
