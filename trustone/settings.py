"""Settings from the environment. Nothing here does work at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlparse

if TYPE_CHECKING:
    from registry.domain.retention import Schedule


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


# Passwords that ship in examples and tutorials: never acceptable outside demo mode.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "changethis",
        "change-me",
        "password",
        "secret",
        "postgres",
        "admin",
        "trustone",
        "example",
        "test",
    }
)


def _int_setting(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SettingsError(f"{name}: a whole number, at least {minimum}")
    return int(raw)


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def _public_url(environ: Mapping[str, str]) -> str:
    raw = (environ.get("TRUSTONE_PUBLIC_URL") or "").strip().rstrip("/")
    if not raw:
        return DEFAULT_PUBLIC_URL
    url = urlparse(raw)
    if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment or url.params:
        raise SettingsError(
            "TRUSTONE_PUBLIC_URL: expected http(s)://host[:port][/path], e.g. https://registry.trustone.org"
        )
    return raw


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None
    keyring_path: Path | None = None  # default: <data dir>/keyring.json
    demo_mode: bool = False  # TRUSTONE_DEMO_MODE=1: placeholder secrets tolerated (local demos, tests)
    publish_k: int = 3  # TRUSTONE_PUBLISH_K: a region's figures are published only from k companies on
    grievance_limits: str = ""  # TRUSTONE_GRIEVANCE_LIMITS, e.g. "acknowledge=5,ruling=90" (days)
    reporting_deadline: str = ""  # TRUSTONE_REPORTING_DEADLINE, MM-DD of the year after the report year (default 05-01)
    retention: str = ""  # TRUSTONE_RETENTION, e.g. "closed_case=730,warn=30" (days; registry/domain/retention.py)
    mail_environ: tuple[tuple[str, str], ...] = ()  # TRUSTONE_SMTP_* and TRUSTONE_MAIL_FROM, read by grievance/mail.py
    db_pool_size: int = 3  # TRUSTONE_DB_POOL_SIZE: most PostgreSQL connections of one pool (see postgres_params)
    db_connect_timeout: int = 3  # TRUSTONE_DB_CONNECT_TIMEOUT: seconds to get a connection before a 503
    # TRUSTONE_PUBLIC_URL: the address the public reaches the registry at. A signed statement names
    # its verification page and the published key under it: never the address a request came in by,
    # which its sender chooses (the Host header). `trustone serve` defaults it to its own address.
    public_url: str = DEFAULT_PUBLIC_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        data_dir = Path(environ.get("TRUSTONE_DATA_DIR") or "./var").expanduser().resolve()
        database_url = (environ.get("TRUSTONE_DATABASE_URL") or "").strip() or None
        keyring = (environ.get("TRUSTONE_KEYRING") or "").strip()
        settings = cls(
            data_dir=data_dir,
            database_url=database_url,
            keyring_path=Path(keyring).expanduser().resolve() if keyring else None,
            demo_mode=environ.get("TRUSTONE_DEMO_MODE") == "1",
            publish_k=_int_setting(environ, "TRUSTONE_PUBLISH_K", 3, minimum=2),
            grievance_limits=environ.get("TRUSTONE_GRIEVANCE_LIMITS") or "",
            retention=environ.get("TRUSTONE_RETENTION") or "",
            reporting_deadline=environ.get("TRUSTONE_REPORTING_DEADLINE") or "",
            db_pool_size=_int_setting(environ, "TRUSTONE_DB_POOL_SIZE", 3, minimum=1),
            db_connect_timeout=_int_setting(environ, "TRUSTONE_DB_CONNECT_TIMEOUT", 3, minimum=1),
            public_url=_public_url(environ),
            mail_environ=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith(("TRUSTONE_SMTP_", "TRUSTONE_MAIL_")))
            ),
        )
        if database_url:
            settings.postgres_params()  # fail early, naming the variable
        settings.deadline_limits()
        settings.retention_schedule()
        settings.deadline()
        return settings

    def refuse_placeholder_secrets(self) -> None:
        """Called before serving: a well-known password in production is as good as none."""
        if self.demo_mode or not self.database_url:
            return
        if self.postgres_params()["POSTGRES_PASSWORD"].lower() in PLACEHOLDER_SECRETS:
            raise SettingsError(
                "TRUSTONE_DATABASE_URL: the password is a well-known placeholder; set a real "
                "one (or TRUSTONE_DEMO_MODE=1 for a local demo)"
            )

    def deadline_limits(self) -> dict:
        """Per-stage grievance time limits in days (docs/lifecycles.md defaults)."""
        from grievance.domain.deadlines import parse_limits
        from registry.domain.errors import ValidationError

        try:
            return parse_limits(self.grievance_limits)
        except ValidationError as error:
            raise SettingsError(str(error)) from None

    def deadline(self) -> tuple[int, int]:
        """The reporting deadline as (month, day) of the year after the report year: the day whose
        risk-country list judges a report year (registry/domain/risk_countries.py)."""
        from registry.domain.errors import ValidationError
        from registry.domain.risk_countries import DEFAULT_DEADLINE, parse_deadline

        if not self.reporting_deadline:
            return DEFAULT_DEADLINE
        try:
            return parse_deadline(self.reporting_deadline)
        except ValidationError as error:
            raise SettingsError(f"TRUSTONE_REPORTING_DEADLINE: {error}") from None

    def retention_schedule(self) -> Schedule:
        """The retention schedule: the defaults with TRUSTONE_RETENTION's periods (docs/retention.md)."""
        from registry.domain.errors import ValidationError
        from registry.domain.retention import parse_overrides

        try:
            return parse_overrides(self.retention)
        except ValidationError as error:
            raise SettingsError(f"TRUSTONE_RETENTION: {error}") from None

    @property
    def backend(self) -> str:
        return "postgres" if self.database_url else "sqlite"

    def postgres_params(self) -> dict[str, str]:
        """The eventsourcing library's PostgreSQL settings, read by its datastores and by ours
        (keys/storage/sql.py's ``PostgresSqlStore``), so that every pool of a process is set alike:

        - at most ``TRUSTONE_DB_POOL_SIZE`` connections per pool (one kept open while idle, the rest
          opened under load); a process has seven pools (two applications, four views, the SQL
          store), so a server holds 7 per worker when idle and at most 7 x size per worker;
        - each connection is checked when it is taken from the pool (``PRE_PING``): one that went
          stale when PostgreSQL restarted is replaced, not handed to a request;
        - while PostgreSQL cannot be reached, a request waits about ``TRUSTONE_DB_CONNECT_TIMEOUT``
          seconds for a connection and then gets the pool's timeout error, answered 503
          (trustone/storage_errors.py) instead of hanging; while every connection is merely in use
          by other requests, it waits its turn, up to 30 s in all (keys/storage/sql.py ``busy_tolerant``).
        """
        url = urlparse(self.database_url or "")
        if url.scheme not in ("postgresql", "postgres") or not url.hostname or not url.path.strip("/"):
            raise SettingsError("TRUSTONE_DATABASE_URL: expected postgresql://user:password@host:port/dbname")
        params = {
            "POSTGRES_DBNAME": url.path.strip("/"),
            "POSTGRES_HOST": url.hostname,
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or ""),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": str(self.db_pool_size - 1),
            "POSTGRES_PRE_PING": "y",
            "POSTGRES_CONNECT_TIMEOUT": str(self.db_connect_timeout),
        }
        schema = parse_qs(url.query).get("schema")
        if schema:
            params["POSTGRES_SCHEMA"] = schema[0]
        return params

    @property
    def keyring_file(self) -> Path:
        return self.keyring_path or self.data_dir / "keyring.json"

    @property
    def sqlite_path(self) -> Path:
        """SQLite file for the tables that are not events (keys, access log, sessions)."""
        return self.data_dir / "trustone.sqlite3"

    def application_env(self, app_name: str) -> dict[str, str]:
        """The eventsourcing settings for one application (each has its own SQLite file)."""
        if self.database_url:
            return {"PERSISTENCE_MODULE": "trustone.pgfactory:BoundedWaitPostgresFactory", **self.postgres_params()}
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.data_dir / f"{app_name}.sqlite3"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
