"""The filter: the single code path from ciphertext to plaintext.

For every request it (1) asks the policy, (2) writes the access-log entry, granted or denied, and
only then (3) decrypts. If the log write fails, the exception propagates and nothing is released.
Projections and background jobs come through here too, as named system principals.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from keys.access.accesslog import AccessEntry, AccessLog, Outcome, StoredAccessEntry, open_entry
from keys.access.policy import Action, Decision, Facts, decide
from keys.access.principal import Principal, SystemPrincipal
from keys.encryption.datakeys import DataKeyStore, KeyShreddedError
from keys.encryption.envelope import DecryptionError, key_ref_of
from keys.encryption.sealing import SealedField, unseal
from registry.domain.errors import RegistryError

log = logging.getLogger("trustone.filter")

OPENED_CACHE_BYTES = 256 * 1024 * 1024  # memory for opened reports kept per process (estimated: see below)
# An opened value (read-only dicts and lists of strings) takes about four times its ciphertext in
# memory (measured: 20,500 bytes of link JSON held 77,411 bytes), and a value derived from it (a
# report's rows, registry/usecases/lists.py) about as much again: each is weighed at this many times
# its ciphertext, so that the bound is one of memory, not of ciphertext.
OPENED_WEIGHT = 4


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
        super().__init__(
            "integrity failure: stored confidential data does not verify; the request was "
            "refused and recorded (an administrator can run `trustone verify`)"
        )
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


def _frozen(value: Any) -> Any:
    """A JSON value that cannot be changed in place: a value handed out from the cache twice must
    be the same both times, whatever the first reader did with it."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


class _OpenedCache:
    """Opened values by (digest of the ciphertext, row context, owner), least recently used first."""

    def __init__(self) -> None:
        self._values: OrderedDict[tuple[bytes, str, str | None], tuple[str, Any, int]] = OrderedDict()
        self._derived: dict[tuple[bytes, str, str | None], Any] = {}  # at most one per value, weighed as it
        self._bytes = 0
        self._generation: int | None = None  # none yet: the first look starts one
        self._lock = threading.Lock()

    @staticmethod
    def key(sealed: SealedField) -> tuple[bytes, str, str | None]:
        return hashlib.sha256(sealed.blob).digest(), sealed.context, sealed.owner

    def get(self, key: tuple[Any, ...], generation: int) -> tuple[str, Any] | None:
        with self._lock:
            self._expire(generation)
            found = self._values.get(key)
            if found is None:
                return None
            self._values.move_to_end(key)
            return found[0], found[1]

    def put(self, key: tuple[Any, ...], key_ref: str, value: Any, size: int, generation: int) -> None:
        with self._lock:
            self._expire(generation)
            if key in self._values or size > OPENED_CACHE_BYTES:
                return
            self._values[key] = (key_ref, value, size)
            self._bytes += size
            self._evict()

    def derived(self, key: tuple[Any, ...]) -> Any | None:
        with self._lock:
            return self._derived.get(key)

    def put_derived(self, key: tuple[Any, ...], derived: Any) -> None:
        """Keep ``derived`` with the value it was made from (only while that value is kept), in place of
        the one before. Weighed as the value itself again (``OPENED_WEIGHT``): an estimate."""
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return
            if key not in self._derived:
                self._bytes += found[2]
            self._derived[key] = derived
            self._evict()

    def drop(self, key: tuple[Any, ...]) -> None:
        with self._lock:
            self._pop(key)

    def _pop(self, key: tuple[Any, ...]) -> None:
        found = self._values.pop(key, None)
        if found is not None:
            self._bytes -= found[2]
        if self._derived.pop(key, None) is not None and found is not None:
            self._bytes -= found[2]

    def _evict(self) -> None:
        while self._bytes > OPENED_CACHE_BYTES and self._values:
            self._pop(next(iter(self._values)))

    def size(self) -> int:
        return self._bytes

    def _expire(self, generation: int) -> None:
        """Everything goes when a key was shredded or rewrapped since (``DataKeyStore.generation``)."""
        if generation != self._generation:
            self._values.clear()
            self._derived.clear()
            self._bytes = 0
            self._generation = generation


class ConfidentialFilter:
    def __init__(self, access_log: AccessLog, datakeys: DataKeyStore):
        self.access_log = access_log
        self.datakeys = datakeys
        self._opened = _OpenedCache()

    def authorise(
        self, principal: Principal | SystemPrincipal | None, action: Action | str, facts: Facts, audit: Audit
    ) -> Decision:
        """Decide and log; raises AccessDeniedError when denied. For actions that release no
        sealed field themselves (e.g. a list whose rows are opened one by one afterwards)."""
        action = Action(action)
        decision = decide(principal, action, facts)
        self.access_log.append(
            _entry(principal, action, audit, Outcome.GRANTED if decision.allowed else Outcome.DENIED)
        )
        if not decision.allowed:
            raise AccessDeniedError(decision, anonymous=principal is None)
        return decision

    def check(
        self, principal: Principal | SystemPrincipal | None, action: Action | str, facts: Facts, audit: Audit
    ) -> Decision:
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

    def open(
        self,
        principal: Principal | SystemPrincipal | None,
        action: Action | str,
        facts: Facts,
        fields: dict[str, Any],
        audit: Audit,
    ) -> dict[str, Any]:
        """Decide, log, then decrypt every sealed value in ``fields`` (others pass through)."""
        self.authorise(principal, action, facts, audit)
        try:
            return {name: self._open_one(value) for name, value in fields.items()}
        except IntegrityError as failure:
            self._record_integrity_failure(principal, action, audit, failure)
            raise

    def open_many(
        self,
        principal: Principal | SystemPrincipal | None,
        action: Action | str,
        facts: Facts,
        audit: Audit,
        items: Iterable[tuple[Any, ...]],
        select: Callable[..., list[Any]],
        derive: Callable[..., Any] | None = None,
    ) -> list[Any]:
        """A search over many companies' sealed data (the linked list).

        The policy decides first (a denial is logged once). Then the items, ``(company, sealed)`` or
        ``(company, sealed, label)``, are opened *inside* the filter (from this process's cache when
        opened before), ``select(company, value[, label])`` picks the results, one granted entry per
        company whose data is in the result is logged, all in one transaction (``append_many``), and
        only then is anything released. A company that was searched but is not in the result is not
        logged: its data did not reach the reader. Values handed to ``select`` are read-only.
        ``items`` is taken one item at a time, after the policy's decision: an iterator may read
        them as they are asked for, and stop once the caller's answer is complete.

        ``derive(company, value, previous[, label])``, when given, makes what ``select`` is handed
        instead of the value (for the linked list: the report's rows as a search shows them), and is
        kept in this cache with the value, in memory only, to be handed back as ``previous`` next
        time: it returns ``previous`` itself while that is still right, so a repeated search does not
        build it again. It goes with the value (a shredding, a rotation, the cache's bound).
        """
        action = Action(action)
        self.check(principal, action, facts, audit)
        audit = replace(audit, request_id=audit.request_id or new_request_id())  # one id for the request
        results: list[Any] = []
        companies: set[str] = set()
        for company, sealed, *label in items:
            try:
                value = self._open_cached(sealed)
            except IntegrityError as failure:  # the whole search is refused: no partial answer
                self._record_integrity_failure(principal, action, replace(audit, company=None), failure)
                raise
            if value is UNREADABLE:  # shredded: gone on purpose, so not part of any answer
                continue
            if derive is not None:
                value = self._derived(sealed, company, value, label, derive)
            chosen = select(company, value, *label)
            if chosen:
                results.extend(chosen)
                companies.add(company)
        self.access_log.append_many(
            [
                _entry(principal, action, replace(audit, company=company), Outcome.GRANTED)
                for company in _or_none(sorted(companies))
            ]
        )
        return results

    def _derived(self, sealed: Any, company: str, value: Any, label: list[Any], derive: Callable[..., Any]) -> Any:
        if not isinstance(sealed, SealedField):  # a value not sealed is not kept: nothing to keep with it
            return derive(company, value, None, *label)
        key = _OpenedCache.key(sealed)
        previous = self._opened.derived(key)
        derived = derive(company, value, previous, *label)
        if derived is not previous:
            self._opened.put_derived(key, derived)
        return derived

    def opened_cache_bytes(self) -> int:
        """How much memory the cache of opened values holds now, as it weighs it (``OPENED_WEIGHT``)."""
        return self._opened.size()

    def _open_cached(self, value: Any) -> Any:
        """``_open_one``, remembering what opened. A hit is served only while its data key is still
        there (looked up as any read would); a shredded key drops it and gives UNREADABLE."""
        if not isinstance(value, SealedField):
            return value
        key, generation = _OpenedCache.key(value), self.datakeys.generation
        found = self._opened.get(key, generation)
        if found is not None:
            key_ref, opened = found
            try:
                self.datakeys.key(key_ref, owner=value.owner)
            except KeyShreddedError:
                self._opened.drop(key)
                return UNREADABLE
            except DecryptionError:  # gone without a shredding: as _open_one would say
                self._opened.drop(key)
                raise IntegrityError(where=value.context) from None
            return opened
        opened = self._open_one(value)
        if opened is UNREADABLE:
            return opened
        opened = _frozen(opened)
        self._opened.put(key, key_ref_of(value.blob), opened, OPENED_WEIGHT * len(value.blob), generation)
        return opened

    def read_access_log(
        self,
        principal: Principal | SystemPrincipal | None,
        facts: Facts,
        audit: Audit,
        entries: list[StoredAccessEntry],
    ) -> list[dict[str, Any]]:
        """Entries with their sealed details opened (company, action, exact time, request id,
        subject, purpose), after the policy and a log entry of its own. Details that do not open
        (a shredded company's, or a tampered row's) are marked ``unreadable``."""
        self.authorise(principal, Action.READ_ACCESS_LOG, facts, audit)
        return [open_entry(self.datakeys, entry).as_dict() for entry in entries]

    def open_access_log(
        self,
        principal: Principal | SystemPrincipal | None,
        facts: Facts,
        audit: Audit,
        entries: Iterable[StoredAccessEntry],
    ) -> Iterator[dict[str, Any]]:
        """``read_access_log`` for a search: decided and logged now, each entry opened only as the
        caller takes it, so a search that has found enough opens no more."""
        self.authorise(principal, Action.READ_ACCESS_LOG, facts, audit)
        return (open_entry(self.datakeys, entry).as_dict() for entry in entries)

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

    def _record_integrity_failure(
        self, principal: Principal | SystemPrincipal | None, action: Action | str, audit: Audit, failure: IntegrityError
    ) -> None:
        """A log line and an access-log entry (outcome ``integrity_failure``), before the refusal
        leaves. Neither holds a confidential value: the line names the action and the field's
        application and field name; the entry's sealed subject says which row."""
        application, _, rest = failure.where.partition("/")
        log.error(
            "integrity failure: %s refused: sealed field %r of %s does not open although its key "
            "was not shredded; run `trustone verify`",
            Action(action).value,
            rest.rpartition("/")[2],
            application,
        )
        self.access_log.append(
            _entry(principal, Action(action), replace(audit, subject_ref=failure.where), Outcome.INTEGRITY_FAILURE)
        )

    def check_sealed(self, value: SealedField) -> str:
        """For ``trustone verify``: "ok", "shredded" or "broken". Opens the value to check its tag and
        discards the plaintext at once: nothing is released, so nothing is decided or logged."""
        try:
            opened = self._open_one(value)
        except IntegrityError:
            return "broken"
        return "shredded" if opened is UNREADABLE else "ok"


def _entry(
    principal: Principal | SystemPrincipal | None, action: Action, audit: Audit, outcome: Outcome
) -> AccessEntry:
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


def _or_none(companies: list[str]) -> list[str | None]:
    """The companies, or one ``None`` for an answer that named none (still one access-log entry)."""
    return [*companies] or [None]
