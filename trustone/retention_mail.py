"""The retention job's warning e-mail to the secretariat (docs/retention.md), for every run: the daily
job on the command line, ``POST /api/v1/retention/run`` and the secretariat's "run now" all call the same
use case, which sends it through the notifier built here before it records a warning. When the e-mail
cannot be sent the use case records nothing (``WarningNotSentError``: 409 over HTTP)."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from types import SimpleNamespace

from grievance.mail import MESSAGE_ID_DOMAIN, SmtpMailer
from registry.usecases.retention import DueItem, WarningNotSentError
from trustone.reminders import SECRETARIAT, MailConfigError, mail_config
from trustone.settings import Settings


def warning_message(items: tuple[DueItem, ...], to: str, sender: str, now: dt.datetime) -> EmailMessage:
    """To the secretariat: the kind, the reference and the expiry of each record newly in the warning
    window (references only: a case number, a request id, a withdrawn company's public ref)."""
    refs = "\n".join(f"{item.kind.value}:{item.ref}:{item.expires_on.isoformat()}" for item in items)
    digest = hashlib.sha256(f"trustone-retention:{refs}".encode()).hexdigest()[:40]
    body = "\n".join(
        [
            "These records reach the end of their retention period (docs/retention.md) and will be",
            "erased by the daily job on or after the day shown, unless the secretariat extends them",
            "with a reason (trustone retention extend, or the retention page):",
            "",
            *(f"  {item.expires_on.isoformat()}  {item.kind.value.replace('_', ' ')}  {item.ref}" for item in items),
            "",
            "TruStone registry (daily retention job)",
            "",
        ]
    )
    message = EmailMessage()
    message["Subject"] = f"TruStone retention: {len(items)} record(s) to be erased soon"
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = f"<retention-{digest}@{MESSAGE_ID_DOMAIN}>"
    message["Date"] = email.utils.format_datetime(now)
    message.set_content(body, cte="quoted-printable")
    return message


def secretariat_notifier(settings: Settings, clock: Callable[[], dt.datetime]) -> Callable[[tuple[DueItem, ...]], None]:
    """Sends the warnings to TRUSTONE_MAIL_SECRETARIAT when it is set (they are in the report and on the
    retention page either way). The mail settings are read when a warning is due, so a bad setting
    stops a run with a warning to send, not the server's start."""

    def notify(items: tuple[DueItem, ...]) -> None:
        try:
            config = mail_config(SimpleNamespace(settings=settings))
        except MailConfigError as error:
            raise WarningNotSentError(f"the warning e-mail could not be sent: {error}; nothing was erased") from None
        to = config.role_addresses.get(SECRETARIAT)
        if not to:
            return
        try:
            SmtpMailer(config.smtp).send(warning_message(items, to, config.smtp.sender, clock()))
        except (smtplib.SMTPException, OSError) as error:
            raise WarningNotSentError(
                f"the warning e-mail could not be sent ({type(error).__name__}): nothing was erased; run again"
            ) from None

    return notify
