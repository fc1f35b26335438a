"""The filter: the single code path from ciphertext to plaintext.

For every request it (1) asks the policy, (2) writes the access-log entry, granted or denied, and
only then (3) decrypts. If the log write fails, the exception propagates and nothing is released.
Projections and background jobs come through here too, as named system principals.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from typing import Any

from keys.accesslog import AccessEntry, AccessLog, Outcome, StoredAccessEntry, open_entry
from keys.datakeys import DataKeyStore, KeyShreddedError
from keys.envelope import DecryptionError
from keys.policy import Action, Decision, Facts, decide
from keys.principal import Principal, SystemPrincipal
from keys.sealing import SealedField, unseal
from registry.domain.errors import RegistryError

log = logging.getLogger("trustone.filter")


class AccessDeniedError(RegistryError):
    """The policy said no (403; 401 for an anonymous request). The denial is in the access log."""

    def __init__(self, decision: Decision, anonymous: bool):
        # what the policy's rule requires, when it says; a role not in the row gets the general text
        super().__init__("login required" if anonymous else decision.missing or "not allowed for your role")
        self.decision = decision
        self.anonymous = anonymous


class IntegrityError(RegistryError):
    """Stored confidential data does not verify: a sealed value whose data key exists (it was not
    shredded) does not open, or a view row no longer matches the report it came from.

    Never taken for "shredded" or "absent" (docs/confidentiality.md, threat model: a writer to the
    database). The request is refused, the failure is logged and recorded in the access log, and
    ``trustone verify`` names the row. The message names no confidential value; ``where`` (the row
    and field as the store names them) is for the log and the verifier, never for a response.
    """

    def __init__(self, where: str):
        super().__init__("integrity failure: stored confidential data does not verify; the request was "
                         "refused and recorded (an administrator can run `trustone verify`)")
        self.where = where


class _Unreadable:
    """A field whose key was shredded: it exists, and can never be read again."""

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()


@dataclass(frozen=True)
class Audit:
    """What the access-log entry says the request was about."""

    subject_kind: str
    subject_ref: str = ""
    company: str | None = None  # ref of the company whose data this is
    purpose: str = ""
    request_id: str = ""


def new_request_id() -> str:
    return uuid.uuid4().hex


class ConfidentialFilter:
    def __init__(self, access_log: AccessLog, datakeys: DataKeyStore):
        self.access_log = access_log
        self.datakeys = datakeys

    def authorise(self, principal: Principal | SystemPrincipal | None, action: Action | str,
                  facts: Facts, audit: Audit) -> Decision:
        """Decide and log; raises AccessDeniedError when denied. For actions that release no
        sealed field themselves (e.g. a list whose rows are opened one by one afterwards)."""
        action = Action(action)
        decision = decide(principal, action, facts)
        self.access_log.append(_entry(principal, action, audit,
                                      Outcome.GRANTED if decision.allowed else Outcome.DENIED))
        if not decision.allowed:
            raise AccessDeniedError(decision, anonymous=principal is None)
        return decision

    def check(self, principal: Principal | SystemPrincipal | None, action: Action | str, facts: Facts,
              audit: Audit) -> Decision:
        """The first half of a decision whose grant is logged late: the policy decides now, a denial
        is logged and raised now, a grant is *not* logged yet.

        A command first asks this, then checks everything it can without reading (the case's stage,
        the input), and only then logs the grant with ``authorise`` or ``open``, right before its
        first confidential read or its write. So a request refused for any other reason (404, 409,
        422) reads nothing and leaves no granted entry, and one refused by the policy is logged."""
        action = Action(action)
        decision = decide(principal, action, facts)
        if not decision.allowed:
            self.authorise(principal, action, facts, audit)  # logs the denial and raises
        return decision

    def open(self, principal: Principal | SystemPrincipal | None, action: Action | str, facts: Facts,
             fields: dict[str, Any], audit: Audit) -> dict[str, Any]:
        """Decide, log, then decrypt every sealed value in ``fields`` (others pass through)."""
        self.authorise(principal, action, facts, audit)
        try:
            return {name: self._open_one(value) for name, value in fields.items()}
        except IntegrityError as failure:
            self._record_integrity_failure(principal, action, audit, failure)
            raise

    def open_many(self, principal: Principal | SystemPrincipal | None, action: Action | str, facts: Facts,
                  audit: Audit, items: list[tuple[str, Any]], select: Any) -> list[Any]:
        """A search over many companies' sealed data (the linked list).

        The policy decides first (a denial is logged once). Then the items are decrypted *inside* the
        filter, ``select(company, value)`` picks the results, one granted entry per company whose
        data is in the result is logged, and only then is anything released. A company that was
        searched but is not in the result is not logged: its data did not reach the reader.
        """
        action = Action(action)
        self.check(principal, action, facts, audit)
        results: list[Any] = []
        companies: set[str] = set()
        for company, sealed in items:
            try:
                value = self._open_one(sealed)
            except IntegrityError as failure:  # the whole search is refused: no partial answer
                self._record_integrity_failure(principal, action, Audit(
                    subject_kind=audit.subject_kind, subject_ref=audit.subject_ref, purpose=audit.purpose,
                    request_id=audit.request_id), failure)
                raise
            if value is UNREADABLE:  # shredded: gone on purpose, so not part of any answer
                continue
            chosen = select(company, value)
            if chosen:
                results.extend(chosen)
                companies.add(company)
        for company in sorted(companies) or [None]:
            self.authorise(principal, action, facts, Audit(
                subject_kind=audit.subject_kind, subject_ref=audit.subject_ref, company=company,
                purpose=audit.purpose, request_id=audit.request_id))
        return results

    def read_access_log(self, principal: Principal | SystemPrincipal | None, facts: Facts, audit: Audit,
                        entries: list[StoredAccessEntry]) -> list[dict[str, Any]]:
        """Entries with their sealed details opened (company, action, exact time, request id,
        subject, purpose), after the policy and a log entry of its own. Details that do not open
        (a shredded company's, or a tampered row's) are marked ``unreadable``."""
        self.authorise(principal, Action.READ_ACCESS_LOG, facts, audit)
        return [open_entry(self.datakeys, entry).as_dict() for entry in entries]

    def _open_one(self, value: Any) -> Any:
        """The plaintext; UNREADABLE when its data key was shredded; IntegrityError for anything
        else that does not open (a changed byte, a value moved from another row, field or owner, a
        key that is missing without having been shredded)."""
        if not isinstance(value, SealedField):
            return value
        try:
            return unseal(self.datakeys, value)
        except KeyShreddedError:
            return UNREADABLE
        except (DecryptionError, ValueError):  # ValueError: the stored plaintext is not JSON
            raise IntegrityError(where=value.context) from None

    def _record_integrity_failure(self, principal: Principal | SystemPrincipal | None, action: Action | str,
                                  audit: Audit, failure: IntegrityError) -> None:
        """A log line and an access-log entry (outcome ``integrity_failure``), before the refusal
        leaves. Neither holds a confidential value: the line names the action and the field's
        application and field name; the entry's sealed subject says which row."""
        application, _, rest = failure.where.partition("/")
        log.error("integrity failure: %s refused: sealed field %r of %s does not open although its key "
                  "was not shredded; run `trustone verify`", Action(action).value, rest.rpartition("/")[2],
                  application)
        self.access_log.append(_entry(principal, Action(action), replace(audit, subject_ref=failure.where),
                                      Outcome.INTEGRITY_FAILURE))

    def check_sealed(self, value: SealedField) -> str:
        """For ``trustone verify``: "ok", "shredded" or "broken". Opens the value to check its tag and
        discards the plaintext at once: nothing is released, so nothing is decided or logged."""
        try:
            opened = self._open_one(value)
        except IntegrityError:
            return "broken"
        return "shredded" if opened is UNREADABLE else "ok"


def _entry(principal: Principal | SystemPrincipal | None, action: Action, audit: Audit,
           outcome: Outcome) -> AccessEntry:
    """The one shape of an access-log entry: who (a person, a system principal, or anonymous), what,
    about whose data, and the outcome; a request without an id gets a fresh one."""
    return AccessEntry(
        actor=principal.login if principal else "anonymous",
        role=_role_of(principal),
        organisation=getattr(principal, "organisation_ref", "") or "",
        action=action.value,
        company=audit.company,
        subject_kind=audit.subject_kind,
        subject_ref=audit.subject_ref,
        purpose=audit.purpose,
        request_id=audit.request_id or new_request_id(),
        outcome=outcome,
    )


def _role_of(principal: Principal | SystemPrincipal | None) -> str:
    if principal is None:
        return "anonymous"
    if isinstance(principal, SystemPrincipal):
        return "system"
    return principal.role.value
