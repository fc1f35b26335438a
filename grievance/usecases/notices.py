"""Notice e-mails: each company notice goes out through the outbox (grievance/outbox.py has the
guarantees), opened through the filter as the mailer, purpose "grievance case N".

Runs in the server's background loop when an SMTP host is configured (``NoticeDispatcher``), and
from ``trustone grievances send-mail`` / the daily ``trustone grievances remind``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from grievance.mail import MailSettings, SmtpMailer
from grievance.outbox import DeliveryReport, Mailer, NoticeOutbox
from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import SystemPrincipal
from projections.cases import CaseBoard, PendingNotice

log = logging.getLogger("trustone.grievance")
MAILER = SystemPrincipal("grievance:mailer")


class NoticeDelivery:
    def __init__(
        self,
        board: CaseBoard,
        wait: Callable[[], object],
        guard: ConfidentialFilter,
        outbox: NoticeOutbox,
        address_of: Callable[[str], str | None],
        mail_environ: Iterable[tuple[str, str]],
    ) -> None:
        self._board = board
        self._wait = wait
        self._guard = guard
        self._outbox = outbox
        self._address_of = address_of  # a company's contact address, by its reference
        self._mail_environ = tuple(mail_environ)

    @property
    def configured(self) -> bool:
        """Whether an SMTP host is set: only then does the server send notices in the background."""
        return any(name == "TRUSTONE_SMTP_HOST" and value.strip() for name, value in self._mail_environ)

    def deliver(self, mailer: Mailer | None = None) -> DeliveryReport:
        """Send the e-mail for every notice not yet delivered; ``mailer`` defaults to SMTP from the settings."""
        mail = MailSettings.from_env(dict(self._mail_environ))
        self._wait()

        def open_notice(pending: PendingNotice) -> dict[str, Any] | None:
            opened = self._guard.open(
                MAILER,
                Action.NOTIFY_COMPANIES,
                Facts(),
                {"notice": pending.sealed},
                Audit(
                    subject_kind="grievance_case",
                    subject_ref=pending.reference,
                    purpose=f"grievance case {pending.reference}",
                ),
            )["notice"]
            return opened if isinstance(opened, dict) else None

        return self._outbox.deliver_pending(
            self._board.pending_notices(), open_notice, self._address_of, mailer or SmtpMailer(mail), mail.sender
        )


class NoticeDispatcher:
    """While serving, send notice e-mails shortly after the secretariat notifies (when an SMTP host
    is configured; otherwise they wait in the outbox for ``trustone grievances send-mail``)."""

    def __init__(self, delivery: NoticeDelivery, interval: float = 30.0):
        self.delivery = delivery
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.delivery.deliver()
                except Exception as error:  # noqa: BLE001 - the next round retries; the outbox records what went out
                    log.error("notice e-mail dispatch: %s; retrying", type(error).__name__)

        self._thread = threading.Thread(target=loop, name="notice-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
