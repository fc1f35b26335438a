"""Shared fixtures. ``settings`` runs a test once per store: SQLite, and PostgreSQL when configured.

PostgreSQL comes from ``TRUSTONE_TEST_POSTGRES_URL`` (``scripts/test.sh`` starts a throwaway
cluster and sets it). Each test gets its own schema, dropped afterwards. With
``TRUSTONE_REQUIRE_POSTGRES=1`` (CI), a missing URL is an error, not a skip, and the run fails
when no PostgreSQL test passed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests import demo_store
from trustone.bootstrap import Services, bootstrap
from trustone.settings import Settings

BACKENDS = ("sqlite", "postgres")
_passed: dict[str, int] = {backend: 0 for backend in BACKENDS}


def _require_postgres() -> bool:
    return os.environ.get("TRUSTONE_REQUIRE_POSTGRES") == "1"


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path, tmp_path_factory) -> Iterator[Settings]:
    """An empty store of its own for each test; one holding the demo data when the test asks for
    ``demo`` (a copy of a store it was loaded into once: tests/demo_store.py)."""
    seeded = "demo" in request.fixturenames
    root = tmp_path_factory.getbasetemp()
    if request.param == "sqlite":
        yield demo_store.seed_sqlite(tmp_path, root) if seeded else Settings(data_dir=tmp_path)
        return
    url = os.environ.get("TRUSTONE_TEST_POSTGRES_URL")
    if not url:
        if _require_postgres():
            pytest.fail("TRUSTONE_REQUIRE_POSTGRES=1 but TRUSTONE_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (run scripts/test.sh, or set TRUSTONE_TEST_POSTGRES_URL)")
    copied = demo_store.seed_postgres(tmp_path, root, url) if seeded else None
    if copied is not None:
        settings, database = copied
        try:
            yield settings
        finally:
            demo_store.drop_database(url, database)
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    try:
        yield Settings(data_dir=tmp_path, database_url=f"{url}{separator}schema={schema}")
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = bootstrap(settings)
    try:
        yield built
    finally:
        built.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each store-parametrised test with its store, and say on its reports which store it ran
    on (a user property travels with the report from a pytest-xdist worker to the main process,
    which collects nothing itself and counts the passes)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("settings") if callspec is not None else None
        if backend in BACKENDS:
            item.add_marker(getattr(pytest.mark, backend))
            item.user_properties.append(("store", backend))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    stores = [value for name, value in report.user_properties if name == "store"]
    if report.when == "call" and report.passed and stores:
        _passed[stores[0]] += 1


def _postgres_check_applies(session: pytest.Session) -> bool:
    """CI's guard against a run that silently left PostgreSQL out.

    It applies to a real run (not --collect-only) that selected PostgreSQL tests, or that ran the
    whole suite (in which case there must have been some).
    """
    config = session.config
    if not _require_postgres() or config.option.collectonly or hasattr(config, "workerinput"):
        return False
    whole_suite = [str(a) for a in config.args] in ([], ["tests"], [str(config.rootpath / "tests")])
    selected = sum(1 for item in session.items if item.get_closest_marker("postgres"))
    return whole_suite or selected > 0


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    terminalreporter.write_line(
        f"store backends: {_passed['sqlite']} test(s) passed on SQLite, {_passed['postgres']} on PostgreSQL"
    )
    if _postgres_check_applies(terminalreporter._session) and _passed["postgres"] == 0:  # noqa: SLF001
        terminalreporter.write_line("FAILED: TRUSTONE_REQUIRE_POSTGRES=1 but no PostgreSQL test passed")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    demo_store.drop_templates(os.environ.get("TRUSTONE_TEST_POSTGRES_URL"))
    if _postgres_check_applies(session) and _passed["postgres"] == 0:
        session.exitstatus = 1


from tests.smtp import smtp_server  # noqa: E402,F401  - a real local SMTP server for every test that asks
