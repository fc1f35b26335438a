"""The public member status: "was this company a participating member on D, at which level".

Published fields only (art. 5 lid 12, art. 6 lid 1), answered to anyone: the registry's
``member_status_on`` reads nothing sealed. An anonymous question (the public API) leaves no trace.
A logged-in person's question is an access-log entry; a public buyer's is an entry about the company,
so that the company can see which buyers asked about it (``AccessLogReading.status_checks``), and
another role's is not (``STATUS_CHECKS_SHOWN_TO_THE_COMPANY``). The
answer carries its plain sentence as a field, so that it is the route's response model as it stands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.log_reading import STATUS_CHECK
from keys.access.policy import Action, Facts
from keys.access.principal import Principal
from keys.access.visibility import STATUS_CHECKS_SHOWN_TO_THE_COMPANY
from registry.application import MemberStatus


class MemberStatuses(Protocol):
    def member_status_on(self, ref: str, day: dt.date, today: dt.date | None = None) -> MemberStatus: ...


@dataclass(frozen=True)
class MemberStatusAnswer(MemberStatus):
    """The registry's ``MemberStatus`` with its plain sentence (a property there) as a field, so
    that the answer is the route's response model as it stands and its JSON carries the sentence.
    The field's class default shadows the property; every answer is made with its sentence."""

    statement: str = ""

    @classmethod
    def of(cls, status: MemberStatus) -> MemberStatusAnswer:
        return cls(**dataclasses.asdict(status), statement=status.statement)


class MemberStatusCheck:
    def __init__(
        self, registry: MemberStatuses, today: Callable[[], dt.date], guard: ConfidentialFilter | None = None
    ) -> None:
        self._registry = registry
        self._today = today  # the services' clock: a date after today is refused (422)
        self._guard = guard  # logs a logged-in person's question (None: nothing is logged)

    def on(
        self, ref: str, day: dt.date | None = None, principal: Principal | None = None, request_id: str = ""
    ) -> MemberStatusAnswer:
        """The company's standing on ``day`` (default: today); a date after today is refused. A
        person's question is logged once it is answered (a 404 or 422 leaves no entry)."""
        today = self._today()
        status = self._registry.member_status_on(ref, day or today, today=today)
        if principal is not None and self._guard is not None:
            self._guard.authorise(
                principal,
                Action.VERIFY_MEMBER_STATUS,
                Facts(),
                Audit(
                    subject_kind=STATUS_CHECK,
                    subject_ref=ref,
                    company=ref if principal.role in STATUS_CHECKS_SHOWN_TO_THE_COMPANY else None,
                    purpose="verify member status",
                    request_id=request_id,
                ),
            )
        return MemberStatusAnswer.of(status)
