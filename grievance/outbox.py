"""The notice outbox: e-mails each ``GrievanceCase.CompanyNotified`` notice, and records it once.

Why an outbox: the notices are committed with the case (they are its events), so a notice can never
be lost by a crash between "case saved" and "mail sent". This module is the other half: it reads the
pending notices (from the cases projection, through the ``PendingNotice`` shape only), sends what is
not yet recorded, and records each delivery in ``notice_deliveries``.

Guarantees, per notice:

- **delivered at least once**: the order is open, address, build, SMTP send, *then* record. A crash
  (or any failure) before the record leaves the notice unrecorded, so the next run sends it. A crash
  between the send and the record therefore sends the same mail twice; that is accepted, and the
  resend carries the same ``Message-ID`` (``grievance.mail.message_id_for``) so it is recognisable.
- **recorded exactly once**: ``notice_id`` is the primary key and the insert is
  ``ON CONFLICT DO NOTHING``, so a second record (a resend, two senders racing) neither fails nor adds
  a row. Run one sender at a time: two concurrent runs may both send a notice (still at least once).

An SMTP failure for one notice is counted as ``failed`` and left unrecorded (tried again next run);
the others still go. A company without an address is recorded as ``no_address`` once (it still has
the in-app notice). A notice that cannot be opened (``open_notice`` returns None, e.g. its keys were
shredded) is counted as ``unreadable`` and not recorded, so it is counted again on each run and is
sent if it ever becomes readable. An exception from ``open_notice`` itself (say the access log cannot
be written) is not a per-notice problem: it stops the run. So does an integrity failure: a notice row
that no longer opens as what it claims (its case, version, recipient; projections/cases.py) stops the
run before anything more is mailed, rather than mailing another case's or company's notice.

Logs carry notice ids, outcomes and counts only: never an address or anything from the notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from grievance.mail import message_id_for, notice_message
from keys.storage.sql import SqlStore
from registry.domain.clock import iso_utc, utc_now

log = logging.getLogger("trustone.grievance.outbox")

SENT = "sent"
NO_ADDRESS = "no_address"
OUTCOMES = (SENT, NO_ADDRESS)
_CHUNK = 500  # notice ids per IN (...) query, well under every driver's parameter limit


class PendingNotice(Protocol):
    """What the cases projection's ``pending_notices()`` yields (only these attributes are used)."""

    @property
    def notice_id(self) -> str: ...
    @property
    def case_id(self) -> Any: ...
    @property
    def reference(self) -> str: ...
    @property
    def recipient_tag(self) -> str: ...
    @property
    def sealed(self) -> Any: ...
    @property
    def notified_at(self) -> dt.datetime: ...


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


OpenNotice = Callable[[Any], "Mapping[str, Any] | None"]
AddressOf = Callable[[str], "str | None"]
CaseUrl = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    no_address: int = 0
    unreadable: int = 0
    failed: int = 0


class NoticeOutbox:
    def __init__(self, sql: SqlStore):
        self._sql = sql

    def create_tables(self) -> None:
        with self._sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.notice_deliveries ("
                " notice_id TEXT PRIMARY KEY,"
                " outcome TEXT NOT NULL,"  # 'sent' or 'no_address'
                " message_id TEXT,"  # the Message-ID sent (NULL when no mail was sent)
                " delivered_at TEXT NOT NULL)"  # iso_utc of the record, sortable as text
            )

    def delivered(self, notice_ids: Iterable[str]) -> set[str]:
        """The ids among ``notice_ids`` that already have a delivery recorded."""
        ids = sorted({str(notice_id) for notice_id in notice_ids})
        found: set[str] = set()
        with self._sql.transaction() as cursor:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows = cursor.execute(
                    "SELECT notice_id FROM {schema}.notice_deliveries WHERE notice_id IN ("
                    + ", ".join(["%s"] * len(chunk))
                    + ")",
                    chunk,
                ).fetchall()
                found.update(row[0] for row in rows)
        return found

    def record(self, notice_id: str, outcome: str, message_id: str | None, at: dt.datetime) -> bool:
        """Record a delivery; True if this call recorded it, False if it was recorded before."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        with self._sql.transaction() as cursor:
            inserted = cursor.execute(
                "INSERT INTO {schema}.notice_deliveries (notice_id, outcome, message_id, delivered_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (notice_id) DO NOTHING",
                (str(notice_id), outcome, message_id, iso_utc(at)),
            ).rowcount
        return inserted == 1

    def deliver_pending(
        self,
        pending: Iterable[PendingNotice],
        open_notice: OpenNotice,
        address_of: AddressOf,
        mailer: Mailer,
        sender: str,
        clock: Callable[[], dt.datetime] = utc_now,
        case_url: CaseUrl | None = None,
    ) -> DeliveryReport:
        """Send every pending notice not yet recorded; see the module docstring for the guarantees.

        ``open_notice(pending)`` returns the opened notice dict (through the filter) or None;
        ``address_of(company_ref)`` the company's notice address or None; ``case_url(pending)``, if
        given, a link to the case in the registry for the mail.
        """
        notices = list(pending)
        done = self.delivered(n.notice_id for n in notices)
        counts = {"sent": 0, "no_address": 0, "unreadable": 0, "failed": 0}
        for notice in notices:
            notice_id = str(notice.notice_id)
            if notice_id in done:
                continue
            opened = open_notice(notice)
            if opened is None:
                counts["unreadable"] += 1
                log.warning("notice %s: unreadable, not sent", notice_id)
                continue
            to = address_of(str(opened["company"]))
            if not to:
                self.record(notice_id, NO_ADDRESS, None, clock())
                done.add(notice_id)
                counts["no_address"] += 1
                log.info("notice %s: no address on file, recorded as no_address", notice_id)
                continue
            message_id = message_id_for(notice_id)
            try:
                message = notice_message(
                    opened,
                    to=to,
                    sender=sender,
                    message_id=message_id,
                    case_url=case_url(notice) if case_url else None,
                    date=clock(),
                )
                mailer.send(message)
            except Exception as exc:  # noqa: BLE001 - one notice's failure must not stop the others
                # only the exception's type: SMTP errors quote the recipient address
                counts["failed"] += 1
                log.warning("notice %s: sending failed (%s), will be retried", notice_id, type(exc).__name__)
                continue
            # a crash right here sends this notice again on the next run (at least once)
            self.record(notice_id, SENT, message_id, clock())
            done.add(notice_id)
            counts["sent"] += 1
            log.info("notice %s: sent", notice_id)
        report = DeliveryReport(**counts)
        log.info(
            "notice outbox: %d sent, %d no address, %d unreadable, %d failed",
            report.sent,
            report.no_address,
            report.unreadable,
            report.failed,
        )
        return report
