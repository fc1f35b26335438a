"""Key rotation and shredding: the secretariat's admin duties (docs/confidentiality.md).

Both are authorised and logged through the filter like any other access; shredding is also
recorded as an event on the company, so the registry's history says when and by whom.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keys.filter import Audit, ConfidentialFilter
from keys.policy import Action, Facts
from keys.principal import Principal, SystemPrincipal

if TYPE_CHECKING:
    from trustone.bootstrap import Services


@dataclass(frozen=True)
class RotationResult:
    new_master_key_id: str
    rewrapped: int
    retired: tuple[str, ...]


def rotate_master_key(
    services: Services, principal: Principal | SystemPrincipal, retire_unused: bool = True, request_id: str = ""
) -> RotationResult:
    """New primary master key; every data key rewrapped under it; no event rewritten.

    Master keys that no longer wrap anything are dropped from the keyring when ``retire_unused``,
    so a stolen old keyring file stops being useful.
    """
    _authorise(services.filter, principal, "master key rotation", None, request_id)
    new_id = services.keyring.rotate()
    rewrapped = services.datakeys.rewrap_all()
    retired: list[str] = []
    if retire_unused:
        in_use = services.datakeys.master_keys_in_use()
        for key_id in services.keyring.master_key_ids:
            if key_id != new_id and key_id not in in_use:
                services.keyring.retire(key_id)
                retired.append(key_id)
    return RotationResult(new_id, rewrapped, tuple(retired))


def shred_company(
    services: Services,
    company_ref: str,
    principal: Principal | SystemPrincipal,
    on: dt.date | None = None,
    request_id: str = "",
) -> int:
    """Destroy the company's data keys: its confidential fields become unreadable everywhere."""
    company = services.registry.company(company_ref)
    _authorise(services.filter, principal, "shred company data", company_ref, request_id)
    # Its part of grievance cases is under a key of its own, found through the company's key:
    # find it before that key is gone.
    grievance_key_owner = services.grievance.key_owner_for(company.id)
    destroyed = services.datakeys.shred(grievance_key_owner) + services.datakeys.shred(company.id)
    company.record_shredding(on=on or dt.date.today(), by=principal.login, keys_destroyed=destroyed)
    services.registry.save(company)
    services.projections.rebuild()  # what the lists took from the shredded data goes too
    return destroyed


def _authorise(
    confidential_filter: ConfidentialFilter,
    principal: Principal | SystemPrincipal,
    purpose: str,
    company: str | None,
    request_id: str,
) -> None:
    confidential_filter.authorise(
        principal,
        Action.ADMINISTER_KEYS,
        Facts(),
        Audit(subject_kind="keys", company=company, purpose=purpose, request_id=request_id),
    )
