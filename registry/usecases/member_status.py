"""The public member status: "was this company a participating member on D, at which level".

Published fields only (art. 5 lid 12, art. 6 lid 1), answered to anyone, so no policy decision and
no access-log entry: the registry's ``member_status_on`` reads nothing sealed. The answer carries
its plain sentence as a field, so that it is the route's response model as it stands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

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
    def __init__(self, registry: MemberStatuses, today: Callable[[], dt.date]) -> None:
        self._registry = registry
        self._today = today  # the services' clock: a date after today is refused (422)

    def on(self, ref: str, day: dt.date | None = None) -> MemberStatusAnswer:
        """The company's standing on ``day`` (default: today); a date after today is refused."""
        today = self._today()
        status = self._registry.member_status_on(ref, day or today, today=today)
        return MemberStatusAnswer.of(status)
