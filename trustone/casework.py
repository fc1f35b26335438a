"""Case work that spans the grievance application and its views: queues and in-app notices.

Reading a queue is one access-log entry; opening a company's notices is one more, about that
company's own data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from keys.filter import UNREADABLE

if TYPE_CHECKING:
    from trustone.bootstrap import Services


def _company_tag(svc: Services, principal: Any) -> str | None:
    return svc.grievance.recipient_tag(principal.organisation_id) if str(principal.role) == "company" else None


def queue_for(svc: Services, principal: Any, request_id: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    svc.vault.authorise(principal, "read_case_queue", subject_kind="case_queue", purpose="grievance queue",
                        request_id=request_id)
    svc.case_projections.catch_up()
    items = svc.cases.queue(role=str(principal.role), organisation_ref=principal.organisation_ref,
                            recipient_tag=_company_tag(svc, principal), now=now or svc.grievance.clock())
    return [_plain(vars(item)) for item in items]


def notices_for(svc: Services, principal: Any, request_id: str) -> list[dict[str, Any]]:
    tag = _company_tag(svc, principal)
    svc.case_projections.catch_up()
    pending = svc.cases.notices_for(tag) if tag else []
    opened = svc.vault.open(principal, "read_case", {str(i): p.sealed for i, p in enumerate(pending)},
                            subject_kind="grievance_notices", company=principal.organisation_ref,
                            purpose="grievance notices", request_id=request_id,
                            facts={"own_data": tag is not None})
    return [{**opened[str(i)], "notified_at": p.notified_at.isoformat()}
            for i, p in enumerate(pending) if opened[str(i)] is not UNREADABLE]


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            for key, value in values.items()}


def deliver_notices(svc: Services, mailer: Any = None) -> Any:
    """Send the e-mail for every notice not yet delivered (the outbox; see grievance/outbox.py).

    Runs in the server's background loop when an SMTP host is configured, and from
    ``trustone grievances send-mail`` / the daily ``trustone grievances remind``. Each notice is
    opened through the filter as the mailer, purpose "grievance case N".
    """
    from grievance.mail import MailSettings, SmtpMailer
    from keys.principal import SystemPrincipal

    mail = MailSettings.from_env(dict(svc.settings.mail_environ))
    mailer = mailer or SmtpMailer(mail)
    svc.case_projections.catch_up()
    principal = SystemPrincipal("grievance:mailer")

    def open_notice(pending: Any) -> dict | None:
        opened = svc.vault.open(principal, "notify_companies", {"notice": pending.sealed},
                                subject_kind="grievance_case", subject_ref=pending.reference,
                                purpose=f"grievance case {pending.reference}")["notice"]
        return opened if isinstance(opened, dict) else None

    def address_of(company_ref: str) -> str | None:
        return svc.registry.organisation(company_ref).contact_email

    return svc.outbox.deliver_pending(svc.cases.pending_notices(), open_notice, address_of, mailer, mail.sender)
