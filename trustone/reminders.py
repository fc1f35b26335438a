"""The daily grievance job: send the pending notice e-mails, then remind whoever has let a deadline pass.

``run_daily`` is what ``trustone grievances remind`` runs (once a day, from cron or a timer). Two parts:

1. **notices**: every company notice not yet e-mailed goes out through the outbox
   (``grievance.usecases.notices.NoticeDelivery``; grievance/outbox.py has the guarantees).
2. **reminders**, for the deadlines of docs/lifecycles.md (UNGP 31: predictable):

   - a case whose running deadline is the secretariat's or the committee's and is overdue: one
     reminder to the address in ``TRUSTONE_MAIL_SECRETARIAT`` / ``TRUSTONE_MAIL_COMMITTEE`` (none
     when the variable is unset). It carries only what the case view holds in clear: the reference,
     the stage, the deadline, its due date and how many days it is overdue; nothing sealed.
   - the first company response: each notified company that has not written anything in the case
     20 days (the configured limit) after its notice gets one reminder at its organisation's contact
     address, while the case still waits for companies (a company-dialogue stage). This is per
     company: once one company responds the case moves on to ``in_dialogue`` and the case-wide
     deadline stops, but a company that stays silent is still reminded. The reminder is built from
     that company's own notice only (opened through the filter as ``system:grievance:reminders``,
     purpose "grievance case N"): the reference, its own site(s) and its respond-by date.

Each reminder is sent once per (case reference, deadline, recipient key), ever, and recorded in
``case_reminders`` only after the SMTP server accepted it, as the outbox does: a failure is retried on
the next run; a crash between the send and the record sends it once more with the same Message-ID.
The recipient key is ``"secretariat"``, ``"committee"`` or the notice's keyed recipient tag, never a
company ref: the table is in clear. Which companies to remind is decided from the clear tags and
times first, so a notice is opened only for a reminder that is actually due.

Logs carry counts (and exception types) only: never a reference, an address or anything sealed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Protocol

from grievance.domain.deadlines import Deadline
from grievance.domain.stages import COMPANY_DIALOGUE_STAGES, TERMINAL
from grievance.mail import MESSAGE_ID_DOMAIN, MailSettings, SmtpMailer
from keys.access.principal import SystemPrincipal
from registry.domain.clock import iso_utc

if TYPE_CHECKING:
    from grievance.application import GrievanceApplication
    from grievance.usecases.notices import NoticeDelivery
    from keys.encryption.vault import Vault
    from keys.storage.sql import SqlStore
    from projections.cases import CaseBoard
    from registry.application import RegistryApplication
    from trustone.settings import Settings


class DailyJobDependencies(Protocol):
    """What the daily job needs of the services (the CLI hands its services)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def grievance(self) -> GrievanceApplication: ...
    @property
    def notice_delivery(self) -> NoticeDelivery: ...
    @property
    def sql(self) -> SqlStore: ...
    @property
    def cases(self) -> CaseBoard: ...
    @property
    def vault(self) -> Vault: ...
    @property
    def registry(self) -> RegistryApplication: ...


log = logging.getLogger("trustone.grievance.reminders")

SECRETARIAT = "secretariat"
COMMITTEE = "committee"
# role -> (the recipient key in case_reminders, the variable holding the role's address)
ROLE_ADDRESSES: dict[str, tuple[str, str]] = {
    SECRETARIAT: (SECRETARIAT, "TRUSTONE_MAIL_SECRETARIAT"),
    COMMITTEE: (COMMITTEE, "TRUSTONE_MAIL_COMMITTEE"),
}
READER = "grievance:reminders"  # the system principal that opens a company's notice for its reminder


class MailConfigError(ValueError):
    """A bad ``TRUSTONE_SMTP_*`` / ``TRUSTONE_MAIL_*`` variable; the message names it."""


@dataclass(frozen=True)
class DailyReport:
    notices_sent: int = 0
    reminders_sent: int = 0
    overdue: int = 0  # open cases whose running deadline is past due at ``now``
    failed: int = 0  # notices and reminders the SMTP server did not take (tried again next run)


@dataclass(frozen=True)
class MailConfig:
    smtp: MailSettings
    role_addresses: dict[str, str]  # role -> address, only for the variables that are set


def mail_config(svc: DailyJobDependencies) -> MailConfig:
    """The mail settings from ``svc.settings.mail_environ``; ``MailConfigError`` names a bad variable."""
    environ = dict(svc.settings.mail_environ)
    try:
        smtp = MailSettings.from_env(environ)
    except ValueError as error:
        raise MailConfigError(str(error)) from None
    addresses = {}
    for role, (_key, variable) in ROLE_ADDRESSES.items():
        address = environ.get(variable, "").strip()
        if not address:
            continue
        if any(c.isspace() for c in address) or address.count("@") != 1 or email.utils.parseaddr(address)[1] != address:
            raise MailConfigError(f"{variable}: a plain e-mail address, e.g. secretariaat@example.org")
        addresses[role] = address
    return MailConfig(smtp, addresses)


class ReminderLog:
    """``case_reminders``: which reminder went to whom, once per (reference, deadline, recipient)."""

    def __init__(self, sql: Any):
        self._sql = sql

    def create_tables(self) -> None:
        with self._sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.case_reminders ("
                " reference TEXT NOT NULL,"
                " deadline TEXT NOT NULL,"
                " recipient TEXT NOT NULL,"  # 'secretariat', 'committee' or a keyed recipient tag
                " sent_at TEXT NOT NULL,"  # iso_utc, sortable as text
                " PRIMARY KEY (reference, deadline, recipient))"
            )

    def sent(self) -> set[tuple[str, str, str]]:
        with self._sql.transaction() as cursor:
            rows = cursor.execute("SELECT reference, deadline, recipient FROM {schema}.case_reminders").fetchall()
        return {(row[0], row[1], row[2]) for row in rows}

    def record(self, reference: str, deadline: str, recipient: str, at: dt.datetime) -> bool:
        """True if this call recorded it, False if it was recorded before."""
        with self._sql.transaction() as cursor:
            inserted = cursor.execute(
                "INSERT INTO {schema}.case_reminders (reference, deadline, recipient, sent_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (reference, deadline, recipient) DO NOTHING",
                (reference, deadline, recipient, iso_utc(at)),
            ).rowcount
        return inserted == 1


def reminder_message_id(reference: str, deadline: str, recipient: str) -> str:
    """Stable per reminder (a resend after a crash is recognisable), and reveals no recipient tag."""
    digest = hashlib.sha256(f"trustone-reminder:{reference}:{deadline}:{recipient}".encode()).hexdigest()[:40]
    return f"<reminder-{digest}@{MESSAGE_ID_DOMAIN}>"


def _words(value: str) -> str:
    return str(value).replace("_", " ")


def _days_overdue(now: dt.datetime, due_at: dt.datetime) -> str:
    days = (now - due_at).days
    return "less than a day" if days < 1 else f"{days} day{'s' if days != 1 else ''}"


def _message(subject: str, body: str, to: str, sender: str, message_id: str, now: dt.datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = message_id
    message["Date"] = email.utils.format_datetime(now)
    message.set_content(body, cte="quoted-printable")
    return message


def role_reminder(item: Any, now: dt.datetime, to: str, sender: str, message_id: str) -> EmailMessage:
    """To the secretariat or the committee: only the case view's clear facts, nothing sealed."""
    deadline = _words(item.deadline)
    due = item.due_at.date().isoformat()
    body = "\n".join(
        [
            f"Case {item.reference} has passed a deadline of the grievance procedure.",
            "",
            f"  Case:      {item.reference}",
            f"  Stage:     {_words(item.stage)}",
            f"  Deadline:  {deadline}",
            f"  Due:       {due}",
            f"  Overdue:   {_days_overdue(now, item.due_at)}",
            "",
            "Please log in to the TruStone registry to take the next step in this case.",
            "",
            "TruStone registry (daily reminder)",
            "",
        ]
    )
    return _message(f"TruStone reminder: case {item.reference}, {deadline} overdue", body, to, sender, message_id, now)


def _site_line(site: Mapping[str, Any]) -> str:
    where = ", ".join(str(part) for part in (site.get("district"), site.get("country")) if part)
    return f"  - {site.get('name', '')}, site id {site.get('site_id', '')}" + (f", {where}" if where else "")


def company_reminder(
    notice: Mapping[str, Any], now: dt.datetime, to: str, sender: str, message_id: str
) -> EmailMessage:
    """To one notified company: built from its own opened notice only (reference, sites, respond-by)."""
    reference = str(notice["reference"])
    sites = list(notice.get("sites") or [])
    company_name = str(notice.get("company_name") or notice.get("company") or "")
    body = "\n".join(
        [
            f"Dear {company_name},",
            "",
            f"On grievance case {reference} the TruStone secretariat notified you about a production",
            f"{'site' if len(sites) == 1 else 'sites'} in your supply chain:",
            "",
            *(_site_line(site) for site in sites),
            "",
            f"We asked for your first response by {notice.get('respond_by')} and have not received it.",
            f"Please log in to the TruStone registry, open case {reference} and respond there.",
            "",
            "Replies to this e-mail are not read. This reminder is confidential and meant for your",
            "company only.",
            "",
            "TruStone secretariat",
            "",
        ]
    )
    return _message(f"TruStone reminder: case {reference}, first response overdue", body, to, sender, message_id, now)


def run_daily(svc: DailyJobDependencies, now: dt.datetime | None = None, mailer: Any = None) -> DailyReport:
    """Send the pending notice e-mails, then the reminders that are due at ``now`` (see the module
    docstring). ``mailer`` (anything with ``send(EmailMessage)``) defaults to SMTP from the settings.
    Raises ``MailConfigError`` for a bad mail variable, before anything is sent."""
    config = mail_config(svc)
    mailer = mailer or SmtpMailer(config.smtp)
    now = now or svc.grievance.clock()
    delivered = svc.notice_delivery.deliver(mailer)  # catches up the case view too
    reminders = ReminderLog(svc.sql)
    reminders.create_tables()
    done = reminders.sent()
    counts = {"sent": 0, "failed": 0, "no_address": 0, "unreadable": 0}

    def send(reference: str, deadline: str, recipient: str, build: Any) -> None:
        message_id = reminder_message_id(reference, deadline, recipient)
        try:
            mailer.send(build(message_id))
        except Exception as exc:  # noqa: BLE001 - one reminder's failure must not stop the others
            counts["failed"] += 1  # only the type: SMTP errors quote the recipient address
            log.warning("a reminder could not be sent (%s); it is tried again on the next run", type(exc).__name__)
            return
        reminders.record(reference, deadline, recipient, now)
        done.add((reference, deadline, recipient))
        counts["sent"] += 1

    items = [item for item in svc.cases.queue(role=SECRETARIAT, now=now) if item.stage not in TERMINAL]
    overdue = [item for item in items if item.overdue]
    for item in overdue:
        if item.responsible not in ROLE_ADDRESSES:
            continue  # the company deadline: per company, below
        key, _variable = ROLE_ADDRESSES[item.responsible]
        to = config.role_addresses.get(item.responsible)
        # an overdue item always names its deadline; the test narrows the type
        if not to or item.deadline is None or (item.reference, item.deadline, key) in done:
            continue
        send(
            item.reference,
            item.deadline,
            key,
            lambda message_id, item=item, to=to: role_reminder(item, now, to, config.smtp.sender, message_id),
        )

    limit = dt.timedelta(days=svc.grievance.limits[Deadline.FIRST_RESPONSE])
    deadline = Deadline.FIRST_RESPONSE.value
    for item in items:
        if item.stage not in COMPANY_DIALOGUE_STAGES:
            continue
        case = svc.grievance.case(item.reference)
        written = {message["recipient_tag"] for message in case.messages}
        for notice in case.notices:
            tag = notice["recipient_tag"]
            if tag in written or now <= notice["at"] + limit or (case.reference, deadline, tag) in done:
                continue
            opened = svc.vault.open(
                SystemPrincipal(READER),
                "notify_companies",
                {"notice": notice["notice"]},
                subject_kind="grievance_case",
                subject_ref=case.reference,
                purpose=f"grievance case {case.reference}",
            )["notice"]
            if not isinstance(opened, dict):
                counts["unreadable"] += 1  # its key was destroyed: nothing to remind with
                continue
            to = svc.registry.organisation(str(opened["company"])).contact_email
            if not to:
                counts["no_address"] += 1  # the in-app notice is still there
                continue
            send(
                case.reference,
                deadline,
                tag,
                lambda message_id, opened=opened, to=to: company_reminder(
                    opened, now, to, config.smtp.sender, message_id
                ),
            )

    report = DailyReport(
        notices_sent=delivered.sent,
        reminders_sent=counts["sent"],
        overdue=len(overdue),
        failed=delivered.failed + counts["failed"],
    )
    log.info(
        "daily grievance job: %d notice e-mail(s) sent, %d reminder(s) sent, %d failed, %d without address,"
        " %d unreadable, %d case(s) overdue",
        report.notices_sent,
        report.reminders_sent,
        counts["failed"],
        counts["no_address"],
        counts["unreadable"],
        report.overdue,
    )
    return report
