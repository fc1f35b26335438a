"""Shredding a company's data keys (withdrawal plus retention period, or erasure): irreversible.

A use case and not a key function: it reaches the registry (the shredding is recorded as an event
on the company, so the registry's history says when and by whom), the grievance cases (the
company's part of them is under a key of its own) and the lists (rebuilt without what they took
from the shredded data)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.encryption.datakeys import DataKeyStore
from registry.application import RegistryApplication


class CompanyShredding:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        datakeys: DataKeyStore,
        grievance_key_owner: Callable[[uuid.UUID], uuid.UUID],
        rebuild_lists: Callable[[], object],
        clock: Callable[[], dt.date],
        verification_key_owner: Callable[[uuid.UUID], uuid.UUID | None] = lambda _company: None,
    ) -> None:
        """``clock``: today by the services' one clock (``ServiceClock.today``): the day a shredding
        is recorded on. ``verification_key_owner``: the owner of the company's verification key (its
        field checks' links, frame shares and answers: registry/usecases/verification.py), found
        through the company's key like the grievance key."""
        self._registry = registry
        self._guard = guard
        self._datakeys = datakeys
        self._grievance_key_owner = grievance_key_owner
        self._rebuild_lists = rebuild_lists
        self._clock = clock
        self._verification_key_owner = verification_key_owner

    def shred(
        self,
        company_ref: str,
        principal: Principal | SystemPrincipal,
        on: dt.date | None = None,
        request_id: str = "",
    ) -> int:
        """Destroy the company's data keys: its confidential fields become unreadable everywhere."""
        company = self._registry.company(company_ref)
        self._guard.authorise(
            principal,
            Action.ADMINISTER_KEYS,
            Facts(),
            Audit(subject_kind="keys", company=company_ref, purpose="shred company data", request_id=request_id),
        )
        # Its part of grievance cases is under a key of its own, found through the company's key:
        # find it before that key is gone.
        case_key_owner = self._grievance_key_owner(company.id)
        verification_key_owner = self._verification_key_owner(company.id)
        destroyed = self._datakeys.shred(case_key_owner) + self._datakeys.shred(company.id)
        if verification_key_owner is not None:
            destroyed += self._datakeys.shred(verification_key_owner)
        company.record_shredding(on=on or self._clock(), by=principal.login, keys_destroyed=destroyed)
        self._registry.save(company)
        self._rebuild_lists()  # what the lists took from the shredded data goes too
        return destroyed
