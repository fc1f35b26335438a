"""``trustone grievances``: the grievance mail jobs, run by an operator or a daily timer on the server.

``send-mail`` sends the company notice e-mails that are still pending (the outbox);
``remind`` is the daily job: the pending notices, then the deadline reminders (trustone/reminders.py).
Both read the ``TRUSTONE_SMTP_*`` / ``TRUSTONE_MAIL_*`` variables; a bad one is an error naming it
(exit 1) before anything is sent. A message the mail server does not take is tried again on the
next run, and it fails this run: the command prints the counts, names each e-mail that was not sent
on stderr and exits 1, so that cron and monitoring notice.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import typer

from trustone.cli_common import fail, services_or_exit

grievances_cli = typer.Typer(help="Grievance cases: notice e-mails and deadline reminders.", no_args_is_help=True)


_REFERENCE = re.compile(r"\bTS-\d{4}-\d{4,}\b")


class FailureRecorder:
    """Wraps the mailer and notes each message the server did not take: the kind of e-mail (from its
    Message-ID: notice or reminder), the case reference (from the subject) and the error's type. Never
    the recipient, the text or the error's message: an SMTP error quotes the recipient address, and
    the address of a company notified about a case names a buyer of its site."""

    def __init__(self, mailer: Any):
        self.mailer = mailer
        self.failures: list[str] = []

    def send(self, message: EmailMessage) -> None:
        try:
            self.mailer.send(message)
        except Exception as error:
            self.failures.append(_describe(message, error))
            raise  # the outbox / the daily job count it and try it again on the next run


def _describe(message: EmailMessage, error: Exception) -> str:
    message_id = str(message.get("Message-ID", ""))
    kind = next((k for k in ("notice", "reminder") if message_id.startswith(f"<{k}-")), "an")
    found = _REFERENCE.search(str(message.get("Subject", "")))
    case = f" for case {found.group(0)}" if found else ""
    return f"{kind} e-mail{case} not sent: {type(error).__name__}"


def _fail_if_any_failed(failed: int, recorder: FailureRecorder) -> None:
    """Exit 1 naming what failed, when anything did (the counts are printed already)."""
    if not failed:
        return
    for line in recorder.failures:
        typer.echo(f"failed: {line}", err=True)
    typer.echo(f"error: {failed} e-mail(s) could not be sent; they are tried again on the next run", err=True)
    raise typer.Exit(1)


@grievances_cli.command("send-mail")
def send_mail() -> None:
    """Send the notice e-mails that have not gone out yet; print the counts."""
    from grievance.mail import SmtpMailer
    from trustone.reminders import MailConfigError, mail_config

    services = services_or_exit()
    try:
        try:
            config = mail_config(services)
        except MailConfigError as error:
            fail(str(error))
        recorder = FailureRecorder(SmtpMailer(config.smtp))
        report = services.notice_delivery.deliver(recorder)
    finally:
        services.close()
    typer.echo(
        f"{report.sent} notice e-mail(s) sent, {report.no_address} without an address, "
        f"{report.unreadable} unreadable, {report.failed} failed"
    )
    _fail_if_any_failed(report.failed, recorder)


@grievances_cli.command()
def remind() -> None:
    """The daily job: send pending notice e-mails, then remind whoever let a deadline pass (once each)."""
    from grievance.mail import SmtpMailer
    from trustone.reminders import MailConfigError, mail_config, run_daily

    services = services_or_exit()
    try:
        try:
            recorder = FailureRecorder(SmtpMailer(mail_config(services).smtp))
            report = run_daily(services, mailer=recorder)
        except MailConfigError as error:
            fail(str(error))
    finally:
        services.close()
    typer.echo(
        f"{report.notices_sent} notice e-mail(s) sent, {report.reminders_sent} reminder(s) sent, "
        f"{report.overdue} case(s) overdue"
    )
    _fail_if_any_failed(report.failed, recorder)
