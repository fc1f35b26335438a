"""What the grievance use cases return: plain frozen values, also the HTTP routes' response models.

Times and dates are ISO text, as the API has always written them. A case as a role may see it, a
notice and the published figures stay dicts: which keys they have depends on what the reader may see
(keys/access/visibility.py), and a missing key is not a key set to null.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filed:
    """A case filed. ``followup_code``: give this to the local partner; it shows the stage, nothing else."""

    reference: str
    followup_code: str
    stage: str


@dataclass(frozen=True)
class FollowUpStage:
    stage: str
    on: str


@dataclass(frozen=True)
class FollowUp:
    """What the follow-up code shows, without a login: the stage and the dates, nothing else."""

    stage: str
    filed_on: str
    stages: list[FollowUpStage]


@dataclass(frozen=True)
class StageTaken:
    reference: str
    stage: str


@dataclass(frozen=True)
class Matched:
    reference: str
    stage: str
    companies_found: int


@dataclass(frozen=True)
class Notified:
    reference: str
    stage: str
    companies_notified: int


@dataclass(frozen=True)
class NotifiedCompanies:
    reference: str
    companies: list[str]


@dataclass(frozen=True)
class CaseOnDesk:
    """A case in a role's queue, with the deadline running now (if any), its due time and whose turn it is."""

    reference: str
    case_type: str
    stage: str
    filed_at: str
    stage_since: str
    deadline: str | None
    due_at: str | None
    overdue: bool
    responsible: str | None
    my_turn: bool
