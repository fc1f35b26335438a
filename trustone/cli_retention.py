"""``trustone retention``: the retention schedule from the server (docs/retention.md).

``run`` is the daily job (cron, like ``trustone grievances remind``): it warns of what enters the
warning window and erases what is past its period and was warned of on an earlier day. ``report``
prints the table per kind; ``extend`` keeps one record longer with a reason; ``schedule`` prints the
periods and why. They run as the operator who holds the keyring, ``keys-admin:<user>`` (as
``trustone keys shred``): each step is an access-log entry like a person's request over HTTP.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from registry.usecases.retention import RetentionReport, WarningNotSentError
from trustone.cli_common import command_services, fail, operator
from trustone.reminders import MailConfigError, mail_config

OPERATOR = "keys-admin"  # the erasure destroys data keys: the key administration's operator

retention_cli = typer.Typer(help="The retention schedule: report, extend, run the erasure.", no_args_is_help=True)


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def report_table(report: RetentionReport) -> str:
    """A plain table: kind, period, records kept, expiring within the window, due, erased so far."""
    header = ("kind", "period (days)", "kept", f"expiring ({report.warning_days} days)", "due", "erased")
    rows = [header] + [
        (row.kind.value, _cell(row.days), _cell(row.kept), _cell(row.expiring), _cell(row.due), str(row.erased))
        for row in report.rows
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    last = report.last_run.isoformat() if report.last_run else "never"
    return "\n".join([*lines, "", f"on {report.on.isoformat()}; last run: {last}"])


@retention_cli.command("report")
def report() -> None:
    """Per kind of record: its period, records kept, expiring within the warning window, due, erased."""
    with command_services() as services:
        typer.echo(report_table(services.retention.report(operator(OPERATOR))))


@retention_cli.command("schedule")
def schedule() -> None:
    """Every kind of record: its period, what starts the clock, what erasing means, and why."""
    with command_services() as services:
        view = services.retention.schedule(operator(OPERATOR))
    for row in view.rows:
        period = f"{row.days} days" if row.days is not None else row.erased_by.value.replace("_", " ")
        typer.echo(f"{row.kind.value}: {period}{' (configured)' if row.configured else ''}")
        typer.echo(f"  from: {row.starts}\n  erasing: {row.erasing}\n  why: {row.why}")
    typer.echo(f"warning window: {view.warning_days} days")


@retention_cli.command("run")
def run() -> None:
    """The daily job: warn of what enters the warning window (by e-mail to TRUSTONE_MAIL_SECRETARIAT when
    set), erase what is past its period and was warned of before."""
    with command_services() as services:
        try:
            mail_config(services)  # a bad mail setting stops the job before it looks at any record
        except MailConfigError as error:
            fail(str(error))
        try:
            result = services.retention.run(operator(OPERATOR))  # e-mails the warnings (trustone/retention_mail.py)
        except WarningNotSentError as error:
            fail(str(error))
    for item in result.warned:
        typer.echo(f"warned: {item.kind.value} {item.ref} expires on {item.expires_on.isoformat()}")
    for erasure in result.erased:
        typer.echo(f"erased: {erasure.kind.value} {erasure.ref} ({erasure.destroyed} destroyed)")
    typer.echo(f"{len(result.warned)} warning(s), {len(result.erased)} erasure(s)")


@retention_cli.command("extend")
def extend(
    kind: Annotated[str, typer.Option("--kind", help="closed_case, data_access_release or withdrawn_company")],
    record: Annotated[str, typer.Option("--record", help="a case reference, a request id or a company ref")],
    reason: Annotated[str, typer.Option("--reason", help="why it is kept longer")],
    days: Annotated[int | None, typer.Option("--days", help="days beyond its present expiry")] = None,
    until: Annotated[str | None, typer.Option("--until", help="keep it until this day (YYYY-MM-DD)")] = None,
) -> None:
    """Keep one record longer, with a reason."""
    try:
        until_day = dt.date.fromisoformat(until) if until else None
    except ValueError:
        fail("--until: a date as YYYY-MM-DD")
    with command_services() as services:
        made = services.retention.extend(operator(OPERATOR), kind, record, reason, until=until_day, days=days)
    typer.echo(f"{made.kind.value} {made.ref} is kept until {made.expires_on.isoformat()}")
