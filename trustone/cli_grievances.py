"""``trustone grievances``: the grievance mail jobs, run by an operator or a daily timer on the server.

``send-mail`` sends the company notice e-mails that are still pending (the outbox);
``remind`` is the daily job: the pending notices, then the deadline reminders (trustone/reminders.py).
Both read the ``TRUSTONE_SMTP_*`` / ``TRUSTONE_MAIL_*`` variables; a bad one is an error naming it
(exit 1) before anything is sent. A message the mail server does not take is not an error of the
run: it is counted, reported on stderr, and tried again on the next run.
"""

from __future__ import annotations

import typer

grievances_cli = typer.Typer(help="Grievance cases: notice e-mails and deadline reminders.", no_args_is_help=True)


def _warn_failed(failed: int) -> None:
    if failed:
        typer.echo(f"warning: {failed} e-mail(s) could not be sent; they are tried again on the next run", err=True)


@grievances_cli.command("send-mail")
def send_mail() -> None:
    """Send the notice e-mails that have not gone out yet; print the counts."""
    from grievance.mail import SmtpMailer
    from trustone.casework import deliver_notices
    from trustone.cli import fail, services_or_exit
    from trustone.reminders import MailConfigError, mail_config

    services = services_or_exit()
    try:
        try:
            config = mail_config(services)
        except MailConfigError as error:
            fail(str(error))
        report = deliver_notices(services, SmtpMailer(config.smtp))
    finally:
        services.close()
    typer.echo(f"{report.sent} notice e-mail(s) sent, {report.no_address} without an address, "
               f"{report.unreadable} unreadable, {report.failed} failed")
    _warn_failed(report.failed)


@grievances_cli.command()
def remind() -> None:
    """The daily job: send pending notice e-mails, then remind whoever let a deadline pass (once each)."""
    from trustone.cli import fail, services_or_exit
    from trustone.reminders import MailConfigError, run_daily

    services = services_or_exit()
    try:
        report = run_daily(services)
    except MailConfigError as error:
        fail(str(error))
    finally:
        services.close()
    typer.echo(f"{report.notices_sent} notice e-mail(s) sent, {report.reminders_sent} reminder(s) sent, "
               f"{report.overdue} case(s) overdue")
    _warn_failed(report.failed)
