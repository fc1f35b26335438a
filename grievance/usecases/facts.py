"""The facts the policy decides a case action on, gathered in one place for every caller: the use
cases here, and the grievance application's commands (which are handed this gatherer)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from grievance.application import recipient_tag_of
from grievance.domain.case import GrievanceCase
from keys.access.policy import Facts
from keys.access.principal import Principal
from keys.access.visibility import CaseStanding, may_be_addressed
from keys.encryption.vault import Vault
from registry.domain.accounts import Role


class Declarations(Protocol):
    def valid_declaration(self, login: str, day: dt.date) -> bool: ...


class CaseFacts:
    def __init__(self, vault: Vault, declarations: Declarations) -> None:
        self._vault = vault
        self._declarations = declarations

    def company_tag(self, principal: Any) -> str | None:
        """The keyed tag of the principal's company (what notices and disputes are addressed to), for a
        role that can be addressed by a case (keys/access/visibility.py); None for anyone else."""
        if isinstance(principal, Principal) and may_be_addressed(principal.role):
            return recipient_tag_of(self._vault, principal.organisation_id)
        return None

    def standings(self, principal: Any, case: GrievanceCase) -> frozenset[CaseStanding]:
        """How the principal stands to the case: its organisation filed it; its company was notified
        of it or is a party to the dispute. A filer is not looked at further: its company's tag is
        worked out only when needed."""
        organisation_ref = getattr(principal, "organisation_ref", None)
        found = set()
        if organisation_ref is not None and organisation_ref == case.filer_ref:
            found.add(CaseStanding.FILER)
            return frozenset(found)  # the filer's standing comes first (keys/access/visibility.py)
        tag = self.company_tag(principal)
        if tag is not None and (case.notice_for(tag) is not None or tag in case.party_tags):
            found.add(CaseStanding.ADDRESSED)
        return frozenset(found)

    def about(self, principal: Any, case: GrievanceCase, today: dt.date) -> Facts:
        """``own_data``: the principal filed the case, or its company was notified or is a party;
        ``valid_declaration``: an NGO party's signed declaration is valid today (art. 6 lid 3)."""
        standings = self.standings(principal, case)
        declared = (
            isinstance(principal, Principal)
            and principal.role == Role.NGO
            and self._declarations.valid_declaration(principal.login, today)
        )
        return Facts(
            own_data=bool(standings),
            is_filer=CaseStanding.FILER in standings,
            in_case_file=case.before_committee,
            valid_declaration=declared,
            secretariat_is_party=case.secretariat_is_party,
        )
