"""Sites held as possible duplicates, waiting for a person at the secretariat to decide."""

from __future__ import annotations

import uuid

from eventsourcing.domain import Aggregate, event


class DuplicateReviewQueue(Aggregate):
    """One queue for the whole registry (a fixed id); public data only: site ids."""

    ID = uuid.UUID("5c2a9e47-1f0b-4d8a-b3e6-9d7c4a1f2e85")

    @staticmethod
    def create_id() -> uuid.UUID:
        return DuplicateReviewQueue.ID

    @event("Started")
    def __init__(self) -> None:
        self.held: dict[str, str] = {}

    @event("SiteHeld")
    def hold(self, public_id: str, candidate: str) -> None:
        self.held[public_id] = candidate

    @event("SiteDecided")
    def decide(self, public_id: str) -> None:
        self.held.pop(public_id, None)
