"""What the committee has before it, read for the registry's use cases.

The registry asks two things of the grievance cases: whether a company is part of an open case
before the committee (it cannot withdraw, Verklaring D; its reports join the case file), and which
sites those cases concern (the committee's linked-list view is scoped to them). This narrow reader
is built right after the grievance application, so that the use cases that ask are handed it when
they are built, in one pass, instead of reaching back into the composed services later.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from grievance.application import GrievanceApplication


class OrganisationIds(Protocol):
    def organisation_id(self, ref: str) -> uuid.UUID: ...


class BeforeCommittee:
    def __init__(self, grievance: GrievanceApplication, organisations: OrganisationIds) -> None:
        self._grievance = grievance
        self._organisations = organisations

    def company(self, company_ref: str) -> bool:
        """Whether this company is part of an open case before the committee."""
        return self._grievance.before_committee_with(company_ref, self._organisations.organisation_id(company_ref))

    def sites(self) -> set[str]:
        """The sites of the open cases before the committee."""
        return self._grievance.sites_before_committee()
