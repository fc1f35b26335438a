"""Evidence statements for tenders (issue 15; docs/statements.md).

A public buyer (or the company itself, to hand to a buyer: snelgids box 5; or the secretariat, which
advises buyers) asks for a statement about a company on a date. The statement gives the company's
standing, its level and insight figures against the tender criteria of the covenant's bijlage 3, and
never a site, a supplier, a supplier's country or another company (its facts have no field for one).
It is signed with the installation's statement key (Ed25519): it verifies offline with the published
key, and at the public verification page by its code.

Each issue is one access-log entry about the company (so the company sees which buyers asked and
when: ``AccessLogReading.status_checks``). The record kept of it is sealed under one key for all
statements, and found by the hash of its code: a reader of the database learns that a statement was
issued and when, not about whom or for whom. Whoever holds the code (it is printed on the statement)
may read the statement again; each such read is logged too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keys import signed_documents
from keys.access.filter import Audit, ConfidentialFilter
from keys.access.log_reading import STATEMENT
from keys.access.policy import Action, Facts
from keys.access.principal import Principal
from keys.encryption.keyring import FileKeyring
from registry.application import MemberStatus
from registry.domain.clock import ServiceClock
from registry.domain.errors import NotFoundError
from registry.domain.reports import AssessmentRecord
from registry.domain.statements import (
    STATEMENTS_KEY_OWNER,
    CriterionCheck,
    EvidenceStatement,
    Heading,
    StatementFacts,
    YearAssessment,
    body_digest,
    checked_language,
    code_digest,
    code_in,
    consecutive_positive,
    facts_as_record,
    facts_from_record,
    new_code,
    normalised_code,
    statement_body,
    tender_criteria,
)

__all__ = ["CriterionCheck", "EvidenceStatements", "IssuedStatement", "StatementFacts", "Verification"]

VERIFY_PATH = "/verify/"
KEYS_PATH = "/api/v1/public/statement-keys"


class StatementSources(Protocol):
    """What the registry answers for a statement: published fields only."""

    def member_status_on(self, ref: str, day: dt.date, today: dt.date | None = None) -> MemberStatus: ...

    def yearly_assessments(self, ref: str, since: dt.date, day: dt.date) -> list[tuple[int, AssessmentRecord]]: ...

    def organisation(self, ref: str) -> Any: ...

    def evidence_statement(self, code_digest: str) -> EvidenceStatement | None: ...

    def save(self, *aggregates: Any) -> Any: ...


@dataclass(frozen=True)
class IssuedStatement:
    """One issued statement: its facts, the bijlage-3 criteria checked, and the signed document."""

    code: str  # the verification code, e.g. "TSV-7K4Q-M2XA-...": printed on the statement
    language: str  # "nl" or "en": the document's wording
    issued_at: dt.datetime
    issued_to: str  # the organisation that asked (its name)
    facts: StatementFacts
    criteria: tuple[CriterionCheck, ...]
    document: str  # the signed statement as text: its body, then the signature block
    verify_path: str  # "/verify/<code>": the public verification page on this site
    verify_url: str  # the same under the registry's public address, as the statement prints it


@dataclass(frozen=True)
class Verification:
    """What a check of a statement file found. ``outcome`` is one of ``OUTCOMES``."""

    outcome: str
    code: str | None = None
    issued_on: dt.date | None = None
    key_id: str | None = None
    body: str = ""  # the statement's text as it was read (shown beside the verdict)

    OUTCOMES = ("valid", "changed", "unknown_key", "not_a_statement", "not_issued")

    @property
    def valid(self) -> bool:
        return self.outcome == "valid"


@dataclass(frozen=True)
class StatementKey:
    key_id: str
    algorithm: str
    public_key_pem: str


class EvidenceStatements:
    def __init__(
        self,
        registry: StatementSources,
        guard: ConfidentialFilter,
        keyring: FileKeyring,
        clock: ServiceClock,
        public_url: str,
    ) -> None:
        """``public_url``: the registry's public address (TRUSTONE_PUBLIC_URL), under which a statement
        names its verification page and the published key; never the address a request came by."""
        self._public_url = public_url.rstrip("/")
        self._registry = registry
        self._guard = guard
        self._keyring = keyring
        self._clock = clock
        keyring.ensure_statement_key()

    # --- issue ------------------------------------------------------------------------------------

    def may_issue(self, principal: Principal, ref: str | None = None, request_id: str = "") -> None:
        """Asked before the form to ask for a statement is drawn: about company ``ref`` (none: about
        any member). A refusal is logged and raised; a grant logs nothing (nothing is read). ``issue``
        decides again."""
        audit = Audit(subject_kind=STATEMENT, company=ref, purpose="evidence statement form", request_id=request_id)
        own = ref is not None and principal.organisation_ref == ref
        self._guard.check(principal, Action.ISSUE_STATEMENT, Facts(own_data=own), audit)

    def issue(
        self, principal: Principal, ref: str, on: dt.date | None, language: str, request_id: str = ""
    ) -> IssuedStatement:
        """A signed statement about company ``ref`` on ``on`` (not after today; default today), in ``language``.
        A company that was not a member on the date gets a statement that says so."""
        audit = Audit(subject_kind=STATEMENT, company=ref, purpose="evidence statement", request_id=request_id)
        facts_of_request = Facts(own_data=principal.organisation_ref == ref)
        self._guard.check(principal, Action.ISSUE_STATEMENT, facts_of_request, audit)
        language = checked_language(language)
        now = self._clock()
        facts = self.facts(ref, on or now.date(), now.date())
        criteria = tender_criteria(facts)
        code = new_code()
        base = self._public_url
        heading = Heading(
            code=code,
            verify_url=f"{base}{VERIFY_PATH}{code}",
            keys_url=f"{base}{KEYS_PATH}",
            issued_at=now,
            issued_to=self._registry.organisation(principal.organisation_ref).name,
            language=language,
        )
        body = statement_body(facts, criteria, heading)
        document = signed_documents.sign(body, self._keyring.statement_key(), self._keyring.statement_key_id)
        issued = IssuedStatement(
            code,
            language,
            now,
            heading.issued_to,
            facts,
            criteria,
            document,
            f"{VERIFY_PATH}{code}",
            heading.verify_url,
        )
        record = EvidenceStatement(
            code_digest=code_digest(code),
            body_digest=body_digest(body),
            key_id=self._keyring.statement_key_id,
            issued_on=now.date(),
            key_owner=STATEMENTS_KEY_OWNER,
            issued=_as_record(issued),
        )
        self._guard.authorise(
            principal, Action.ISSUE_STATEMENT, facts_of_request, Audit(**{**vars(audit), "subject_ref": code})
        )
        self._registry.save(record)
        return issued

    def facts(self, ref: str, on: dt.date, today: dt.date) -> StatementFacts:
        """What the registry says of the company on ``on``: its standing, and from the assessments
        of its membership then, the level, the insight figures and the run of positive years."""
        status = self._registry.member_status_on(ref, on, today=today)
        assessments: list[tuple[int, AssessmentRecord]] = []
        if status.member and status.joined_on is not None:
            assessments = self._registry.yearly_assessments(ref, status.joined_on, on)
        latest = max(assessments, key=lambda item: item[1].assessed_on, default=None)
        return StatementFacts(
            company_ref=status.ref,
            company_name=status.name,
            on=on,
            member=status.member,
            standing=status.standing,
            category=status.category,
            joined_on=status.joined_on,
            ended_on=status.withdrawn_on or status.excluded_on,
            level=latest[1].level if latest else None,
            level_assessed_on=latest[1].assessed_on if latest else None,
            positive_assessments=consecutive_positive(
                YearAssessment(year, record.level, record.assessed_on) for year, record in assessments
            ),
            factory_insight=latest[1].factory_insight if latest else None,
            quarry_insight=latest[1].quarry_insight if latest else None,
            # the member listing publishes the plan of the version assessed, at its assessment
            action_plan_published_on=latest[1].assessed_on if latest else None,
            action_plan_year=latest[0] if latest else None,
        )

    # --- read again and verify ---------------------------------------------------------------------

    def read(self, principal: Principal | None, code: str, request_id: str = "") -> IssuedStatement:
        """The statement with this code, as issued: whoever holds the code holds the statement. 404
        for a code that was never issued (the same answer as for a malformed one)."""
        record = self._record(code)
        if record is None:
            raise NotFoundError("no statement has this verification code")
        audit = Audit(subject_kind=STATEMENT, purpose="statement read by its code", request_id=request_id)
        opened = self._guard.open(principal, Action.READ_PUBLIC, Facts(), {"issued": record.issued}, audit)
        return _from_record(opened["issued"])

    def verify(self, document: bytes | str) -> Verification:
        """Whether ``document`` (a statement's text) is a statement this registry issued, unchanged."""
        checked = signed_documents.check(document, self.public_keys())
        code = code_in(checked.body) if checked.body else None
        if checked.result is not signed_documents.Check.VALID:
            return Verification(checked.result.value, code, None, checked.key_id or None, checked.body)
        record = self._record(code or "")
        if record is None:
            return Verification("not_issued", code, None, checked.key_id, checked.body)
        if record.body_digest != body_digest(checked.body):
            return Verification("changed", code, record.issued_on, checked.key_id, checked.body)
        return Verification("valid", code, record.issued_on, checked.key_id, checked.body)

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        """The statement keys by id: the current one (a key that is replaced stays listed here)."""
        return {self._keyring.statement_key_id: self._keyring.statement_key().public_key()}

    def published_keys(self) -> list[StatementKey]:
        return [
            StatementKey(key_id, "Ed25519", signed_documents.public_pem(key))
            for key_id, key in self.public_keys().items()
        ]

    def _record(self, code: str) -> EvidenceStatement | None:
        normal = normalised_code(code)
        if normal is None:
            return None
        return self._registry.evidence_statement(code_digest(normal))


def _as_record(issued: IssuedStatement) -> dict[str, Any]:
    return {
        "code": issued.code,
        "language": issued.language,
        "issued_at": issued.issued_at.isoformat(),
        "issued_to": issued.issued_to,
        "facts": facts_as_record(issued.facts),
        "criteria": [vars(criterion) for criterion in issued.criteria],
        "document": issued.document,
        "verify_url": issued.verify_url,
    }


def _from_record(record: Any) -> IssuedStatement:
    return IssuedStatement(
        code=record["code"],
        language=record["language"],
        issued_at=dt.datetime.fromisoformat(record["issued_at"]),
        issued_to=record["issued_to"],
        facts=facts_from_record(dict(record["facts"])),
        criteria=tuple(CriterionCheck(**dict(item)) for item in record["criteria"]),
        document=record["document"],
        verify_path=f"{VERIFY_PATH}{record['code']}",
        verify_url=record["verify_url"],
    )
