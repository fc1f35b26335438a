"""The ``trustone`` command. Thin: parse arguments, call the application, print a result or error."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

from projections.runner import RebuildIntegrityError
from registry.domain.errors import RegistryError
from registry.reportfile import ReportFileError
from trustone.cli_audit import audit_cli
from trustone.cli_common import command_services, fail, operator, services_or_exit
from trustone.cli_declarations import declarations_cli
from trustone.cli_grievances import grievances_cli
from trustone.settings import Settings, SettingsError
from trustone.terminal import progress_on_terminal, rebuild_progress

cli = typer.Typer(
    help="TruStone registry: confidential supply-chain registry and grievance cases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(grievances_cli, name="grievances")
cli.add_typer(declarations_cli, name="declarations")


@contextmanager
def import_stages(name: str, console: Console | None = None) -> Iterator[Callable[[str], None]]:
    """On a terminal, the import's current step with a spinner and the time taken so far; nothing
    when stdout is not a terminal (a script's output stays the one result line)."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with progress_on_terminal(console or Console(), columns, None, f"{name}: starting") as update:
        yield lambda stage: update(description=f"{name}: {stage}")


@cli.command()
def init() -> None:
    """Create the data directory and the event store (SQLite by default, or TRUSTONE_DATABASE_URL)."""
    services = services_or_exit()
    where = services.settings.data_dir if services.settings.backend == "sqlite" else "PostgreSQL"
    typer.echo(f"initialised the {services.settings.backend} store ({where})")
    services.close()


@cli.command()
def demo() -> None:
    """Load the demo data set and one demo user per role (logins in <data dir>/demo-logins.json)."""
    from trustone.demo import load_demo

    services = services_or_exit()
    try:
        result = load_demo(services)
        if result.loaded:  # not in load_demo: the tests that load the demo do not need it (0.75 s)
            from trustone.demo_contributions import demo_contributions

            demo_contributions(services)
    except RegistryError as error:
        fail(str(error))
    finally:
        services.close()
    typer.echo(result.summary)


@cli.command("demo-login")
def demo_login(
    role: Annotated[
        str, typer.Argument(help="company, secretariat, ngo, union, committee, auditor or buyer")
    ] = "company",
) -> None:
    """Print a demo role's login, password and, for the roles that need one, the current TOTP code.

    For trying the pages after ``trustone demo``: the codes change every 30 seconds."""
    import json

    import pyotp

    from trustone.demo import LOGINS_FILE
    from trustone.settings import Settings

    path = Settings.from_env().data_dir / LOGINS_FILE
    if not path.exists():
        fail(f"{path} does not exist: run `trustone demo` first")
    entries = json.loads(path.read_text())
    if role not in entries:
        fail(f"no demo login for {role!r}; one of: {', '.join(sorted(entries))}")
    entry = entries[role]
    typer.echo(f"login: {entry['login']}")
    typer.echo(f"password: {entry['password']}")
    if "totp_secret" in entry:
        typer.echo(f"code (valid for about 30 seconds): {pyotp.TOTP(entry['totp_secret']).now()}")


@cli.command("import-report")
def import_report(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX")],
    company: Annotated[str, typer.Option("--company", help="the member company's ref")],
    year: Annotated[int, typer.Option("--year", help="report year")],
    decimal_separator: Annotated[
        str | None,
        typer.Option("--decimal-separator", help="comma or dot; left out, it is detected from the file's numbers"),
    ] = None,
    max_rows: Annotated[
        int | None,
        typer.Option("--max-rows", min=1, help="a higher row limit than an upload's, for a report larger than that"),
    ] = None,
    part: Annotated[
        int | None, typer.Option("--part", min=1, help="this file is part N of a report uploaded in parts (with --of)")
    ] = None,
    of: Annotated[int | None, typer.Option("--of", min=2, help="how many parts the report has")] = None,
) -> None:
    """Import a company's yearly supply-chain report; a bad file is rejected whole, row by row."""
    if (part is None) != (of is None):
        fail("--part and --of go together: --part N --of M")
    services = services_or_exit()
    try:
        with import_stages(file.name) as stage:
            result = services.reports.submit(
                operator("import-cli"),  # the operator, named in the access log
                company,
                year,
                file.read_bytes(),
                file.name,
                decimal_separator=decimal_separator,
                max_rows=max_rows,
                part=(part, of) if part and of else None,
                stage=stage,
            )
    except ReportFileError as error:
        for cell in error.errors:
            typer.echo(str(cell), err=True)
        fail(str(error))
    except RegistryError as error:
        fail(str(error))
    finally:
        services.close()
    sites = (
        f"{result.new_sites} new site(s), {result.held_for_review} of them possibly known already "
        "(new sites enter the site register together with other members' new sites)"
    )
    if result.parts_missing:
        typer.echo(
            f"part {part} of {of} kept: {sites}; still to come: part(s) {', '.join(map(str, result.parts_missing))}"
        )
    elif result.changed:
        typer.echo(f"recorded version {result.version}: {sites}")
    else:
        typer.echo(f"unchanged: identical to version {result.version}, nothing recorded")
    typer.echo(f"numbers: {result.decimal_separator_decided}")


@cli.command()
def serve(
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="worker processes (default: one per core this process may use)"),
    ] = None,
) -> None:
    """Run the web application and API, in one worker process per core.

    The workers share nothing but the store: each opens its own connections (a few per pool, see
    TRUSTONE_DB_POOL_SIZE), access-log appends are serialised by the database, and one worker at a
    time follows the events into the lists and sends notice e-mails (trustone/followers.py)."""
    import os

    import uvicorn

    from trustone.web.logging import LOG_CONFIG

    if not os.environ.get("TRUSTONE_PUBLIC_URL"):
        # the workers read it from the environment; statements name it (trustone/settings.py)
        os.environ["TRUSTONE_PUBLIC_URL"] = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        typer.echo(
            f"TRUSTONE_PUBLIC_URL not set: evidence statements will name {os.environ['TRUSTONE_PUBLIC_URL']}",
            err=True,
        )
    try:
        Settings.from_env().refuse_placeholder_secrets()
    except SettingsError as error:
        fail(str(error))
    # Stores, tables and triggers are created here, once, before the workers start side by side.
    services_or_exit().close()
    count = workers or len(os.sched_getaffinity(0))
    # no query strings, no exception messages or tracebacks in the server's log (trustone/web/logging.py)
    # A worker that does not answer the supervisor's health check in time is killed and replaced;
    # uvicorn's 5 s is less than a worker can take to start (imports, opening the stores) on a busy
    # machine, so it would be killed while starting, again and again. (Not much longer either: the
    # supervisor attends to nothing else, a SIGTERM included, while it waits for that answer.)
    uvicorn.run(
        "trustone.web.app:create_app",
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_level="info",
        log_config=LOG_CONFIG,
        access_log=False,
        timeout_worker_healthcheck=15,
    )


projections_cli = typer.Typer(help="The lists as projections of the event store.", no_args_is_help=True)


@projections_cli.command("rebuild")
def rebuild_projections(
    view: Annotated[list[str] | None, typer.Option("--view", help="a view to rebuild (default: all)")] = None,
) -> None:
    """Empty the lists and case views and rebuild them from the events; gives the same rows as
    following along. Which notice e-mails went out is not a view: a rebuild sends nothing again."""
    services = services_or_exit()
    try:
        known = {name: runner for runner in services.runners for name in runner.recorders}
        unknown = set(view or ()) - set(known)
        if unknown:
            fail(f"--view: no such view; known: {', '.join(sorted(known))}")

        applied = 0
        chosen = [
            (runner, [name for name in (view or runner.recorders) if name in runner.recorders])
            for runner in services.runners
        ]
        chosen = [(runner, names) for runner, names in chosen if names]
        # safe while a server follows the same views: each view's lock is held for the rebuild
        # (projections/runner.py); progress on a terminal only
        with rebuild_progress(sum(runner.backlog(names) for runner, names in chosen)) as progress:
            for runner, names in chosen:
                applied += runner.rebuild(names, progress=progress)
    except RebuildIntegrityError as failure:
        # Positions, ids and a field name only, as `trustone verify` names rows; never a value.
        application, record, version, field = (failure.where.split("/") + ["?"] * 4)[:4]
        fail(
            f"integrity failure: rebuilding {failure.view} stopped at {failure.application} event "
            f"{failure.position}: field {field} of {application} record {record} version {version} does not "
            f"open although its key was not shredded; the {failure.application} views were left as they "
            f"were; run `trustone verify` to list every failure"
        )
    finally:
        services.close()
    typer.echo(f"rebuilt {', '.join(view or sorted(known))}: {applied} event(s) applied")


publish_cli = typer.Typer(help="Publish a year's public lists (frozen once published).", no_args_is_help=True)
export_cli = typer.Typer(help="Export a published list.", no_args_is_help=True)


@publish_cli.command("quarry-regions")
def publish_quarry_regions_command(
    year: Annotated[int, typer.Option("--year", help="report year")],
    preview: Annotated[bool, typer.Option("--preview", help="print what the list will show; freeze nothing")] = False,
) -> None:
    """Freeze the quarry-region list of a report year (figures only where at least k companies source)."""
    from trustone.cli_secretariat import print_quarry_regions

    with command_services() as services:
        publishing = services.publishing
        listed = publishing.preview(operator(), year) if preview else publishing.publish(operator(), year)
    if preview:
        print_quarry_regions(listed)
        return
    typer.echo(f"published the quarry-region list for {year}: {len(listed.regions)} region(s), k={listed.k}")


@export_cli.command("quarry-regions")
def export_quarry_regions(
    fmt: Annotated[str, typer.Option("--format", help="csv, json or geojson")] = "json",
    year: Annotated[int | None, typer.Option("--year", help="default: the latest published year")] = None,
) -> None:
    """Print a published quarry-region list (names no site and no company)."""
    from projections.quarry_regions import render

    with command_services() as services:
        typer.echo(render(services.quarry_regions.require(year), fmt.lower()), nl=False)


def _register_subcommands() -> None:
    from trustone.cli_keys import keys_cli
    from trustone.cli_organisations import organisations_cli, users_cli
    from trustone.cli_retention import retention_cli
    from trustone.cli_secretariat import secretariat_cli

    cli.add_typer(keys_cli, name="keys")
    cli.add_typer(retention_cli, name="retention")
    cli.add_typer(organisations_cli, name="organisations")
    cli.add_typer(users_cli, name="users")
    cli.add_typer(projections_cli, name="projections")
    cli.add_typer(publish_cli, name="publish")
    cli.add_typer(export_cli, name="export")
    cli.add_typer(secretariat_cli)  # trustone reports ..., trustone sites ...
    from trustone.cli_verify import verify as verify_command

    cli.command("verify")(verify_command)
    from trustone.cli_statements import verify_statement

    cli.command("verify-statement")(verify_statement)


_register_subcommands()


EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, the command may be run again later


def main() -> None:
    try:
        cli()
    except Exception as error:
        # A full disk (or a store out of resources) is one line for the operator, not a traceback;
        # the store rolled the write back (trustone/storage_errors.py). Anything else goes on up.
        from trustone.storage_errors import classify

        refusal = classify(error)
        if refusal is None:
            raise
        typer.echo(f"error: {refusal.detail}", err=True)
        sys.exit(EX_TEMPFAIL)


if __name__ == "__main__":
    main()
