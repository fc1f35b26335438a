"""The demo data set, loaded once per test worker and store, and copied for each test that asks for it.

Loading the demo (``trustone.demo.load_demo``) takes seconds, and hundreds of tests start from it.
So the first test of a worker that asks for ``demo`` loads it into a template store; every such test
then starts from a copy of that store, as if it had loaded the demo itself:
- SQLite: the template's data directory (the database files, the keyring, the logins file) is
  copied into the test's own directory;
- PostgreSQL: the template is a database of its own, and each test gets a new database made from it
  (``CREATE DATABASE ... TEMPLATE``, a file copy), dropped afterwards. The fixtures' own role
  (``<user>_fixtures``, scripts/pg-test-cluster.sh) creates them for the application's role, which
  stays without CREATEDB as in production. Without that role (another cluster), each test loads the
  demo itself, as before.
The copy is the store ``load_demo`` left, byte for byte, with the same keys; ``DemoResult`` (the
refs, the logins) is the template's. ``tests/integration/test_demo_data.py`` still loads the demo
itself, into empty stores, and checks what it wrote.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import errors

from trustone.bootstrap import bootstrap
from trustone.demo import DemoResult, load_demo
from trustone.settings import Settings

SCHEMA = "demo"


@dataclass(frozen=True)
class Template:
    data_dir: Path
    database: str | None  # PostgreSQL: the template database's name
    result: DemoResult


_templates: dict[str, Template] = {}
_results: dict[Path, DemoResult] = {}  # a test's data directory -> the demo it was seeded with


def with_database(url: str, database: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{database}", query=""))


def fixtures_url(url: str) -> str:
    """The same cluster as the fixtures' role (``<user>_fixtures``, the same password)."""
    parts = urlparse(url)
    user = parts.username or ""
    return urlunparse(parts._replace(netloc=parts.netloc.replace(f"{user}:", f"{user}_fixtures:", 1)))


_can_create: dict[str, bool] = {}


def _can_create_databases(url: str) -> bool:
    if url not in _can_create:
        try:
            with psycopg.connect(fixtures_url(url), autocommit=True, connect_timeout=3):
                _can_create[url] = True
        except psycopg.OperationalError:
            _can_create[url] = False
    return _can_create[url]


def _owner(url: str) -> str:
    return urlparse(url).username or ""


def _template(backend: str, root: Path, postgres_url: str | None) -> Template:
    found = _templates.get(backend)
    if found is not None:
        return found
    data_dir = root / f"demo-template-{backend}-{uuid.uuid4().hex[:8]}"  # a failed attempt leaves its own
    data_dir.mkdir(parents=True)
    database = None
    if backend == "postgres":
        assert postgres_url is not None
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        database = f"demo_template_{worker}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(fixtures_url(postgres_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}" OWNER "{_owner(postgres_url)}"')
        with psycopg.connect(with_database(postgres_url, database), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{SCHEMA}"')
        settings = Settings(data_dir=data_dir, database_url=f"{with_database(postgres_url, database)}?schema={SCHEMA}")
    else:
        settings = Settings(data_dir=data_dir)
    try:
        services = bootstrap(settings)
        try:
            result = load_demo(services)
        finally:
            services.close()
        if not result.loaded or not result.company_refs:
            raise RuntimeError(f"the demo template was not loaded: {result.summary}")
    except BaseException:
        if database is not None and postgres_url is not None:
            drop_database(postgres_url, database)
        raise
    template = Template(data_dir, database, result)
    _templates[backend] = template
    return template


def seed_sqlite(tmp_path: Path, root: Path) -> Settings:
    template = _template("sqlite", root, None)
    shutil.copytree(template.data_dir, tmp_path, dirs_exist_ok=True)
    _results[tmp_path] = template.result
    return Settings(data_dir=tmp_path)


def seed_postgres(tmp_path: Path, root: Path, postgres_url: str) -> tuple[Settings, str] | None:
    """The settings of a new database copied from the template, and that database's name (to drop);
    None when the cluster has no fixtures' role (the test then loads the demo itself)."""
    if not _can_create_databases(postgres_url):
        return None
    template = _template("postgres", root, postgres_url)
    shutil.copytree(template.data_dir, tmp_path, dirs_exist_ok=True)
    database = f"test_{uuid.uuid4().hex[:16]}"
    copy = (
        f'CREATE DATABASE "{database}" OWNER "{_owner(postgres_url)}" TEMPLATE "{template.database}" STRATEGY FILE_COPY'
    )
    with psycopg.connect(fixtures_url(postgres_url), autocommit=True) as conn:
        try:
            conn.execute(copy)
        except errors.ObjectInUse:  # a connection of the template's own services still closing
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (template.database,)
            )
            conn.execute(copy)
    _results[tmp_path] = template.result
    url = f"{with_database(postgres_url, database)}?schema={SCHEMA}"
    return Settings(data_dir=tmp_path, database_url=url), database


def drop_database(postgres_url: str, database: str) -> None:
    with psycopg.connect(fixtures_url(postgres_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def drop_templates(postgres_url: str | None) -> None:
    for template in _templates.values():
        if template.database and postgres_url:
            drop_database(postgres_url, template.database)
    _templates.clear()


def result_of(settings: Settings) -> DemoResult | None:
    """The demo a test's store was seeded with; None when it was not seeded (load it then)."""
    return _results.get(settings.data_dir)
