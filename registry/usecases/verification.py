"""Sample verification of reported links (issue 16; docs/verification.md): rounds, the draw, field
checks through NGO and union parties, the companies' answers, and the published statistics.

Who may do what is the policy's (keys/access/policy.py), asked through the filter; every attempt is
an access-log entry:
- ``open_round`` / ``draw`` / ``assign`` / ``publish``: MANAGE_VERIFICATION (the secretariat). Opening
  reads each reporting company's report (one READ_REPORT entry per company, purpose "verification
  frame"); the draw reads the report of each company sampled (one entry per company sampled, purpose
  "verification sample draw"), which is the draw's record in the access log;
- ``round_record``: READ_VERIFICATION_ROUND (the secretariat, the auditor): the frame and the draw's
  public values, for ``scripts/redraw_sample.py``;
- ``checks`` / ``check``: READ_FIELD_CHECKS: the secretariat every check, a party the checks assigned
  to it, a company the checks of its own links. Which subset a list is, is asked of the policy first
  (``decide``, logs nothing); then the links are opened in one step of the filter, one granted entry per
  company whose link is shown. A party sees the site; the company only where the policy gives it the
  linked list (an NGO party with a valid declaration), never a union party;
- ``record_findings``: RECORD_FIELD_CHECK (the party the check is assigned to);
- ``answer_correction``: ANSWER_CORRECTION (the company whose link it is);
- ``public_statistics``: no login: statuses, outcomes, countries and site kinds of published rounds
  only, with every figure of fewer than k companies left out.

Which company a check is about is known before opening anything from its keyed tag
(``company_tag``): the tags of all member companies are computed under their keys, so the access
log names the company a read was about without a sealed value being opened first.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts, decide
from keys.access.principal import Principal, SystemPrincipal
from keys.encryption.sealing import SealedField
from projections.linked_list import LinkedRow
from registry.application import RegistryApplication
from registry.domain.errors import ConflictError, GoneError, NotFoundError, ValidationError
from registry.domain.organisations import Organisation, OrganisationKind
from registry.domain.reports import ReportContent
from registry.domain.sampling import Dimension, FrameEntry, draw, draw_seed, frame_digest, sample_size
from registry.domain.verification import (
    LIFECYCLE,
    Answer,
    CheckStatus,
    CheckStep,
    FieldCheck,
    FrameShare,
    LinkOutcome,
    RoundStatus,
    VerificationRegister,
    VerificationRound,
)
from registry.sealed_application import VersionConflictError

Who = Principal | SystemPrincipal | None
ROUND = "verification_round"  # the access log's subject kinds
CHECK = "field_check"
ATTACHMENT_LARGEST = 2 * 1024 * 1024  # bytes, after base64 decoding
PARTY_KINDS = (OrganisationKind.NGO_PARTY, OrganisationKind.UNION_PARTY)


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundView:
    id: uuid.UUID
    year: int
    status: RoundStatus
    dimensions: tuple[str, ...]
    sample_size: int
    frame_size: int
    companies: int  # companies with a link in the frame
    frame_digest: str
    beacon_source: str
    beacon_on: dt.date
    beacon_value: str | None
    seed: str | None
    opened_on: dt.date
    drawn_on: dt.date | None
    published_on: dt.date | None
    checks: int
    by_status: Mapping[str, int]


@dataclass(frozen=True)
class Findings:
    site_exists: str
    site_as_reported: str
    link: str
    checked_on: dt.date
    recorded_on: dt.date
    partner: str | None  # None: not for this reader (or no longer readable)
    notes: str | None
    attachments: tuple[str, ...] | None  # file names


@dataclass(frozen=True)
class CorrectionAnswer:
    answer: str
    explanation: str | None
    report_version: int | None
    on: dt.date


@dataclass(frozen=True)
class CheckView:
    """One check as its reader may see it: ``company_*`` only for the secretariat, the company itself
    and an NGO party the policy gives the linked list; the chain's details for the secretariat and
    the company; the partner, notes and files for the secretariat and the assigned party."""

    id: uuid.UUID
    round_id: uuid.UUID
    year: int
    status: CheckStatus
    allowed_next: tuple[str, ...]
    country: str
    site_kind: str
    site_id: str | None  # None: the link can no longer be read (the company's keys were shredded)
    site_name: str | None
    company_ref: str | None
    company_name: str | None
    chain: str | None
    tier: int | None
    stone_type: str | None
    product: str | None
    origin_confidence: str | None
    party_ref: str | None
    party_name: str | None
    method: str | None
    drawn_on: dt.date
    assigned_on: dt.date | None
    findings: Findings | None
    answer: CorrectionAnswer | None


@dataclass(frozen=True)
class Figures:
    """A cell of the published statistics; None: fewer than k companies in it (not shown)."""

    key: str
    sampled: int | None
    checked: int | None
    confirmed: int | None
    not_confirmed: int | None
    unclear: int | None


@dataclass(frozen=True)
class RoundStatistics:
    """A published round's figures, with its commitment: anyone can see that the draw's inputs are the
    ones the secretariat and the auditor hold (the frame itself counts links per country: not public)."""

    round_id: uuid.UUID
    year: int
    published_on: dt.date
    sample_size: int
    frame_digest: str
    beacon_source: str
    beacon_on: dt.date
    beacon_value: str | None
    seed: str | None
    total: Figures
    by_country: tuple[Figures, ...]
    by_site_kind: tuple[Figures, ...]


@dataclass(frozen=True)
class YearVerified:
    """The share of a year's reported links confirmed by a field check (None below k companies)."""

    year: int
    links: int | None
    verified: int | None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


# --- the use case -----------------------------------------------------------------------------------


class Verification:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        today: Callable[[], dt.date],
        k: int,
    ) -> None:
        """``k``: the registry's threshold (TRUSTONE_PUBLISH_K)."""
        self._registry = registry
        self._guard = guard
        self._today = today
        self._k = k

    # --- a company's keyed tag and key owner --------------------------------------------------------
    # A check, a frame share and an answer are addressed to a company by a keyed tag (an HMAC under
    # the company's key: it names no one without the keyring) of verification's own, so that it joins
    # with nothing else the store holds (not the grievance cases' tags); what they seal is under a
    # key owner derived from the tag, which CompanyShredding destroys with the company's keys.

    def tag_of(self, company_id: uuid.UUID) -> str:
        return self._registry.vault.fingerprint(company_id, _TAG_PURPOSE)

    def key_owner_for(self, company_id: uuid.UUID) -> uuid.UUID | None:
        """The owner of the company's verification key, or None when the company has no live key
        (never creates one): for CompanyShredding, asked before the company's key is destroyed."""
        tag = self._registry.vault.live_fingerprint(company_id, _TAG_PURPOSE)
        return key_owner_of(tag) if tag is not None else None

    def _live_tag(self, company_id: uuid.UUID) -> str | None:
        return self._registry.vault.live_fingerprint(company_id, _TAG_PURPOSE)

    # --- asked before a role's pages are drawn (trustone/web/ui/routes/verification.py) -------------
    # A refusal is logged and raised (a 403 page); a grant logs nothing (the read that follows logs
    # its own). Each command decides again.

    @property
    def k(self) -> int:
        """The threshold below which a figure is not published (public: the pages say it)."""
        return self._k

    def may_manage(self, principal: Who, request_id: str = "") -> None:
        """The secretariat's pages: open, draw, assign, publish."""
        audit = Audit(ROUND, "", purpose="verification rounds", request_id=request_id)
        self._guard.check(principal, Action.MANAGE_VERIFICATION, Facts(), audit)

    def may_record(self, principal: Who, request_id: str = "") -> None:
        """A party's pages: the checks assigned to it, and their findings forms."""
        audit = Audit(CHECK, "", purpose="field checks", request_id=request_id)
        self._guard.check(principal, Action.RECORD_FIELD_CHECK, Facts(own_data=True), audit)

    def may_answer(self, principal: Who, request_id: str = "") -> None:
        """A company's page: the checks of its own links, and its answers to correction requests."""
        audit = Audit(CHECK, "", purpose="field checks", request_id=request_id)
        self._guard.check(principal, Action.ANSWER_CORRECTION, Facts(own_data=True), audit)

    # --- the secretariat: rounds ------------------------------------------------------------------

    def open_round(
        self,
        principal: Who,
        *,
        year: int,
        dimensions: Sequence[str],
        size: int | None = None,
        share: str | Decimal | None = None,
        beacon_source: str,
        beacon_on: dt.date,
        request_id: str = "",
    ) -> RoundView:
        """Freeze the frame of ``year``'s reported links and commit to the draw's inputs. Everything
        that can be checked without reading a report is checked first (422, 409); one round of a year
        at a time may wait for its beacon, so that the secretariat cannot hold several frozen rounds on
        the same beacon and draw the one it likes."""
        audit = Audit(ROUND, "", purpose=f"open a verification round for {year}", request_id=request_id)
        self._guard.check(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        chosen = _dimensions(dimensions)
        if not isinstance(year, int) or not 2000 <= year <= self._today().year:
            raise ValidationError("year", "a report year up to this year")
        parsed_share = _share(share)
        if (size is None) == (parsed_share is None):
            raise ValidationError("size", "give either a sample size or a share, not both")
        if size is not None and (not isinstance(size, int) or size < 1):
            raise ValidationError("size", "a whole number of links, at least 1")
        if parsed_share is not None and not Decimal(0) < parsed_share <= Decimal(1):
            raise ValidationError("share", "a fraction above 0 and at most 1, e.g. 0.1")
        VerificationRound.check_commitment(beacon_source, beacon_on, self._today())
        if any(r.status is RoundStatus.FROZEN for r in self._rounds_of(year)):
            raise ConflictError(f"a round for {year} is waiting for its beacon: draw it first")
        frame, members, companies = self._frame(principal, year, request_id)
        n = sample_size(len(frame), size=size, share=parsed_share) if frame else 0
        shares = [
            FrameShare(
                key_owner=key_owner_of(tag),
                company_tag=tag,
                members=rows,
            )
            for tag, rows in members.items()
        ]
        verification_round = VerificationRound.open(
            year=year,
            dimensions=[d.value for d in chosen],
            sample_size=n,
            frame=[entry.as_list() for entry in frame],
            frame_digest=frame_digest(frame),
            shares=[share.id for share in shares],
            companies=companies,
            beacon_source=beacon_source,
            beacon_on=beacon_on,
            on=self._today(),
            by=_login(principal),
        )
        self._guard.authorise(
            principal, Action.MANAGE_VERIFICATION, Facts(), replace(audit, subject_ref=str(verification_round.id))
        )
        opened = [*verification_round.collect_events(), *(e for share in shares for e in share.collect_events())]
        for _attempt in range(5):
            register = self._register()
            register.add(round_id=verification_round.id, year=year)
            try:
                self._registry.save(register, *opened)
            except VersionConflictError:
                continue
            return self._round_view(verification_round)
        raise ConflictError("too many rounds opened at once: please try again")

    def draw(self, principal: Who, round_id: uuid.UUID | str, beacon_value: str, *, request_id: str = "") -> RoundView:
        """Draw the sample from the beacon's value, and make each sampled link a field check."""
        verification_round = self._round(round_id)
        audit = Audit(ROUND, str(verification_round.id), purpose="verification draw", request_id=request_id)
        self._guard.check(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        value = verification_round.check_drawable(beacon_value, self._today())
        entries = [FrameEntry.from_list(entry) for entry in verification_round.frame]
        seed = draw_seed(verification_round.frame_digest, value)
        dimensions = [Dimension(d) for d in verification_round.dimensions]
        sample = draw(entries, dimensions, verification_round.sample_size, seed)
        members = self._members(principal, verification_round, audit)
        by_token = {entry.token: entry for entry in entries}
        contents: dict[str, ReportContent] = {}
        checks: list[FieldCheck] = []
        gone: set[str] = set()
        for entry in sample:
            if entry.token not in members:  # the company's keys were shredded since: no check
                continue
            token, company_id, version, index = members[entry.token]
            company = self._company_by_id(uuid.UUID(company_id))
            if company.ref in gone:
                continue
            if company.ref not in contents:  # the draw's access-log entry for this company
                try:
                    contents[company.ref] = self._registry.read_report(
                        principal,
                        company.ref,
                        verification_round.year,
                        version,
                        purpose=f"verification sample draw {verification_round.id}",
                        request_id=request_id,
                    )
                except GoneError:
                    gone.add(company.ref)
                    continue
            link = contents[company.ref].links[index]
            tag = self.tag_of(company.id)
            site = self._site(link.site_id or "", contents[company.ref])
            checks.append(
                FieldCheck(
                    round_id=verification_round.id,
                    year=verification_round.year,
                    token=token,
                    country=by_token[token].country,
                    site_kind=by_token[token].site_kind,
                    company_tag=tag,
                    key_owner=key_owner_of(tag),
                    link={
                        "company_id": str(company.id),
                        "company_ref": company.ref,
                        "company_name": company.name,
                        "report_version": version,
                        "link_index": index,
                        "chain": link.chain,
                        "tier": link.tier,
                        "site_id": link.site_id,
                        "site_name": site,
                        "stone_type": link.stone_type,
                        "product": link.product,
                        "channel": link.channel.value,
                        "origin_confidence": link.origin_confidence.value if link.origin_confidence else "",
                    },
                    on=self._today(),
                )
            )
        self._guard.authorise(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        verification_round.record_draw(
            beacon_value=value,
            seed=seed,
            sample=[entry.token for entry in sample],
            checks={check.token: check.id for check in checks},
            on=self._today(),
            by=_login(principal),
        )
        try:
            self._registry.save(verification_round, *checks)
        except VersionConflictError:
            raise ConflictError("the round changed meanwhile: please try again") from None
        return self._round_view(verification_round)

    def publish(self, principal: Who, round_id: uuid.UUID | str, *, request_id: str = "") -> RoundView:
        """Publish the round's statistics (``public_statistics``)."""
        verification_round = self._round(round_id)
        audit = Audit(
            ROUND, str(verification_round.id), purpose="publish verification statistics", request_id=request_id
        )
        self._guard.check(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        verification_round.publish(on=self._today(), by=_login(principal))  # 409 in memory
        self._guard.authorise(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        self._save(verification_round)
        return self._round_view(verification_round)

    def rounds(self, principal: Who, *, request_id: str = "") -> list[RoundView]:
        """Every round, newest first: the secretariat and the auditor."""
        audit = Audit(ROUND, "", purpose="verification rounds", request_id=request_id)
        self._guard.authorise(principal, Action.READ_VERIFICATION_ROUND, Facts(), audit)
        found = [self._round(round_id) for round_id, _year in self._register().rounds]
        found.sort(key=lambda r: (r.opened_on, r.year), reverse=True)
        return [self._round_view(r) for r in found]

    def round_record(self, principal: Who, round_id: uuid.UUID | str, *, request_id: str = "") -> dict[str, Any]:
        """The round as ``scripts/redraw_sample.py`` reads it (docs/verification.md): the frame (random
        tokens, countries, site kinds, origin confidence: no company), its digest, the beacon and the
        sample. For the secretariat and the auditor only: a frame counts links per country, which
        the public must not see for a country with fewer than k companies."""
        verification_round = self._round(round_id)
        audit = Audit(ROUND, str(verification_round.id), purpose="verification round record", request_id=request_id)
        self._guard.authorise(principal, Action.READ_VERIFICATION_ROUND, Facts(), audit)
        return {
            "format": "trustone-sample/1",
            "round": str(verification_round.id),
            "year": verification_round.year,
            "opened_on": verification_round.opened_on.isoformat(),
            "dimensions": list(verification_round.dimensions),
            "sample_size": verification_round.sample_size,
            "frame": [list(entry) for entry in verification_round.frame],
            "frame_digest": verification_round.frame_digest,
            "beacon": {
                "source": verification_round.beacon_source,
                "announced_on": verification_round.beacon_on.isoformat(),
                "value": verification_round.beacon_value,
            },
            "seed": verification_round.seed,
            "sample": list(verification_round.sample),
        }

    def assign(
        self,
        principal: Who,
        check_id: uuid.UUID | str,
        *,
        party_ref: str,
        method: str,
        request_id: str = "",
    ) -> CheckView:
        """Give a check to an NGO or union party (whose local partner does it)."""
        check = self._check(check_id)
        audit = self._check_audit(principal, check, "assign a field check", request_id)
        self._guard.check(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        try:
            party = self._registry.organisation(str(party_ref or ""))
        except NotFoundError:
            raise ValidationError("party", "an NGO or union party's reference") from None
        if party.kind not in PARTY_KINDS:
            raise ValidationError("party", "an NGO or union party's reference")
        self._require_open(check)
        check.assign(party_id=party.id, method=method, on=self._today(), by=_login(principal))  # 409, 422
        self._guard.authorise(principal, Action.MANAGE_VERIFICATION, Facts(), audit)
        self._save(check)
        return self.check(principal, check.id, request_id=request_id)

    # --- reading checks ---------------------------------------------------------------------------

    def checks(
        self, principal: Who, *, round_id: uuid.UUID | str | None = None, request_id: str = ""
    ) -> list[CheckView]:
        """The checks the principal may read (of one round, or of every round), oldest first."""
        every = decide(principal, Action.READ_FIELD_CHECKS, Facts(own_data=False)).allowed
        found = self._all_checks(round_id)
        if not every:
            found = [check for check in found if self._own(principal, check)]
        companies = self._companies_by_tag()
        audit = Audit(CHECK, str(round_id or ""), purpose="field checks", request_id=request_id)
        opened = self._guard.open_many(
            principal,
            Action.READ_FIELD_CHECKS,
            Facts(own_data=not every),
            audit,
            (
                (companies.get(check.company_tag) if self._names_company(principal, check) else None, link, check)
                for check, link in ((check, self._link_of(check)) for check in found)
            ),
            select=lambda _company, link, check: [(check, link)],
        )
        shown = {check.id for check, _link in opened}
        unreadable = [(check, None) for check in found if check.id not in shown]  # shredded
        return [self._view(principal, check, link, {}) for check, link in [*opened, *unreadable]]

    def check(self, principal: Who, check_id: uuid.UUID | str, *, request_id: str = "") -> CheckView:
        """One check, with what its reader may see of the findings."""
        check = self._check(check_id)
        facts = Facts(own_data=self._own(principal, check))
        audit = self._check_audit(principal, check, "field check", request_id)
        fields = self._sealed_for(principal, check)
        opened = self._guard.open(principal, Action.READ_FIELD_CHECKS, facts, fields, audit)
        return self._view(principal, check, opened.pop("link"), opened)

    def attachment(self, principal: Who, check_id: uuid.UUID | str, number: int, *, request_id: str = "") -> Attachment:
        """One evidence file of a check: the secretariat and the assigned party (not the company: a
        photo can identify the local partner)."""
        check = self._check(check_id)
        facts = Facts(own_data=self._own(principal, check))
        audit = self._check_audit(principal, check, "field check evidence", request_id)
        self._guard.check(principal, Action.READ_FIELD_CHECKS, facts, audit)
        if not self._reads_partner(principal, check) or check.findings is None:
            raise NotFoundError("no such file")
        opened = self._guard.open(
            principal, Action.READ_FIELD_CHECKS, facts, {"attachments": check.findings["attachments"]}, audit
        )
        files = opened["attachments"]
        if not isinstance(files, list):
            raise GoneError("this check's evidence can no longer be read")
        if not 0 <= number < len(files):
            raise NotFoundError("no such file")
        chosen = files[number]
        return Attachment(chosen["filename"], chosen["content_type"], base64.b64decode(chosen["data"]))

    # --- the party: findings ----------------------------------------------------------------------

    def record_findings(
        self,
        principal: Who,
        check_id: uuid.UUID | str,
        *,
        site_exists: str,
        site_as_reported: str,
        link: str,
        checked_on: dt.date | None,
        partner: str,
        notes: str = "",
        attachments: Sequence[Mapping[str, Any]] = (),
        request_id: str = "",
    ) -> CheckView:
        """The local partner's findings, recorded by the party the check is assigned to. A link not
        confirmed asks the company to correct its report; a confirmed one is marked verified."""
        check = self._check(check_id)
        facts = Facts(own_data=self._own(principal, check))
        audit = self._check_audit(principal, check, "record field check findings", request_id)
        self._guard.check(principal, Action.RECORD_FIELD_CHECK, facts, audit)
        check.require(CheckStep.RECORD_FINDINGS)  # 409
        self._require_open(check)
        findings = FieldCheck.clean_findings(
            site_exists=site_exists,
            site_as_reported=site_as_reported,
            link=link,
            checked_on=checked_on,
            partner=partner,
            notes=notes,
            attachments=_attachments(attachments),
            today=self._today(),
        )  # 422 before anything is opened
        opened = self._guard.open(principal, Action.RECORD_FIELD_CHECK, facts, {"link": self._link_of(check)}, audit)
        sealed_link = opened["link"]
        if not isinstance(sealed_link, Mapping):
            raise GoneError("this check's link can no longer be read")
        verified = None
        if findings["link"] is LinkOutcome.CONFIRMED:
            site = self._survivor(sealed_link["site_id"])
            verified = self.verified_tag(uuid.UUID(sealed_link["company_id"]), check.year, site)
        check.record_findings(findings=findings, verified_tag=verified, on=self._today(), by=_login(principal))
        if verified is None:
            self._save(check)
            return self.check(principal, check.id, request_id=request_id)
        recorded = check.collect_events()
        for _attempt in range(5):  # two confirmations at once conflict on the register: one retries
            register = self._register()
            register.mark_verified(tag=verified)
            try:
                self._registry.save(register, *recorded)
            except VersionConflictError:
                if self._check(check.id).version != check.version - len(recorded):
                    raise ConflictError("the check changed meanwhile: please try again") from None
                continue
            return self.check(principal, check.id, request_id=request_id)
        raise ConflictError("too many findings at once: please try again")

    # --- the company: answering a correction request ----------------------------------------------

    def answer_correction(
        self,
        principal: Who,
        check_id: uuid.UUID | str,
        *,
        answer: str,
        explanation: str = "",
        request_id: str = "",
    ) -> CheckView:
        """``corrected``: a report version submitted on or after the request that no longer reports
        the link as it was; ``maintained``: the company keeps the link, with its explanation."""
        check = self._check(check_id)
        facts = Facts(own_data=self._own(principal, check))
        audit = self._check_audit(principal, check, "answer a correction request", request_id)
        self._guard.check(principal, Action.ANSWER_CORRECTION, facts, audit)
        check.require(CheckStep.ANSWER)  # 409
        chosen, _cleaned = FieldCheck.clean_answer(answer, explanation)  # 422 before anything is opened
        opened = self._guard.open(principal, Action.ANSWER_CORRECTION, facts, {"link": self._link_of(check)}, audit)
        link = opened["link"]
        if not isinstance(link, Mapping):
            raise GoneError("this check's link can no longer be read")
        version = self._corrected_version(principal, check, link, request_id) if chosen is Answer.CORRECTED else None
        check.answer_correction(
            answer=answer, explanation=explanation, report_version=version, on=self._today(), by=_login(principal)
        )
        self._save(check)
        return self.check(principal, check.id, request_id=request_id)

    # --- outcomes ---------------------------------------------------------------------------------

    def verified_tag(self, company_id: uuid.UUID, year: int, site_id: str) -> str:
        """The keyed mark of a confirmed link (company, year, site as known now): an HMAC under the
        company's key, so it names nothing without the keyring, and a list that holds the company,
        year and site can test it without opening anything."""
        return self._registry.vault.fingerprint(company_id, f"verified-link\x1f{year}\x1f{site_id}".encode())

    def verified_tags(self) -> frozenset[str]:
        """Every confirmed link's mark (clear values: nothing opened, nothing logged)."""
        return frozenset(self._register().verified)

    def overlay(self, rows: list[LinkedRow]) -> list[LinkedRow]:
        """Linked-list rows, those a field check confirmed marked ``verified`` (issue 16: "confirmed
        links raise the origin confidence to verified in the lists"). One read of the register; a
        row's mark is computed only when any link was ever confirmed."""
        marks = self.verified_tags()
        if not marks:
            return rows
        return [
            replace(row, origin_confidence="verified")
            if self.verified_tag(Organisation.create_id(row.company), row.year, row.site_id) in marks
            else row
            for row in rows
        ]

    def is_verified(self, company_id: uuid.UUID, year: int, site_id: str | None) -> bool:
        """Whether a field check confirmed the company's link to this site in this year."""
        if site_id is None:
            return False
        marks = self.verified_tags()
        return bool(marks) and self.verified_tag(company_id, year, self._survivor(site_id)) in marks

    def public_statistics(self) -> list[RoundStatistics]:
        """The published rounds' figures, newest first; every cell of fewer than k companies is None."""
        published = [
            r for r in (self._round(round_id) for round_id, _ in self._register().rounds) if r.published_on is not None
        ]
        published.sort(key=lambda r: (r.published_on or dt.date.min, r.year), reverse=True)
        found: list[RoundStatistics] = []
        for verification_round in published:
            checks = [self._check(check_id) for check_id in verification_round.checks.values()]
            found.append(
                RoundStatistics(
                    round_id=verification_round.id,
                    year=verification_round.year,
                    published_on=verification_round.published_on or dt.date.min,
                    sample_size=verification_round.sample_size,
                    frame_digest=verification_round.frame_digest,
                    beacon_source=verification_round.beacon_source,
                    beacon_on=verification_round.beacon_on,
                    beacon_value=verification_round.beacon_value,
                    seed=verification_round.seed,
                    total=self._figures("total", checks),
                    by_country=self._cells(checks, lambda c: c.country),
                    by_site_kind=self._cells(checks, lambda c: c.site_kind),
                )
            )
        return found

    def verified_per_year(self) -> list[YearVerified]:
        """Per report year with a published round: its latest published frame's size and how many
        links the checks of its published rounds confirmed (a link is counted once however many
        rounds confirmed it); both None when fewer than k companies reported links that year. Only
        published rounds count: a confirmation shown the day it is recorded would date it."""
        latest: dict[int, VerificationRound] = {}
        published: list[VerificationRound] = []
        for round_id, year in self._register().rounds:
            candidate = self._round(round_id)
            if candidate.status is not RoundStatus.PUBLISHED:
                continue
            published.append(candidate)
            if year not in latest or candidate.opened_on >= latest[year].opened_on:
                latest[year] = candidate
        confirmed: dict[int, set[str]] = defaultdict(set)
        for verification_round in published:
            for check_id in verification_round.checks.values():
                check = self._check(check_id)
                if check.verified_tag:
                    confirmed[check.year].add(check.verified_tag)
        found = []
        for year in sorted(latest):
            shown = latest[year].companies >= self._k
            found.append(
                YearVerified(year, len(latest[year].frame) if shown else None, len(confirmed[year]) if shown else None)
            )
        return found

    # --- helpers ----------------------------------------------------------------------------------

    def _frame(
        self, principal: Who, year: int, request_id: str
    ) -> tuple[list[FrameEntry], dict[str, list[list[Any]]], int]:
        """Every checkable link of ``year`` (a known site, not a circular one) in the latest version
        of each member's report, under a fresh random token, in token order (the order the companies
        were read in is not kept); and each company's members (by its tag). A shredded company's
        report can no longer be read: it is not in the frame."""
        frame: list[FrameEntry] = []
        members: dict[str, list[list[Any]]] = {}
        companies = 0
        for company in self._registry.organisations(OrganisationKind.MEMBER_COMPANY):
            if company.shredded_on is not None:
                continue
            try:
                report = self._registry.report(company.ref, year)
            except NotFoundError:
                continue
            if report.latest is None:
                continue
            content = self._registry.read_report(
                principal,
                company.ref,
                year,
                report.latest.number,
                purpose=f"verification frame {year}",
                request_id=request_id,
            )
            counted = False
            for index, link in enumerate(content.links):
                if link.site_id is None or link.circular:
                    continue
                country, kind = self._site_facts(link.site_id, content)
                token = secrets.token_hex(16)
                frame.append(
                    FrameEntry(token, country, kind, link.origin_confidence.value if link.origin_confidence else "")
                )
                members.setdefault(self.tag_of(company.id), []).append(
                    [token, str(company.id), report.latest.number, index]
                )
                counted = True
            companies += counted
        frame.sort()
        return frame, members, companies

    def _survivor(self, site_id: str) -> str:
        """The site's id now (a merged site as its survivor); a described site not yet registered as itself."""
        try:
            return self._registry.current_site_id(site_id)
        except NotFoundError:
            return site_id

    def _site_facts(self, site_id: str, content: ReportContent) -> tuple[str, str]:
        described = next((s for s in content.new_sites if s.public_id == site_id), None)
        if described is not None:
            return described.country, described.kind
        site = self._registry.site(self._registry.current_site_id(site_id))
        return site.region.country, site.kind.value

    def _site(self, site_id: str, content: ReportContent) -> str:
        described = next((s for s in content.new_sites if s.public_id == site_id), None)
        if described is not None:
            return described.name
        return self._registry.site(self._registry.current_site_id(site_id)).name

    def _members(self, principal: Who, verification_round: VerificationRound, audit: Audit) -> dict[str, list[Any]]:
        """Token -> [token, company id, report version, link index], from the round's frame shares,
        opened in one step of the filter; a shredded company's share no longer opens and is left out."""
        shares = [self._get(share_id, FrameShare) for share_id in verification_round.shares]
        sealed = {
            str(share.id): _addressed(share.members, key_owner_of(share.company_tag))
            for share in shares
            if share is not None
        }
        opened = self._guard.open(principal, Action.MANAGE_VERIFICATION, Facts(), sealed, audit)
        return {member[0]: member for rows in opened.values() if isinstance(rows, list) for member in rows}

    def frame_companies(self, principal: Who, round_id: uuid.UUID | str, *, request_id: str = "") -> dict[str, str]:
        """Token -> company ref of a round's frame: the secretariat's (the demo data chooses its
        illustration's beacon with it: trustone/demo_verification.py). Logged as one read."""
        verification_round = self._round(round_id)
        audit = Audit(ROUND, str(verification_round.id), purpose="verification frame companies", request_id=request_id)
        members = self._members(principal, verification_round, audit)
        return {token: self._company_by_id(uuid.UUID(row[1])).ref for token, row in members.items()}

    def _corrected_version(
        self, principal: Who, check: FieldCheck, link: Mapping[str, Any], request_id: str
    ) -> int | None:
        """The latest report version, when it was submitted on or after the correction request and no
        longer reports the link unchanged; None when there is none such (the domain says what to do)."""
        report = self._registry.report(link["company_ref"], check.year)
        latest = report.latest
        requested_on = check.findings["recorded_on"] if check.findings else self._today()
        if latest is None or latest.number <= link["report_version"] or latest.submitted_on < requested_on:
            return None
        content = self._registry.read_report(
            principal, link["company_ref"], check.year, latest.number, purpose="correction", request_id=request_id
        )
        unchanged = any(
            candidate.site_id == link["site_id"]
            and candidate.chain == link["chain"]
            and candidate.tier == link["tier"]
            and candidate.stone_type == link["stone_type"]
            for candidate in content.links
        )
        if unchanged:
            raise ConflictError(
                "the latest report still reports this link unchanged: correct it, "
                "or answer 'maintained' with an explanation"
            )
        return latest.number

    def _cells(self, checks: list[FieldCheck], key: Callable[[FieldCheck], str]) -> tuple[Figures, ...]:
        """One dimension's cells. A cell of fewer than k companies is left out, and so are as many
        more (the smallest first) as it takes for the left-out cells together to hold k companies:
        otherwise the published total minus the cells shown would give a left-out cell's figures."""
        groups: dict[str, list[FieldCheck]] = defaultdict(list)
        for check in checks:
            groups[key(check)].append(check)

        def companies(names: Iterable[str]) -> int:
            return len({check.company_tag for name in names for check in groups[name]})

        hidden = {name for name in groups if companies([name]) < self._k}
        shown = sorted(set(groups) - hidden, key=lambda name: (companies([name]), len(groups[name]), name))
        while hidden and shown and companies(hidden) < self._k:
            hidden.add(shown.pop(0))
        return tuple(
            Figures(name, None, None, None, None, None) if name in hidden else self._figures(name, groups[name])
            for name in sorted(groups)
        )

    def _figures(self, key: str, checks: list[FieldCheck]) -> Figures:
        if len({check.company_tag for check in checks}) < self._k:
            return Figures(key, None, None, None, None, None)
        outcomes = Counter(check.outcome for check in checks if check.outcome is not None)
        return Figures(
            key,
            sampled=len(checks),
            checked=sum(outcomes.values()),
            confirmed=outcomes[LinkOutcome.CONFIRMED],
            not_confirmed=outcomes[LinkOutcome.NOT_CONFIRMED],
            unclear=outcomes[LinkOutcome.UNCLEAR],
        )

    def _own(self, principal: Who, check: FieldCheck) -> bool:
        """A party: the check is assigned to its organisation; a company: the link is its own."""
        if not isinstance(principal, Principal):
            return False
        if check.party_id is not None and check.party_id == principal.organisation_id:
            return True
        try:
            organisation = self._registry.organisation(principal.organisation_ref)
        except NotFoundError:
            return False
        return (
            organisation.kind == OrganisationKind.MEMBER_COMPANY
            and self._live_tag(organisation.id) == check.company_tag
        )

    def _reads_partner(self, principal: Who, check: FieldCheck) -> bool:
        """The partner, the notes and the files: the secretariat, and the party the check is with."""
        if decide(principal, Action.MANAGE_VERIFICATION, Facts()).allowed:
            return True
        return isinstance(principal, Principal) and check.party_id == principal.organisation_id

    def _sealed_for(self, principal: Who, check: FieldCheck) -> dict[str, Any]:
        fields: dict[str, Any] = {"link": self._link_of(check)}
        if check.findings is not None and self._reads_partner(principal, check):
            fields.update(
                partner=check.findings["partner"],
                notes=check.findings["notes"],
                attachments=check.findings["attachments"],
            )
        company_side = decide(principal, Action.MANAGE_VERIFICATION, Facts()).allowed or self._is_company_of(
            principal, check
        )
        if check.answer is not None and company_side:  # the explanation may name the company: not the party's
            fields["answer"] = _addressed(check.answer["detail"], key_owner_of(check.company_tag))
        return fields

    def _link_of(self, check: FieldCheck) -> Any:
        """The sealed link, to be opened only under the key its clear tag names: a link moved to
        another company's tag does not open (the grievance notices' rule: ``addressed``)."""
        return _addressed(check.link, key_owner_of(check.company_tag))

    def _view(self, principal: Who, check: FieldCheck, link: Any, opened: Mapping[str, Any]) -> CheckView:
        readable = isinstance(link, Mapping)
        full = readable and (
            decide(principal, Action.MANAGE_VERIFICATION, Facts()).allowed or self._is_company_of(principal, check)
        )
        names_company = full or (
            readable
            and isinstance(principal, Principal)
            and decide(principal, Action.READ_LINKED_LIST, Facts(valid_declaration=self._declared(principal))).allowed
        )
        party = self._party(check.party_id)
        company_only = not decide(principal, Action.MANAGE_VERIFICATION, Facts()).allowed and self._is_company_of(
            principal, check
        )
        findings = None
        if check.findings is not None:
            files = opened.get("attachments")
            findings = Findings(
                site_exists=check.findings["site_exists"].value,
                site_as_reported=check.findings["site_as_reported"].value,
                link=check.findings["link"].value,
                checked_on=check.findings["checked_on"],
                recorded_on=check.findings["recorded_on"],
                partner=_text(opened.get("partner")),
                notes=_text(opened.get("notes")),
                attachments=tuple(f["filename"] for f in files) if isinstance(files, list) else None,
            )
        answer = None
        if check.answer is not None:
            detail = opened.get("answer")
            answer = CorrectionAnswer(
                answer=check.answer["answer"].value,
                explanation=detail.get("explanation") if isinstance(detail, Mapping) else None,
                report_version=detail.get("report_version") if isinstance(detail, Mapping) else None,
                on=check.answer["on"],
            )
        linked: Mapping[str, Any] = link if readable else {}
        return CheckView(
            id=check.id,
            round_id=check.round_id,
            year=check.year,
            status=check.status,
            allowed_next=tuple(LIFECYCLE.allowed(check.status)),
            country=check.country,
            site_kind=check.site_kind,
            site_id=linked.get("site_id"),
            site_name=linked.get("site_name"),
            company_ref=linked.get("company_ref") if names_company else None,
            company_name=linked.get("company_name") if names_company else None,
            chain=linked.get("chain") if full else None,
            tier=linked.get("tier") if full else None,
            stone_type=linked.get("stone_type") if full else None,
            product=linked.get("product") if full else None,
            origin_confidence=("verified" if check.verified_tag else (linked.get("origin_confidence") or None))
            if full
            else None,
            # the company is told the outcome, never who checked (the party's page says so)
            party_ref=party[0] if party and not company_only else None,
            party_name=party[1] if party and not company_only else None,
            method=check.method.value if check.method else None,
            drawn_on=check.drawn_on,
            assigned_on=check.assigned_on,
            findings=findings,
            answer=answer,
        )

    def _is_company_of(self, principal: Who, check: FieldCheck) -> bool:
        return (
            isinstance(principal, Principal)
            and check.party_id != principal.organisation_id
            and self._own(principal, check)
        )

    def _declared(self, principal: Principal) -> bool:
        return self._registry.valid_declaration(principal.login, self._today())

    def _party(self, party_id: uuid.UUID | None) -> tuple[str, str] | None:
        if party_id is None:
            return None
        try:
            party: Any = self._registry.repository.get(party_id)
        except AggregateNotFoundError:
            return None
        return party.ref, party.name

    def _companies_by_tag(self) -> dict[str, str]:
        found = {}
        for company in self._registry.organisations(OrganisationKind.MEMBER_COMPANY):
            tag = self._live_tag(company.id)
            if tag is not None:
                found[tag] = company.ref
        return found

    def _company_by_id(self, company_id: uuid.UUID) -> Any:
        try:
            return self._registry.repository.get(company_id)
        except AggregateNotFoundError:
            raise NotFoundError("a company of the frame is no longer registered") from None

    def _check_audit(self, principal: Who, check: FieldCheck, purpose: str, request_id: str) -> Audit:
        """The entry names the company only for a reader who knows it anyway (``_names_company``): a
        party reads its own entries, and an entry naming the company of the site it checks (or was
        refused) would tell it who buys there."""
        company = self._companies_by_tag().get(check.company_tag) if self._names_company(principal, check) else None
        return Audit(CHECK, str(check.id), company=company, purpose=purpose, request_id=request_id)

    def _names_company(self, principal: Who, check: FieldCheck) -> bool:
        """Whether this reader's access-log entries about the check may name its company: the
        secretariat's and the company's own. A party's never, also with a declaration (its entries
        would keep the name after the declaration lapsed); the company does not learn from its log
        which party checked its link either."""
        return decide(principal, Action.MANAGE_VERIFICATION, Facts()).allowed or self._is_company_of(principal, check)

    def _all_checks(self, round_id: uuid.UUID | str | None) -> list[FieldCheck]:
        rounds = [self._round(round_id)] if round_id else [self._round(r) for r, _ in self._register().rounds]
        return [self._check(check_id) for r in rounds for check_id in r.checks.values()]

    def _require_open(self, check: FieldCheck) -> None:
        """A published round's figures are final: its checks take no more assignments or findings
        (a figure that changed after publishing would date one check's outcome)."""
        if self._round(check.round_id).status is RoundStatus.PUBLISHED:
            raise ConflictError("the round's figures are published: its checks are closed")

    def _rounds_of(self, year: int) -> list[VerificationRound]:
        return [self._round(round_id) for round_id, of in self._register().rounds if of == year]

    def _register(self) -> VerificationRegister:
        try:
            register: VerificationRegister = self._registry.repository.get(VerificationRegister.ID)
        except AggregateNotFoundError:
            return VerificationRegister()
        return register

    def _round(self, round_id: uuid.UUID | str | None) -> VerificationRound:
        found = self._get(round_id, VerificationRound)
        if found is None:
            raise NotFoundError("no verification round with that id")
        return found

    def _check(self, check_id: uuid.UUID | str) -> FieldCheck:
        found = self._get(check_id, FieldCheck)
        if found is None:
            raise NotFoundError("no field check with that id")
        return found

    def _get(self, aggregate_id: uuid.UUID | str | None, kind: type[Any]) -> Any:
        try:
            found: object = self._registry.repository.get(uuid.UUID(str(aggregate_id)))
        except (AggregateNotFoundError, ValueError):
            return None
        return found if isinstance(found, kind) else None

    def _save(self, aggregate: Any) -> None:
        try:
            self._registry.save(aggregate)
        except VersionConflictError:
            raise ConflictError("it changed meanwhile: please try again") from None

    def _round_view(self, verification_round: VerificationRound) -> RoundView:
        statuses: Counter[str] = Counter()
        for check_id in verification_round.checks.values():
            check = self._check(check_id)
            statuses[check.status.value] += 1
        return RoundView(
            id=verification_round.id,
            year=verification_round.year,
            status=verification_round.status,
            dimensions=tuple(verification_round.dimensions),
            sample_size=verification_round.sample_size,
            frame_size=len(verification_round.frame),
            companies=verification_round.companies,
            frame_digest=verification_round.frame_digest,
            beacon_source=verification_round.beacon_source,
            beacon_on=verification_round.beacon_on,
            beacon_value=verification_round.beacon_value,
            seed=verification_round.seed,
            opened_on=verification_round.opened_on,
            drawn_on=verification_round.drawn_on,
            published_on=verification_round.published_on,
            checks=len(verification_round.checks),
            by_status=dict(statuses),
        )


_TAG_PURPOSE = b"verification: the company a check, a frame share or an answer is addressed to"
_KEY_OWNERS = uuid.UUID("6c1e9f3a-2b7d-4e58-a0c4-9d8e7f6a5b43")


def key_owner_of(tag: str) -> uuid.UUID:
    """The owner of the key sealing what is addressed to the company with this verification tag:
    derived from the tag, so a value moved to another company's tag does not open."""
    return uuid.uuid5(_KEY_OWNERS, tag)


def _addressed(value: Any, owner: uuid.UUID) -> Any:
    if isinstance(value, SealedField):
        return replace(value, owner=str(owner))
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dimensions(values: Sequence[str]) -> list[Dimension]:
    chosen: list[Dimension] = []
    for value in values or ():
        try:
            dimension = Dimension(value)
        except ValueError:
            raise ValidationError("dimensions", "any of country, site_kind, origin_confidence") from None
        if dimension not in chosen:
            chosen.append(dimension)
    return chosen


def _share(value: str | Decimal | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError("share", "a fraction between 0 and 1, e.g. 0.1") from None


def _attachments(files: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Evidence files as sealed: name, type and base64 content, each at most ATTACHMENT_LARGEST."""
    cleaned = []
    for number, item in enumerate(files or ()):
        field = f"attachments[{number}]"
        name = str(item.get("filename") or "").strip()
        if not name or len(name) > 200 or "/" in name or "\\" in name:
            raise ValidationError(field, "a file name without a path, at most 200 characters")
        content_type = str(item.get("content_type") or "application/octet-stream")
        try:
            data = base64.b64decode(str(item.get("data") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(field, "the file's content as base64") from None
        if not data:
            raise ValidationError(field, "an empty file")
        if len(data) > ATTACHMENT_LARGEST:
            raise ValidationError(field, "at most 2 MB")
        cleaned.append({"filename": name, "content_type": content_type, "data": base64.b64encode(data).decode()})
    return cleaned


def _login(principal: Who) -> str:
    return principal.login if principal is not None else ""
