"""Key rotation: the secretariat's admin duty (docs/confidentiality.md), authorised and logged
through the filter like any other access. Shredding a company's keys touches the registry, the
grievance cases and the lists, so it is a use case of the registry (registry/usecases/shredding.py)."""

from __future__ import annotations

from dataclasses import dataclass

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.encryption.datakeys import DataKeyStore
from keys.encryption.keyring import FileKeyring


@dataclass(frozen=True)
class RotationResult:
    new_master_key_id: str
    rewrapped: int
    retired: tuple[str, ...]


@dataclass(frozen=True)
class KeyReport:
    """The read-only key report (secretariat, auditor): key ids and counts, no key material, no owner."""

    primary_master_key: str
    master_keys: list[str]
    live_data_keys: int
    shredded_data_keys: int


class KeyAdministration:
    """The key duties over HTTP: rotation (the secretariat) and the key report (secretariat, auditor)."""

    def __init__(self, guard: ConfidentialFilter, keyring: FileKeyring, datakeys: DataKeyStore) -> None:
        self._guard = guard
        self._keyring = keyring
        self._datakeys = datakeys

    def rotate(self, principal: Principal | SystemPrincipal, request_id: str = "") -> RotationResult:
        return rotate_master_key(self._guard, self._keyring, self._datakeys, principal, request_id=request_id)

    def report(self, principal: Principal | SystemPrincipal, request_id: str = "") -> KeyReport:
        self._guard.authorise(
            principal,
            Action.READ_KEY_REPORT,
            Facts(),
            Audit(subject_kind="keys", purpose="key report", request_id=request_id),
        )
        counts = self._datakeys.summary()
        return KeyReport(
            primary_master_key=self._keyring.primary_id,
            master_keys=list(self._keyring.master_key_ids),
            live_data_keys=counts["live_data_keys"],
            shredded_data_keys=counts["shredded_data_keys"],
        )


def rotate_master_key(
    guard: ConfidentialFilter,
    keyring: FileKeyring,
    datakeys: DataKeyStore,
    principal: Principal | SystemPrincipal,
    retire_unused: bool = True,
    request_id: str = "",
) -> RotationResult:
    """New primary master key; every data key rewrapped under it; no event rewritten.

    Master keys that no longer wrap anything are dropped from the keyring when ``retire_unused``,
    so a stolen old keyring file stops being useful.
    """
    _authorise(guard, principal, "master key rotation", None, request_id)
    new_id = keyring.rotate()
    rewrapped = datakeys.rewrap_all()
    retired: list[str] = []
    if retire_unused:
        in_use = datakeys.master_keys_in_use()
        for key_id in keyring.master_key_ids:
            if key_id != new_id and key_id not in in_use:
                keyring.retire(key_id)
                retired.append(key_id)
    return RotationResult(new_id, rewrapped, tuple(retired))


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
