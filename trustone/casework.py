"""Case work that spans the grievance application and its views: queues and in-app notices.

Reading a queue is one access-log entry; opening a company's notices is one more, about that
company's own data.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING, Any

from keys.access.filter import UNREADABLE

if TYPE_CHECKING:
    from trustone.bootstrap import Services

log = logging.getLogger("trustone.grievance")


def _company_tag(svc: Services, principal: Any) -> str | None:
    return svc.grievance.recipient_tag(principal.organisation_id) if str(principal.role) == "company" else None


def queue_for(svc: Services, principal: Any, request_id: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    svc.vault.authorise(
        principal, "read_case_queue", subject_kind="case_queue", purpose="grievance queue", request_id=request_id
    )
    svc.case_projections.wait()
    items = svc.cases.queue(
        role=str(principal.role),
        organisation_ref=principal.organisation_ref,
        recipient_tag=_company_tag(svc, principal),
        now=now or svc.grievance.clock(),
    )
    return [_plain(vars(item)) for item in items]


def notices_for(svc: Services, principal: Any, request_id: str) -> list[dict[str, Any]]:
    tag = _company_tag(svc, principal)
    svc.case_projections.wait()
    pending = svc.cases.notices_for(tag) if tag else []
    opened = svc.vault.open(
        principal,
        "read_case",
        {str(i): p.sealed for i, p in enumerate(pending)},
        subject_kind="grievance_notices",
        company=principal.organisation_ref,
        purpose="grievance notices",
        request_id=request_id,
        facts={"own_data": tag is not None},
    )
    return [
        {**opened[str(i)], "notified_at": p.notified_at.isoformat()}
        for i, p in enumerate(pending)
        if opened[str(i)] is not UNREADABLE
    ]


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value for key, value in values.items()
    }


def deliver_notices(svc: Services, mailer: Any = None) -> Any:
    """Send the e-mail for every notice not yet delivered (the outbox; see grievance/outbox.py).

    Runs in the server's background loop when an SMTP host is configured, and from
    ``trustone grievances send-mail`` / the daily ``trustone grievances remind``. Each notice is
    opened through the filter as the mailer, purpose "grievance case N".
    """
    from grievance.mail import MailSettings, SmtpMailer
    from keys.access.principal import SystemPrincipal

    mail = MailSettings.from_env(dict(svc.settings.mail_environ))
    mailer = mailer or SmtpMailer(mail)
    svc.case_projections.wait()
    principal = SystemPrincipal("grievance:mailer")

    def open_notice(pending: Any) -> dict | None:
        opened = svc.vault.open(
            principal,
            "notify_companies",
            {"notice": pending.sealed},
            subject_kind="grievance_case",
            subject_ref=pending.reference,
            purpose=f"grievance case {pending.reference}",
        )["notice"]
        return opened if isinstance(opened, dict) else None

    def address_of(company_ref: str) -> str | None:
        return svc.registry.organisation(company_ref).contact_email

    return svc.outbox.deliver_pending(svc.cases.pending_notices(), open_notice, address_of, mailer, mail.sender)


class NoticeDispatcher:
    """While serving, send notice e-mails shortly after the secretariat notifies (when an SMTP host
    is configured; otherwise they wait in the outbox for ``trustone grievances send-mail``)."""

    def __init__(self, svc: Services, interval: float = 30.0):
        self.svc = svc
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def configured(svc: Services) -> bool:
        return any(name == "TRUSTONE_SMTP_HOST" and value.strip() for name, value in svc.settings.mail_environ)

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    deliver_notices(self.svc)
                except Exception as error:  # noqa: BLE001 - the next round retries; the outbox records what went out
                    log.error("notice e-mail dispatch: %s; retrying", type(error).__name__)

        self._thread = threading.Thread(target=loop, name="notice-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
