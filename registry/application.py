"""The registry application: commands and queries over organisations, sites, reports, accounts.

Each command ends in one ``save`` of every aggregate it changed: the recorder writes them in one
transaction, so a command is either wholly recorded or not at all (a report import with new sites
included). Returns are ids and plain values, never aggregates to mutate.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from keys.encryption.vault import Vault
from registry.assessment_queue import AssessmentQueue, ReportAwaitingAssessment
from registry.domain.access_requests import (
    CONFIDENTIAL_EVENTS as ACCESS_REQUEST_CONFIDENTIAL_EVENTS,
)
from registry.domain.access_requests import DataAccessRegister
from registry.domain.accounts import CONFIDENTIAL_EVENTS as ACCOUNT_CONFIDENTIAL_EVENTS
from registry.domain.accounts import Role, UserAccount, check_role_fits, validate_login
from registry.domain.assessment import due_diligence_score as checked_score
from registry.domain.assessment import level_for, next_assessment
from registry.domain.contributions import CONFIDENTIAL_EVENTS as CONTRIBUTION_CONFIDENTIAL_EVENTS
from registry.domain.declarations import CONFIDENTIAL_EVENTS as DECLARATION_CONFIDENTIAL_EVENTS
from registry.domain.declarations import (
    Declaration,
    DeclarationDocument,
    DeclarationIndex,
    DeclarationRegister,
    IndexEntry,
)
from registry.domain.duplicates import (
    MatchVerdict,
    SiteFingerprint,
    best_match,
    normalise_name,
)
from registry.domain.errors import (
    ConflictError,
    GoneError,
    NotFoundError,
    ValidationError,
)
from registry.domain.geography import Coordinates, RegionPath, fold, validate_country
from registry.domain.organisations import (
    CompanyCategory,
    CompanySize,
    Organisation,
    OrganisationKind,
    validate_ref,
)
from registry.domain.region_index import RegionSiteIndex
from registry.domain.reports import CONFIDENTIAL_EVENTS as REPORT_CONFIDENTIAL_EVENTS
from registry.domain.reports import (
    AssessmentRecord,
    CommercialTerms,
    DescribedSite,
    ReportContent,
    ReportStatus,
    SupplyChainReport,
    SupplyLink,
)
from registry.domain.review_queue import DuplicateReviewQueue
from registry.domain.site_catalogue import DistrictDirectory, SiteBucket
from registry.domain.site_ids import new_site_id
from registry.domain.site_intake import SiteIntake
from registry.domain.sites import (
    ProductionSite,
    SiteKind,
    SiteStatus,
    parse_stone_types,
)
from registry.domain.statements import CONFIDENTIAL_EVENTS as STATEMENT_CONFIDENTIAL_EVENTS
from registry.domain.statements import EvidenceStatement
from registry.domain.tender_signals import CONFIDENTIAL_EVENTS as TENDER_SIGNAL_CONFIDENTIAL_EVENTS
from registry.domain.tenders import CONFIDENTIAL_EVENTS as TENDER_CONFIDENTIAL_EVENTS
from registry.domain.text import one_line
from registry.domain.verification import CONFIDENTIAL_EVENTS as VERIFICATION_CONFIDENTIAL_EVENTS
from registry.domain.verification import VerificationRegister
from registry.reportfile import (
    CellError,
    ParsedReport,
    ReportFileError,
    parse_report_file,
)
from registry.sealed_application import SealedApplication, VersionConflictError
from registry.site_catalogue import Pending, SiteCatalogue

# Operational log: references and counts of public things only, never report content.
log = logging.getLogger("trustone.registry")

# How often a report command is decided anew after losing a race on its save (``_redone_on_conflict``).
_CONFLICT_ATTEMPTS = 10


@dataclass(frozen=True)
class SiteRegistration:
    public_id: str
    verdict: MatchVerdict  # CERTAIN: an existing site; UNCERTAIN: new, held for review; DISTINCT: new
    candidate: str | None = None  # the existing site it may duplicate (UNCERTAIN)

    @property
    def is_new(self) -> bool:
        return self.verdict != MatchVerdict.CERTAIN


@dataclass(frozen=True)
class ImportResult:
    changed: bool
    version: int
    new_sites: int
    held_for_review: int
    # How a file's numbers were read (registry/reportnumbers.py): "comma", "dot" or None, and why
    decimal_separator: str | None = None
    decimal_separator_decided: str = ""
    # A report uploaded in parts: the parts still to come (empty once the report is submitted whole)
    parts_missing: tuple[int, ...] = ()


@dataclass(frozen=True)
class MemberStatus:
    """Published fields only: safe to answer to anyone (art. 5 lid 12, art. 6 lid 1).

    ``standing`` is member, withdrawn, excluded or not_yet_member (``organisations.Standing``);
    ``withdrawn_on`` / ``excluded_on`` give the date the last membership before ``on`` ended."""

    ref: str
    name: str
    on: dt.date
    member: bool
    category: str | None
    joined_on: dt.date | None
    level: int | None
    level_assessed_on: dt.date | None
    standing: str = "member"
    withdrawn_on: dt.date | None = None
    excluded_on: dt.date | None = None

    @property
    def statement(self) -> str:
        """The answer in one plain sentence, for a reader who does not know the fields."""
        if self.member:
            level = (
                f", at level {self.level} (assessed on {self.level_assessed_on.isoformat()})"
                if self.level is not None and self.level_assessed_on
                else ", not yet assessed for a level"
            )
            return f"{self.name} was a participating member of TruStone on {self.on.isoformat()}{level}."
        if self.excluded_on is not None:
            return (
                f"{self.name} was not a member of TruStone on {self.on.isoformat()}:"
                f" it was excluded on {self.excluded_on.isoformat()}."
            )
        if self.withdrawn_on is not None:
            return (
                f"{self.name} was not a member of TruStone on {self.on.isoformat()}:"
                f" it withdrew on {self.withdrawn_on.isoformat()}."
            )
        return f"{self.name} was not yet a member of TruStone on {self.on.isoformat()}."


class RegistryApplication(SealedApplication):
    """Confidential fields are sealed by the vault's mapper on the way into the store; reading them
    back goes through the vault's filter (policy, access log, then decryption)."""

    name = "registry"
    # Buckets and directories hold the sites of one district / the districts of one province: their
    # snapshots stay small as the catalogue grows (registry/domain/site_catalogue.py). RegionSiteIndex
    # is no longer written; its snapshots of before still load.
    snapshotting_intervals: ClassVar = {
        RegionSiteIndex: 50,
        SiteBucket: 50,
        DistrictDirectory: 50,
        DuplicateReviewQueue: 50,
        DataAccessRegister: 50,
        SiteIntake: 50,
        VerificationRegister: 50,  # read by every linked-list search (its verified marks)
    }
    confidential_events: ClassVar = {
        **REPORT_CONFIDENTIAL_EVENTS,
        **ACCOUNT_CONFIDENTIAL_EVENTS,
        **ACCESS_REQUEST_CONFIDENTIAL_EVENTS,
        **DECLARATION_CONFIDENTIAL_EVENTS,
        **STATEMENT_CONFIDENTIAL_EVENTS,
        **TENDER_CONFIDENTIAL_EVENTS,
        **TENDER_SIGNAL_CONFIDENTIAL_EVENTS,
        **VERIFICATION_CONFIDENTIAL_EVENTS,
        **CONTRIBUTION_CONFIDENTIAL_EVENTS,
    }

    def __init__(self, env: dict[str, str] | None = None, *, vault: Vault):
        # How many companies' new sites are registered together (TRUSTONE_PUBLISH_K; set by the
        # composition root): see registry/domain/site_intake.py.
        self.site_release_k = 3
        super().__init__(env=env, vault=vault)
        self.catalogue = SiteCatalogue(self)
        self._intake: SiteIntake | None = None  # see _current_intake
        self._intake_lock = threading.Lock()
        self.catalogue.refresh()  # a store of before gets its site buckets now, not in a command

    # --- helpers -----------------------------------------------------------------------------

    def _get(self, aggregate_id: uuid.UUID, what: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {what} with that reference") from None

    def _exists(self, aggregate_id: uuid.UUID) -> bool:
        return aggregate_id in self.repository

    # --- organisations -----------------------------------------------------------------------

    @staticmethod
    def organisation_id(ref: str) -> uuid.UUID:
        return Organisation.create_id(ref)

    def register_organisation(
        self,
        ref: str,
        name: str,
        kind: OrganisationKind,
        country: str,
        before_write: Callable[[], None] = lambda: None,
    ) -> uuid.UUID:
        """A new organisation. ``before_write`` runs once every check has passed (a use case logs
        its grant there, so a refused registration leaves no granted entry); so for the others."""
        ref = validate_ref(ref)
        name = one_line(name, "name", 200, shortest=2)
        org_id = self.organisation_id(ref)
        if self._exists(org_id):
            raise ConflictError(f"an organisation with ref {ref} exists already")
        organisation = Organisation(ref=ref, name=name, kind=OrganisationKind(kind), country=validate_country(country))
        before_write()
        self.save(organisation)
        return organisation.id

    def organisation(self, ref: str) -> Organisation:
        return self._get(self.organisation_id(ref), "organisation")

    def company(self, ref: str) -> Organisation:
        organisation = self.organisation(ref)
        if not organisation.is_company:
            raise NotFoundError("no member company with that reference")
        return organisation

    def organisations(self, kind: OrganisationKind | None = None) -> list[Organisation]:
        """Every organisation (of one kind), by ref. Found through the store's notifications of
        registration, one topic only: the register is small (tens to thousands), no index of its own."""
        found: list[Organisation] = [
            self.repository.get(originator_id)
            for originator_id in self._originators(Organisation.Registered)  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        ]
        return sorted((o for o in found if kind is None or o.kind == kind), key=lambda o: o.ref)

    def _originators(self, event_class: type) -> list[uuid.UUID]:
        """The aggregates that have an event of this class, in the order of the store."""
        found: list[uuid.UUID] = []
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(
                start=start, limit=500, topics=(get_topic(event_class),), inclusive_of_start=start is None
            )
            found.extend(uuid.UUID(str(notification.originator_id)) for notification in page)
            if len(page) < 500:
                return found
            start = page[-1].id

    def join(
        self,
        ref: str,
        on: dt.date,
        category: CompanyCategory,
        size: CompanySize,
        before_write: Callable[[], None] = lambda: None,
    ) -> None:
        company = self.company(ref)
        company.join(on=on, category=category, size=size)
        before_write()
        self.save(company)

    def withdraw(self, ref: str, on: dt.date, before_write: Callable[[], None] = lambda: None) -> None:
        """The membership ends by withdrawal. Verklaring D (no withdrawal while a dispute is before the
        complaints committee) is the Organisations use case's check (registry/usecases/organisations.py):
        it alone knows the grievance cases."""
        company = self.company(ref)
        company.withdraw(on)
        before_write()
        self.save(company)

    def set_contact_email(self, ref: str, address: str, before_write: Callable[[], None] = lambda: None) -> None:
        company = self.company(ref)
        company.set_contact_email(address)
        before_write()
        self.save(company)

    def exclude(self, ref: str, on: dt.date, before_write: Callable[[], None] = lambda: None) -> None:
        company = self.company(ref)
        company.exclude(on)
        before_write()
        self.save(company)

    def explain_delay(
        self, ref: str, year: int, explanation: str, by: str, before_write: Callable[[], None] = lambda: None
    ) -> None:
        """Art. 5 lid 11: why a company is late, for a year it was a member in (409 otherwise)."""
        company = self.company(ref)
        self._check_report_year(company, year)
        company.explain_delay(year, explanation, by)
        before_write()
        self.save(company)

    def member_status_on(self, ref: str, day: dt.date, today: dt.date | None = None) -> MemberStatus:
        """The company's standing and level on ``day``, which must not be after ``today`` (the
        caller's clock; the system date when not given): what the registry knows about a future
        date is only what it knows today, and an answer for it would read as a fact."""
        today = today or dt.date.today()
        if day > today:
            raise ValidationError(
                "on", f"the status can be checked up to today ({today.isoformat()}), not for {day.isoformat()}"
            )
        company = self.company(ref)
        standing, period = company.standing_on(day)
        member_period = period if standing.value == "member" else None  # a member always has its period
        member = member_period is not None
        ended_on = period.ended_on if period is not None else None  # set when it ended (withdrawn, excluded)
        level = assessed_on = None
        if member_period is not None:
            latest = self._latest_assessment_on(company.id, member_period.joined_on, day)
            if latest is not None:
                level, assessed_on = latest.level, latest.assessed_on
        return MemberStatus(
            ref=company.ref,
            name=company.name,
            on=day,
            member=member,
            category=member_period.category.value if member_period is not None else None,
            joined_on=member_period.joined_on if member_period is not None else None,
            level=level,
            level_assessed_on=assessed_on,
            standing=standing.value,
            withdrawn_on=ended_on if standing.value == "withdrawn" else None,
            excluded_on=ended_on if standing.value == "excluded" else None,
        )

    def _latest_assessment_on(self, company_id: uuid.UUID, since: dt.date, day: dt.date) -> AssessmentRecord | None:
        best: AssessmentRecord | None = None
        for year in range(since.year - 1, day.year + 1):
            report_id = SupplyChainReport.create_id(company_id, year)
            report: SupplyChainReport | None = self._get_or_none(report_id)
            if report is None:
                continue
            for record in report.assessments:
                if since <= record.assessed_on <= day and (best is None or record.assessed_on >= best.assessed_on):
                    best = record
        return best

    def yearly_assessments(self, ref: str, since: dt.date, day: dt.date) -> list[tuple[int, AssessmentRecord]]:
        """Each report year's last assessment made from ``since`` up to ``day``, by year: what an
        evidence statement counts (registry/domain/statements.py). Assessments are published
        fields (the member listing shows each year's level), read without the filter."""
        company = self.company(ref)
        found = []
        for year in range(since.year - 1, day.year + 1):
            report: SupplyChainReport | None = self._get_or_none(SupplyChainReport.create_id(company.id, year))
            if report is None:
                continue
            records = [record for record in report.assessments if since <= record.assessed_on <= day]
            if records:
                found.append((year, max(records, key=lambda record: record.assessed_on)))
        return found

    def evidence_statement(self, code_digest: str) -> EvidenceStatement | None:
        """The record of an issued statement, by the hash of its code (registry/domain/statements.py)."""
        found: EvidenceStatement | None = self._get_or_none(EvidenceStatement.create_id(code_digest))
        return found

    # --- production sites --------------------------------------------------------------------

    @staticmethod
    def site_aggregate_id(public_id: str) -> uuid.UUID:
        return ProductionSite.create_id(public_id)

    def site(self, public_id: str) -> ProductionSite:
        return self._get(self.site_aggregate_id(public_id), "production site")

    def register_site(
        self,
        kind: SiteKind,
        name: str,
        region: RegionPath,
        coordinates: Coordinates | None = None,
        address: str = "",
        stone_types: tuple[str, ...] = (),
    ) -> SiteRegistration:
        self.catalogue.refresh()
        pending: Pending = {}
        registration = self._place_site(pending, kind, name, region, coordinates, address, stone_types)
        self.save(*pending.values())
        return registration

    def _place_site(
        self,
        pending: Pending,
        kind: SiteKind,
        name: str,
        region: RegionPath,
        coordinates: Coordinates | None,
        address: str,
        stone_types: tuple[str, ...],
        public_id: str | None = None,
        scratch: bool = False,
    ) -> SiteRegistration:
        """Find or create a site, adding what changed to ``pending`` (saved by the caller; the
        catalogue is refreshed by the caller, once per command).

        ``public_id`` is given when a site a report described is registered (the report's links
        already use that id): then a site that certainly exists already is registered too, and
        merged into the existing one at once, so the report's id keeps leading to it. ``scratch``:
        ``pending`` is never saved (a report's rows being resolved), so nothing is held for review."""
        name = one_line(name, "site_name", 200, shortest=2)
        kind = SiteKind(kind)
        fingerprint = SiteFingerprint(
            public_id="",
            kind=kind.value,
            name_key=normalise_name(name),
            district_key=_folded(region.district),
            coordinates=coordinates,
        )
        country, province = region.country, region.province
        match = best_match(
            fingerprint,
            self.catalogue.candidates(pending, country, province, fingerprint.kind, fingerprint.district_key),
        )
        candidate = self.catalogue.resolve(pending, match.site, country, province) if match.site else None
        # a certain match always names its site (registry/domain/duplicates.py best_match)
        certain = match.verdict == MatchVerdict.CERTAIN and candidate is not None
        if certain and candidate is not None and public_id is None:
            return SiteRegistration(candidate, MatchVerdict.CERTAIN)
        public_id = public_id or new_site_id(region.country, region.subdivision)
        site = ProductionSite(
            public_id=public_id,
            kind=kind,
            name=name,
            address=" ".join((address or "").split()),
            region=region,
            coordinates=coordinates,
            stone_types=parse_stone_types(list(stone_types)),
            duplicate_candidate=candidate,
        )
        pending[site.id] = site
        self.catalogue.add(
            pending,
            country,
            province,
            kind.value,
            fingerprint.district_key,
            public_id=public_id,
            name_key=fingerprint.name_key,
            latitude=coordinates.latitude if coordinates else None,
            longitude=coordinates.longitude if coordinates else None,
        )
        if certain and candidate is not None:
            site.confirm_same_as(candidate, decided_by="registry: same kind, name and place")
            self.catalogue.alias(
                pending,
                country,
                province,
                kind.value,
                fingerprint.district_key,
                public_id=public_id,
                alias_of=candidate,
            )
            return SiteRegistration(candidate, MatchVerdict.CERTAIN)
        if candidate and not scratch:
            queue = self._review_queue(pending)
            queue.hold(public_id=public_id, candidate=candidate)
        return SiteRegistration(public_id, match.verdict, candidate)

    def _review_queue(self, pending: Pending) -> DuplicateReviewQueue:
        queue_id = DuplicateReviewQueue.ID
        if queue_id not in pending:
            pending[queue_id] = self._get_or_none(queue_id) or DuplicateReviewQueue()
        queue = pending[queue_id]
        assert isinstance(queue, DuplicateReviewQueue)  # its id is the queue's own
        return queue

    def sites_awaiting_review(self) -> list[tuple[str, str]]:
        """(held site, possible duplicate) pairs, oldest first."""
        queue = self._get_or_none(DuplicateReviewQueue.ID)
        return list(queue.held.items()) if queue is not None else []

    def decide_duplicate(
        self,
        public_id: str,
        same_as_candidate: bool,
        decided_by: str,
        before_write: Callable[[], None] = lambda: None,
    ) -> str:
        """Returns the public id to use from now on for this site. ``before_write`` runs once the
        site is known to be waiting (the use case logs its grant there: a 404 or 409 leaves none)."""
        site = self.site(public_id)
        if site.status != SiteStatus.PENDING_REVIEW:
            raise ConflictError(f"site {public_id} is not waiting for a duplicate decision")
        candidate = site.duplicate_candidate
        if candidate is None:  # a site pending review always names its candidate (registry/domain/sites.py)
            raise ConflictError(f"site {public_id} is not waiting for a duplicate decision")
        self.catalogue.refresh()
        pending: Pending = {self.site_aggregate_id(public_id): site}
        queue = self._review_queue(pending)
        queue.decide(public_id=public_id)
        if same_as_candidate:
            site.confirm_same_as(candidate, decided_by=decided_by)
            self.catalogue.alias(
                pending,
                site.region.country,
                site.region.province,
                site.kind.value,
                fold(site.region.district),
                public_id=public_id,
                alias_of=candidate,
            )
            result = candidate
        else:
            site.confirm_distinct(decided_by=decided_by)
            result = public_id
        before_write()
        self.save(*pending.values())
        return result

    def current_site_id(self, public_id: str, pending: dict[uuid.UUID, Aggregate] | None = None) -> str:
        """Follows merges: the id a site is known by now. ``pending``: the aggregates of a command
        not saved yet, looked in first (a batch of new sites registers and merges some of them in
        one commit, so a merge may lead to a site that is not in the store yet)."""
        return self._surviving(self._site_in(public_id, pending), pending).public_id

    def _site_in(self, public_id: str, pending: dict[uuid.UUID, Aggregate] | None) -> ProductionSite:
        unsaved = (pending or {}).get(self.site_aggregate_id(public_id))
        if isinstance(unsaved, ProductionSite):
            return unsaved
        return self.site(public_id)

    def _surviving(self, site: ProductionSite, pending: dict[uuid.UUID, Aggregate] | None = None) -> ProductionSite:
        seen: set[str] = set()
        while site.merged_into and site.public_id not in seen:
            seen.add(site.public_id)
            site = self._site_in(site.merged_into, pending)
        return site

    # --- reports -----------------------------------------------------------------------------

    def upload_report(
        self,
        principal: Any,
        company_ref: str,
        year: int,
        data: bytes,
        filename: str,
        submitted_on: dt.date,
        decimal_separator: str | None = None,
        request_id: str = "",
        part: tuple[int, int] | None = None,
        max_rows: int | None = None,
        stage: Callable[[str], None] = lambda _name: None,
    ) -> ImportResult:
        """A report file submitted by the company itself (the HTTP upload) or by an operator on its
        word (``trustone import-report``, a system principal; ``max_rows`` above an upload's).

        The policy decides first (a denial is logged); the file is then parsed and checked without
        logging anything, so a bad file (422) leaves no granted entry; the grant is logged right
        before the report is recorded (or recognised as unchanged)."""
        company = self.company(company_ref)
        audit: dict[str, Any] = {
            "subject_kind": "report",
            "subject_ref": f"{company_ref}/{year}",
            "company": company_ref,
            "purpose": "submit report",
            "request_id": request_id,
            "facts": {"own_data": getattr(principal, "organisation_id", None) == company.id},
        }
        self.vault.check(principal, "submit_report", **audit)
        return self.import_report(
            company_ref,
            year,
            data,
            filename,
            submitted_on,
            decimal_separator,
            max_rows=max_rows,
            before_write=lambda: self.vault.authorise(principal, "submit_report", **audit),
            part=part,
            stage=stage,
        )

    def import_report(
        self,
        company_ref: str,
        year: int,
        data: bytes,
        filename: str,
        submitted_on: dt.date,
        decimal_separator: str | None = None,
        max_rows: int | None = None,
        before_write: Callable[[], None] = lambda: None,
        part: tuple[int, int] | None = None,
        stage: Callable[[str], None] = lambda _name: None,
    ) -> ImportResult:
        """Parse, resolve sites, and record a new report version, all or nothing.

        Idempotence is decided on what the file says, before any site is resolved: resolving a
        described site may register one (held for duplicate review), so the same file must be
        recognised first, and then nothing at all is written. ``before_write`` runs once every
        check has passed, right before the outcome is final (the upload logs its grant there).
        ``stage`` is told each step as it starts (the command line shows it while a large file is
        imported): "checking the file", then "matching sites and recording"."""
        company = self.company(company_ref)
        self._check_report_year(company, year)
        stage("checking the file")
        parsed = parse_report_file(data, filename, decimal_separator, max_rows)
        stage("matching sites and recording")
        convention = parsed.numbers
        numbers = {
            "decimal_separator": convention.separator.value if convention and convention.separator else None,
            "decimal_separator_decided": convention.describe() if convention else "",
        }
        digest = self.vault.fingerprint(company.id, parsed.canonical_bytes())
        before_write = _once(before_write)
        if part is not None:
            return self._redone_on_conflict(
                lambda: self._import_part(
                    company,
                    self._report_for(company.id, year),
                    parsed,
                    digest,
                    part,
                    filename,
                    submitted_on,
                    before_write,
                    numbers,
                )
            )
        return self._redone_on_conflict(
            lambda: self._import_whole(
                company,
                self._report_for(company.id, year),
                parsed,
                digest,
                filename,
                submitted_on,
                before_write,
                numbers,
            )
        )

    def _redone_on_conflict(self, command: Callable[[], ImportResult]) -> ImportResult:
        """Runs a report command again on fresh state when its save lost a race: another upload saved
        the report (or the site intake, which every submission joins, or a site bucket) first, the
        store refused this save whole (``VersionConflictError``), and the command is decided anew:
        a different file becomes the next version, the same file changes nothing. Bounded: after
        ``_CONFLICT_ATTEMPTS`` lost races in a row the conflict (409) is the answer."""
        for attempt in range(_CONFLICT_ATTEMPTS):
            try:
                return command()
            except VersionConflictError:
                if attempt == _CONFLICT_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311 - spreading retries only
        raise AssertionError("unreachable")

    def _import_whole(
        self,
        company: Organisation,
        report: SupplyChainReport,
        parsed: ParsedReport,
        digest: str,
        filename: str,
        submitted_on: dt.date,
        before_write: Callable[[], None],
        numbers: dict[str, Any],
    ) -> ImportResult:
        if report.is_latest(digest):
            before_write()
            return ImportResult(
                changed=False, version=report.latest_version.number, new_sites=0, held_for_review=0, **numbers
            )
        content, new_sites, held = self._resolve_sites(parsed, self._own_waiting_sites(company.id))
        changed = report.submit(
            content, digest=digest, source=f"file:{filename.rsplit('.', 1)[-1].lower()}", submitted_on=submitted_on
        )
        before_write()
        if not changed:
            return ImportResult(
                changed=False, version=report.latest_version.number, new_sites=0, held_for_review=0, **numbers
            )
        self._save_with_site_intake(report, content)
        return ImportResult(
            changed=True, version=report.latest_version.number, new_sites=new_sites, held_for_review=held, **numbers
        )

    def _import_part(
        self,
        company: Organisation,
        report: SupplyChainReport,
        parsed: ParsedReport,
        digest: str,
        part: tuple[int, int],
        filename: str,  # noqa: ARG002 - the signature the caller expects
        submitted_on: dt.date,
        before_write: Callable[[], None],
        numbers: dict[str, Any],
    ) -> ImportResult:
        """One part of a report too large for one upload (``part`` = (number, of)).

        Each part is atomic: its rows are checked whole, and the part is kept (sealed like a
        version) with the sites it registers, in one save. When the last missing part comes in, the
        parts are put together in part order and submitted as one version in the same save, so the
        report is never half there. The same part again records nothing; the same set of parts
        again records no new version (its digest is taken over the parts' digests)."""
        number, of = part
        unchanged = ImportResult(
            changed=False,
            version=report.latest_version.number if report.latest else 0,
            new_sites=0,
            held_for_review=0,
            parts_missing=tuple(report.missing_parts),
            **numbers,
        )
        if report.has_part(number, of, digest):
            before_write()
            return unchanged
        content, new_sites, held = self._resolve_sites(parsed, self._own_waiting_sites(company.id))
        report.receive_part(number, of, content, digest)
        missing = tuple(report.missing_parts)
        submitted = False
        if not missing:
            set_digest = self.vault.fingerprint(
                company.id, "\n".join(report.parts[n].digest for n in sorted(report.parts)).encode()
            )
            if report.is_latest(set_digest):
                report.close_parts_unchanged()
            else:
                assembled = self._assemble_parts(company, report)
                submitted = report.submit(
                    assembled, digest=set_digest, source=f"file:{of} parts", submitted_on=submitted_on
                )
        before_write()
        if submitted:
            self._save_with_site_intake(report, assembled)
        else:
            self.save(report)
        return ImportResult(
            changed=submitted,
            version=report.latest_version.number if report.latest else 0,
            new_sites=new_sites,
            held_for_review=held,
            parts_missing=missing,
            **numbers,
        )

    def _assemble_parts(self, company: Organisation, report: SupplyChainReport) -> ReportContent:
        """The parts' rows in part order. Earlier parts come back from the store sealed: they are
        opened through the filter by the registry itself (the part just received is still plain)."""
        fields: dict[str, list] = {name: [] for name in ("links", "terms", "questionnaire", "action_plan", "new_sites")}
        for number in sorted(report.parts):
            opened = self.vault.open(
                self.vault.system_principal("registry"),
                "read_report",
                report.parts[number].sealed,
                subject_kind="report",
                subject_ref=f"{company.ref}/{report.year}/part{number}",
                company=company.ref,
                purpose="assemble a report uploaded in parts",
            )
            part_content = _content_or_gone(opened)
            for name, values in part_content.as_event_fields().items():
                fields[name].extend(values)
        return ReportContent.from_event_fields(**fields)

    def submit_report(
        self, company_ref: str, year: int, content: ReportContent, source: str, submitted_on: dt.date
    ) -> ImportResult:
        company = self.company(company_ref)
        self._check_report_year(company, year)
        for position, link in enumerate(content.links):
            if link.site_id is not None and not self._exists(self.site_aggregate_id(link.site_id)):
                raise ValidationError(f"links[{position}].site_id", "no production site with this id")
        digest = self._fingerprint(company.id, content)

        def submit() -> ImportResult:
            report = self._report_for(company.id, year)
            changed = report.submit(content, digest=digest, source=source, submitted_on=submitted_on)
            if changed:
                self._save_with_site_intake(report, content)
            return ImportResult(changed=changed, version=report.latest_version.number, new_sites=0, held_for_review=0)

        return self._redone_on_conflict(submit)

    def save_report_draft(
        self, company_ref: str, year: int, content: ReportContent, before_write: Callable[[], None] = lambda: None
    ) -> None:
        """A draft (web form in progress): replaces the previous draft; versions stay untouched.
        ``before_write`` runs once every check has passed (a use case logs its grant there)."""
        company = self.company(company_ref)
        self._check_report_year(company, year)
        report = self._report_for(company.id, year)
        report.save_draft(content)
        before_write()
        self.save(report)

    def submit_report_draft(
        self, principal: Any, company_ref: str, year: int, submitted_on: dt.date, request_id: str = ""
    ) -> ImportResult:
        """Submit the saved draft as the next version. The draft is opened through the filter, as
        the principal (the company itself, or the secretariat on its behalf)."""
        company = self.company(company_ref)
        report = self.report(company_ref, year)
        if report.draft is None:
            raise ConflictError("there is no draft to submit")
        opened = self.vault.open(
            principal,
            "submit_report",
            report.draft,
            subject_kind="report",
            subject_ref=f"{company_ref}/{year}",
            company=company_ref,
            purpose="submit draft",
            request_id=request_id,
            facts={"own_data": getattr(principal, "organisation_id", None) == company.id},
        )
        content = _content_or_gone(opened)
        changed = report.submit_draft(content, digest=self._fingerprint(company.id, content), submitted_on=submitted_on)
        if changed:
            self._save_with_site_intake(report, content)
        else:
            self.save(report)
        return ImportResult(changed=changed, version=report.latest_version.number, new_sites=0, held_for_review=0)

    def read_report(
        self,
        principal: Any,
        company_ref: str,
        year: int,
        version: int | None = None,
        purpose: str = "",
        request_id: str = "",
        in_case_file: bool = False,
    ) -> ReportContent:
        """A version's confidential content (the latest by default), through the filter.
        ``in_case_file``: the company is part of a case before the committee (a fact of the
        grievance context, gathered by the use case: registry/usecases/reports.py)."""
        company = self.company(company_ref)
        report = self.report(company_ref, year)
        chosen = report.latest if version is None else next((v for v in report.versions if v.number == version), None)
        if chosen is None:
            raise NotFoundError("no such version of the report")
        opened = self.vault.open(
            principal,
            "read_report",
            chosen.sealed,
            subject_kind="report",
            subject_ref=f"{company_ref}/{year}/v{chosen.number}",
            company=company_ref,
            purpose=purpose,
            request_id=request_id,
            facts={
                "own_data": getattr(principal, "organisation_id", None) == company.id,
                "in_case_file": in_case_file,
            },
        )
        return _content_or_gone(opened)

    def _fingerprint(self, company_id: uuid.UUID, content: ReportContent) -> str:
        return self.vault.fingerprint(company_id, content.canonical_bytes())

    @staticmethod
    def _check_report_year(company: Organisation, year: int) -> None:
        if not isinstance(year, int) or not 2000 <= year <= dt.date.today().year + 1:
            raise ValidationError("year", "a report year between 2000 and next year")
        if not any(
            p.joined_on.year <= year and (p.ended_on is None or p.ended_on.year >= year) for p in company.periods
        ):
            raise ConflictError("the company was not a member in that report year")

    def _report_for(self, company_id: uuid.UUID, year: int) -> SupplyChainReport:
        report_id = SupplyChainReport.create_id(company_id, year)
        return self._get_or_none(report_id) or SupplyChainReport(company_id=company_id, year=year)

    def _resolve_sites(self, parsed: ParsedReport, own_waiting: list[DescribedSite]) -> tuple[ReportContent, int, int]:
        """The file's rows as report content: a described site the registry knows becomes its id; one
        it does not know gets a new id and is kept in the content (``new_sites``), sealed with it, to
        be registered later with other companies' (``_with_site_intake``). Nothing is saved here:
        sites are matched on a scratch copy of the region indexes, which also holds the company's own
        sites still waiting (``own_waiting``: a corrected file, or next year's report, describes them
        again, or names them by id, and gets the same id) and finds a site described twice in the
        same file. Returns the content, how many new sites it describes, and how many of those may
        duplicate a registered site (the secretariat will review them)."""
        self.catalogue.refresh()
        scratch: Pending = {}
        own = {site.public_id: site for site in own_waiting}
        for site in own_waiting:
            region = RegionPath.create(site.country, site.province, site.district)
            self.catalogue.add(
                scratch,
                region.country,
                region.province,
                site.kind,
                fold(region.district),
                public_id=site.public_id,
                name_key=normalise_name(site.name),
                latitude=site.latitude,
                longitude=site.longitude,
            )
        errors: list[CellError] = []
        links: list[SupplyLink] = []
        terms: list[CommercialTerms] = []
        described: dict[str, DescribedSite] = {}
        held = 0
        resolved = _ResolvedDescriptions(self.catalogue, scratch, parsed.rows)
        for row in parsed.rows:
            site_id: str | None = None
            try:
                if row.site_id is not None and row.site_id.strip().upper() in own:
                    site_id = row.site_id.strip().upper()
                    if own[site_id].kind != row.site_kind.value:
                        raise ValidationError("site_kind", "does not match the kind of the site with this id")
                    described[site_id] = own[site_id]
                elif row.site_id is not None:
                    site_id = self._existing_site_for_row(row.site_id, row.site_kind)
                elif row.new_site is not None:
                    ns = row.new_site
                    registration = resolved.get(row)
                    if registration is None:
                        region = _region(ns.country, ns.province, ns.district)
                        registration = self._place_site(
                            scratch,
                            row.site_kind,
                            ns.name,
                            region,
                            Coordinates.create(ns.latitude, ns.longitude) if ns.latitude is not None else None,
                            ns.address,
                            (row.stone_type,),
                            scratch=True,
                        )
                        resolved.remember(row, region, registration)
                    site_id = registration.public_id
                    if registration.is_new:
                        described[site_id] = _described(self._site_in(site_id, scratch))
                    elif site_id in own:
                        described[site_id] = own[site_id]
                    held += registration.verdict == MatchVerdict.UNCERTAIN
            except ValidationError as error:
                column = "site_id" if row.site_id is not None else _row_column(error.field)
                errors.append(CellError("links", row.row, column, error.message))
                continue
            links.append(
                SupplyLink(
                    chain=row.chain,
                    tier=row.tier,
                    site_kind=row.site_kind,
                    site_id=site_id,
                    stone_type=row.stone_type,
                    product=row.product,
                    channel=row.channel,
                    origin_confidence=row.origin_confidence,
                    circular=row.circular,
                )
            )
            terms.append(CommercialTerms(row.volume, row.volume_unit, row.price_eur_per_unit, row.contract_notes))
        if errors:
            raise ReportFileError(errors)
        content = ReportContent(
            tuple(links), tuple(terms), parsed.questionnaire, parsed.action_plan, tuple(described.values())
        )
        return content, len(described), held

    # --- new sites: registered k companies at a time (registry/domain/site_intake.py) ------------

    def _current_intake(self) -> SiteIntake:
        """The intake as stored now (call holding ``_intake_lock``). Its state holds every report
        waiting since the last release, so it is not reloaded whole per report: the copy in memory
        is brought up to date with the events recorded since it was read (one query, few events)."""
        cached = self._intake
        if cached is None:
            cached = self._get_or_none(SiteIntake.ID)
            if cached is None:
                return SiteIntake()  # the first submission ever: not kept until it is saved
        else:
            for stored in self.repository.event_store.get(SiteIntake.ID, gt=cached.version):
                stored.mutate(cached)  # type: ignore[attr-defined]  # the library's events have it; its event protocol does not
        self._intake = cached
        return cached

    def _save_with_site_intake(self, report: SupplyChainReport, content: ReportContent) -> None:
        """Saves a new report version with the intake (and, at a release, the sites): one process
        changes the intake one command at a time, since every submission changes it anyway. A save
        that fails leaves the copy in memory unknown: it is read afresh next time."""
        with self._intake_lock:
            intake = self._current_intake()
            try:
                self.save(*self._with_site_intake(report, content, intake))
            except BaseException:
                self._intake = None
                raise
            self._intake = intake

    def _with_site_intake(
        self, report: SupplyChainReport, content: ReportContent, intake: SiteIntake
    ) -> list[Aggregate]:
        """What to save with a new report version, in this order: when the waiting reports of at
        least ``site_release_k`` companies now describe new sites, every one of those sites (in random
        order, with the catalogue buckets and review queue they change), then the intake, then the
        report. Else the intake and the report only, and no site."""
        version = report.latest_version.number
        intake.wait(
            report_id=str(report.id),
            company_id=str(report.company_id),
            version=version,
            tag=self._new_sites_tag(report.company_id, report.id, version, bool(content.new_sites)),
        )
        with_new_sites = {
            report_id: entry
            for report_id, entry in intake.waiting.items()
            if entry["tag"] == self._new_sites_tag(uuid.UUID(entry["company"]), report_id, entry["version"], True)
        }
        if len({entry["company"] for entry in with_new_sites.values()}) < self.site_release_k:
            return [intake, report]
        self.catalogue.refresh()
        pending: Pending = {}
        # one site may be in two years' reports: the catalogue knows those registered already
        by_id = {
            site.public_id: site
            for report_id in sorted(with_new_sites)
            for site in (content.new_sites if report_id == str(report.id) else self._described_sites(report_id))
            if not self.catalogue.registered(
                pending, site.country, site.province, site.kind, _folded(site.district), site.public_id
            )
        }
        sites = list(by_id.values())
        random.SystemRandom().shuffle(sites)
        for site in sites:
            self._place_site(
                pending,
                SiteKind(site.kind),
                site.name,
                RegionPath.create(site.country, site.province, site.district),
                Coordinates.create(site.latitude, site.longitude) if site.latitude is not None else None,
                site.address,
                site.stone_types,
                public_id=site.public_id,
            )
        intake.release(sites=len(sites))
        # The catalogue's changes first, then the sites as one run right before the release and
        # the report that triggered it: the order of the sites is random, and none of them is
        # nearer in the store's order to an earlier report than to this one.
        registered = [aggregate for aggregate in pending.values() if isinstance(aggregate, ProductionSite)]
        return [*(a for a in pending.values() if not isinstance(a, ProductionSite)), *registered, intake, report]

    def _own_waiting_sites(self, company_id: uuid.UUID) -> list[DescribedSite]:
        """The new sites of this company's reports in the intake, not registered yet (opened
        through the filter by the registry, one access-log entry per report that has any)."""
        with self._intake_lock:
            own = sorted(
                (report_id, entry)
                for report_id, entry in self._current_intake().waiting.items()
                if entry["company"] == str(company_id)
            )
        sites: dict[str, DescribedSite] = {}
        for report_id, entry in own:
            if entry["tag"] == self._new_sites_tag(company_id, report_id, entry["version"], True):
                sites.update(
                    {
                        site.public_id: site
                        for site in self._described_sites(report_id)
                        if not self._exists(self.site_aggregate_id(site.public_id))
                    }
                )
        return list(sites.values())

    def _new_sites_tag(self, company_id: uuid.UUID, report_id: Any, version: int, has_new_sites: bool) -> str:
        """A keyed digest saying whether a report version describes new sites. A company whose key
        was shredded since has no tag any more: nothing of its report is left to register."""
        what = "new sites" if has_new_sites else "no new sites"
        return self.vault.live_fingerprint(company_id, f"site intake/{report_id}/{version}/{what}".encode()) or ""

    def _described_sites(self, report_id: str) -> list[DescribedSite]:
        """The new sites a waiting report's latest version describes, opened through the filter by
        the registry itself (only when they are about to be registered)."""
        report: SupplyChainReport = self.repository.get(uuid.UUID(report_id))
        version = report.latest_version
        company: Organisation = self.repository.get(report.company_id)
        opened = self.vault.open(
            self.vault.system_principal("registry"),
            "read_report",
            {"new_sites": version.sealed["new_sites"]},
            subject_kind="report",
            subject_ref=f"{company.ref}/{report.year}/v{version.number}",
            company=company.ref,
            purpose="register the new sites of reports waiting",
        )
        if not isinstance(opened["new_sites"], list):
            return []  # shredded since (a tampered value raised an integrity failure in the filter)
        return [DescribedSite.from_dict(d) for d in opened["new_sites"]]

    def _existing_site_for_row(self, public_id: str, kind: SiteKind) -> str:
        """One read of the store for a site that was never merged (``in``, then ``current_site_id``,
        then ``site`` read it three times)."""
        site = self._get_or_none(self.site_aggregate_id(public_id))
        if not isinstance(site, ProductionSite):
            raise ValidationError("site_id", "no production site with this id in the registry")
        current = self._surviving(site)
        if current.kind != kind:
            raise ValidationError("site_kind", "does not match the kind of the site with this id")
        return current.public_id

    def report(self, company_ref: str, year: int) -> SupplyChainReport:
        company = self.company(company_ref)
        return self._get(SupplyChainReport.create_id(company.id, year), "report")

    def reports_awaiting_assessment(self, today: dt.date) -> list[ReportAwaitingAssessment]:
        """Reports whose latest version is submitted and not yet assessed, the longest waiting first."""
        return self._assessment_queue.awaiting(today)

    @functools.cached_property
    def _assessment_queue(self) -> AssessmentQueue:
        return AssessmentQueue(self)

    def assess_report(
        self,
        company_ref: str,
        year: int,
        due_diligence_score: Decimal,
        assessed_on: dt.date,
        assessed_by: str,
        version: int | None = None,
        before_write: Callable[[], None] = lambda: None,
    ) -> AssessmentRecord:
        """The secretariat's score in; the level (art. 5 lid 6) from it and the latest version's insight
        percentages, and the next assessment's date and kind (lid 9), out. ``version``, when given, is
        the version the assessor read: a later one submitted meanwhile is a conflict, not assessed
        unread. ``before_write`` runs once every check has passed (a use case logs its grant there)."""
        company = self.company(company_ref)
        report = self._get(SupplyChainReport.create_id(company.id, year), "report")
        if report.latest is None:
            raise ConflictError("the report has no submitted version to assess")
        latest = report.latest.number
        if version is not None and version != latest:
            raise ConflictError(
                f"version {version} is not the report's latest submitted version: version {latest} is;"
                " read it before assessing"
            )
        if report.status == ReportStatus.ASSESSED:
            raise ConflictError(f"version {latest} of this report is assessed already")
        if report.status == ReportStatus.DRAFT:
            raise ConflictError("the company has a draft in progress: assess once it is submitted")
        period = company.period_on(assessed_on) or company.periods[-1]
        quarry, factory = report.latest.quarry_insight, report.latest.factory_insight
        score = checked_score(due_diligence_score)
        level = level_for(quarry, factory, score)
        this_kind = self._announced_kind(company.id, year) or "full"
        next_due, next_kind = next_assessment(assessed_on, level, period.size, this_kind)
        record = AssessmentRecord(
            version=report.latest_version.number,
            quarry_insight=quarry,
            factory_insight=factory,
            due_diligence_score=score,
            level=level,
            assessed_on=assessed_on,
            next_due=next_due,
            next_kind=next_kind,
            assessed_by=assessed_by,
        )
        report.record_assessment(record)
        before_write()
        self.save(report)
        return record

    def _announced_kind(self, company_id: uuid.UUID, year: int) -> str | None:
        """The kind the year before's assessment announced for ``year``'s (art. 5 lid 9).

        Only the year before: ``year``'s own records announce the kind of the year after, so a
        re-assessment of a corrected version of ``year`` keeps the kind of its first assessment."""
        report_id = SupplyChainReport.create_id(company_id, year - 1)
        if self._exists(report_id):
            records: list[AssessmentRecord] = self.repository.get(report_id).assessments
            if records:
                return records[-1].next_kind
        return None

    # --- accounts ----------------------------------------------------------------------------

    def create_account(
        self,
        login: str,
        role: Role,
        organisation_ref: str,
        display_name: str,
        password_hash: str,
        totp_secret: str | None,
        before_write: Callable[[], None] = lambda: None,
    ) -> uuid.UUID:
        """A new login. ``before_write`` runs once every check has passed (the admin route logs
        its grant there, so a refused creation leaves no granted entry)."""
        login = validate_login(login)
        account_id = UserAccount.create_id(login)
        if self._exists(account_id):
            raise ConflictError("that login is taken")
        organisation = self.organisation(organisation_ref)
        role = check_role_fits(role, organisation.kind)
        account = UserAccount(
            login=login,
            role=role,
            organisation_id=organisation.id,
            display_name=display_name,
            password_hash=password_hash,
            totp_secret=totp_secret,
        )
        before_write()
        self.save(account)
        return account_id

    def account(self, login: str) -> UserAccount:
        return self._get(UserAccount.create_id(validate_login(login)), "account")

    def accounts_of(self, organisation_ref: str) -> list[UserAccount]:
        """The organisation's logins, by login (active or not). Found like ``organisations``."""
        organisation_id = self.organisation(organisation_ref).id
        accounts: list[UserAccount] = [
            self.repository.get(account_id) for account_id in self._originators(UserAccount.Created)
        ]
        return sorted((a for a in accounts if a.organisation_id == organisation_id), key=lambda a: a.login)

    def disable_account(self, login: str, reason: str, before_write: Callable[[], None] = lambda: None) -> None:
        """The login can no longer log in, and a session it holds is refused on its next request
        (``keys/logins/auth.py`` asks whether the account is active on every request)."""
        account = self.account(login)
        if not account.active:
            raise ConflictError("the account is disabled already")
        account.deactivate(reason=reason)
        before_write()
        self.save(account)

    def reset_second_factor(
        self, login: str, totp_secret: str, before_write: Callable[[], None] = lambda: None
    ) -> None:
        """A new TOTP secret (sealed like the first): the old one's codes stop working."""
        account = self.account(login)
        account.reset_second_factor(totp_secret)
        before_write()
        self.save(account)

    def totp_secret_for(self, login: str) -> str | None:
        """The account's TOTP secret, for checking a login's second factor only.

        Sealed at rest; opened through the filter by the authentication system principal.
        """
        account = self.account(login)
        opened = self.vault.open(
            self.vault.system_principal("authentication"),
            "read_credential",
            {"totp_secret": account.totp_secret},
            subject_kind="account",
            subject_ref=login,
            purpose="second factor check",
        )
        return opened["totp_secret"]

    # --- declarations ------------------------------------------------------------------------
    # A signed confidentiality declaration per person (docs/lifecycles.md): a ``Declaration``
    # aggregate per signature, listed in a ``DeclarationRegister`` per account (id derived from the
    # account id) and in the registry-wide ``DeclarationIndex``, saved together; its signed document,
    # where kept, is a ``DeclarationDocument`` sealed under the organisation's data key. Rights tied
    # to a signature ask ``valid_declaration``. Access is decided by registry/usecases/declarations.py.

    def record_declaration(
        self,
        login: str,
        document_title: str,
        document_version: str,
        document_sha256: str,
        signed_on: dt.date,
        valid_until: dt.date,
    ) -> uuid.UUID:
        """Record that the account's holder signed this document version, without keeping the
        document (fixtures, the demo); returns its id. The secretariat records with the document."""
        account = self.account(login)
        declaration = Declaration.sign(
            account_id=account.id,
            organisation_id=account.organisation_id,
            document_title=document_title,
            document_version=document_version,
            document_sha256=document_sha256,
            signed_on=signed_on,
            valid_until=valid_until,
            signer_role=account.role,
        )
        self._save_new_declaration(account, declaration, None)
        log.info("declaration recorded: login=%s version=%s", account.login, declaration.document_version)
        return declaration.id

    def record_signed_declaration(
        self,
        login: str,
        document_title: str,
        document_version: str,
        signed_on: dt.date,
        valid_until: dt.date,
        document: bytes,
        before_write: Callable[[], object] = lambda: None,
    ) -> uuid.UUID:
        """Record a signed declaration with its document (a PDF or image): the document is sealed
        under the organisation's data key, its SHA-256 is computed here and kept in clear. Every
        check runs before ``before_write`` (where the use case logs its grant)."""
        account = self.account(login)
        declaration = Declaration.sign(
            account_id=account.id,
            organisation_id=account.organisation_id,
            document_title=document_title,
            document_version=document_version,
            document_sha256=hashlib.sha256(document).hexdigest(),
            signed_on=signed_on,
            valid_until=valid_until,
            signer_role=account.role,
        )
        kept = DeclarationDocument.keep(declaration.id, account.organisation_id, document)
        declaration.keep_document(media_type=kept.media_type)
        before_write()
        self._save_new_declaration(account, declaration, kept)
        log.info("declaration recorded: login=%s version=%s", account.login, declaration.document_version)
        return declaration.id

    def _save_new_declaration(
        self, account: UserAccount, declaration: Declaration, document: DeclarationDocument | None
    ) -> None:
        """The declaration, its document, the account's register and the index, in one save; a
        record at the same moment conflicts on the index, and this one is saved again on top of it."""
        organisation_ref: str = self.repository.get(account.organisation_id).ref
        events = [*declaration.collect_events(), *(document.collect_events() if document is not None else [])]
        for _attempt in range(_CONFLICT_ATTEMPTS):
            register = self._declaration_register(account.id)
            register.add(declaration_id=declaration.id)
            index = self.declaration_index()
            index.add(
                IndexEntry(
                    declaration_id=declaration.id,
                    login=account.login,
                    organisation_id=account.organisation_id,
                    organisation_ref=organisation_ref,
                    signed_on=declaration.signed_on,
                    valid_until=declaration.valid_until,
                )
            )
            try:
                self.save(register, index, *events)
            except VersionConflictError:
                continue
            return
        raise ConflictError("too many declarations recorded at once: please try again")

    def revoke_declaration(
        self,
        declaration_id: uuid.UUID,
        on: dt.date,
        reason: str,
        before_write: Callable[[], object] = lambda: None,
        today: dt.date | None = None,
    ) -> Declaration:
        """``today``: the services' clock (the use case's); the calendar's when not given."""
        declaration = self.declaration(declaration_id)
        # in memory: 409 once revoked, 422 for the input (a day after today included)
        declaration.revoke(on=on, reason=reason, today=today or dt.date.today())
        before_write()
        events = declaration.collect_events()
        for _attempt in range(_CONFLICT_ATTEMPTS):
            index = self.declaration_index()
            index.revoke(declaration_id=declaration.id, on=on)
            try:
                self.save(index, *events)
            except VersionConflictError:
                if self.declaration(declaration_id).revoked_on is not None:
                    raise ConflictError("the declaration has been revoked already") from None
                continue  # someone changed the index meanwhile: on top of theirs
            return declaration
        raise ConflictError("too many declarations changed at once: please try again")

    def declaration(self, declaration_id: uuid.UUID | str) -> Declaration:
        try:
            wanted = declaration_id if isinstance(declaration_id, uuid.UUID) else uuid.UUID(str(declaration_id))
        except ValueError:
            raise NotFoundError("no declaration with that reference") from None
        declaration = self._get_or_none(wanted)
        if not isinstance(declaration, Declaration):
            raise NotFoundError("no declaration with that reference")
        return declaration

    def declaration_document(self, declaration_id: uuid.UUID) -> DeclarationDocument:
        document = self._get_or_none(DeclarationDocument.create_id(declaration_id))
        if not isinstance(document, DeclarationDocument):
            raise NotFoundError("no document is on file for this declaration")
        return document

    def declarations(self, login: str) -> list[Declaration]:
        """The account's declarations, oldest first (valid or not)."""
        account = self.account(login)
        register_id = DeclarationRegister.create_id(account.id)
        register: DeclarationRegister | None = self._get_or_none(register_id)
        if register is None:
            return []
        return [self.repository.get(declaration_id) for declaration_id in register.declaration_ids]

    def valid_declaration(self, login: str, day: dt.date) -> bool:
        """Whether any declaration of this account is valid on ``day``; a login with no account (a
        system reader's) has none. Asked for any person: the policy weighs the role."""
        try:
            declarations = self.declarations(login)
        except (NotFoundError, ValidationError):  # no account, or a name no login can have ("system:...")
            return False
        return any(declaration.is_valid_on(day) for declaration in declarations)

    def _declaration_register(self, account_id: uuid.UUID) -> DeclarationRegister:
        register_id = DeclarationRegister.create_id(account_id)
        return self._get_or_none(register_id) or DeclarationRegister(account_id=account_id)

    def declaration_index(self) -> DeclarationIndex:
        """Every declaration, for lists across accounts. A store of before (declarations recorded
        before the index existed) gets its index started with them, saved at once; a process that
        does so at the same moment as another loses on the save and reads the other's."""
        index = self._get_or_none(DeclarationIndex.ID)
        if index is not None:
            return index
        index = DeclarationIndex(entries=[entry.as_event_value() for entry in self._declarations_of_before()])
        try:
            self.save(index)
        except VersionConflictError:
            return self.repository.get(DeclarationIndex.ID)
        return index

    def _declarations_of_before(self) -> list[IndexEntry]:
        found = self._notified(get_topic(Declaration.Signed))  # type: ignore[attr-defined]  # an @event class, made by the library
        if not found:
            return []
        accounts = self._notified(get_topic(UserAccount.Created))
        logins = {event.originator_id: event.login for event in accounts}
        entries = []
        for signed in found:
            declaration: Declaration = self.repository.get(signed.originator_id)
            entries.append(
                IndexEntry(
                    declaration_id=declaration.id,
                    login=logins.get(declaration.account_id, str(declaration.account_id)),
                    organisation_id=declaration.organisation_id,
                    organisation_ref=self.repository.get(declaration.organisation_id).ref,
                    signed_on=declaration.signed_on,
                    valid_until=declaration.valid_until,
                    revoked_on=declaration.revoked_on,
                )
            )
        return entries

    def _notified(self, topic: str) -> list[Any]:
        """Every event of ``topic`` in the store, decoded (a one-time walk for a store of before)."""
        events: list[Any] = []
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(
                start=start, limit=1000, topics=(topic,), inclusive_of_start=start is None
            )
            events.extend(self.mapper.to_domain_event(notification) for notification in page)
            if len(page) < 1000:
                return events
            start = page[-1].id


def _once(action: Callable[[], None]) -> Callable[[], None]:
    """``action`` the first time only: a command redone after a lost race logs its grant once."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return run


def _content_or_gone(opened: dict[str, Any]) -> ReportContent:
    """Opened fields that are not lists could not be decrypted: shredded (or tampered with)."""
    if not all(isinstance(value, list) for value in opened.values()):
        raise GoneError("this report's confidential content can no longer be read")
    return ReportContent.from_event_fields(**opened)


class _ResolvedDescriptions:
    """A report's described sites, each resolved once: a report names the same site in many rows.

    A row whose description (kind, name, place, coordinates) was resolved before in this report
    gets the same answer without asking the catalogue again, as long as the buckets that answer was
    read from are as they were (``SiteCatalogue.state``: a new site of the same district described
    by a row in between may change it, and then the row is decided again). Only certain answers are
    reused, which change nothing: such a row is what a row resolved again would give. A new site is
    certain for its next row when the description has coordinates or a district (``compare``: the
    same name at the same place, or in the same named district); one with neither is held as a
    possible duplicate of itself, so each of its rows is decided again, as it always was."""

    def __init__(self, catalogue: SiteCatalogue, scratch: Pending, rows: Sequence[Any]):
        self._catalogue = catalogue
        self._scratch = scratch
        self._known: dict[tuple, tuple[SiteRegistration, tuple, tuple]] = {}  # description -> answer
        # only a description named in more than one row is worth remembering
        counts = Counter(self._key(row) for row in rows if row.new_site is not None and row.site_id is None)
        self._repeated = {key for key, count in counts.items() if count > 1}

    @staticmethod
    def _key(row: Any) -> tuple:
        ns = row.new_site
        return (row.site_kind, ns.name, ns.country, ns.province, ns.district, ns.latitude, ns.longitude)

    def _state(self, row: Any, where: tuple) -> tuple:  # noqa: ARG002 - the signature the caller expects
        return self._catalogue.state(self._scratch, *where)

    def get(self, row: Any) -> SiteRegistration | None:
        known = self._known.get(self._key(row))
        if known is None or self._state(row, known[1]) != known[2]:
            return None
        return known[0]

    def remember(self, row: Any, region: RegionPath, registration: SiteRegistration) -> None:
        ns = row.new_site
        key = self._key(row)
        if key not in self._repeated:
            return
        district_key = _folded(region.district)
        if registration.verdict != MatchVerdict.CERTAIN and not (ns.latitude is not None or district_key):
            return
        where = (region.country, region.province, SiteKind(row.site_kind).value, district_key)
        certain = SiteRegistration(registration.public_id, MatchVerdict.CERTAIN)
        self._known[key] = (certain, where, self._state(row, where))


@functools.lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """``fold``, remembered: the same districts are named row after row, report after report."""
    return fold(text)


@functools.lru_cache(maxsize=65536)
def _region(country: str, province: str, district: str) -> RegionPath:
    """``RegionPath.create``, remembered (public geography; a refusal is raised again each time)."""
    return RegionPath.create(country, province, district)


def _row_column(field: str) -> str:
    """Map a domain field name onto the report file's column name."""
    return {
        "name": "site_name",
        "country": "country",
        "province": "province",
        "district": "district",
        "latitude": "latitude",
        "longitude": "longitude",
    }.get(field, field)


def _described(site: ProductionSite) -> DescribedSite:
    """A new site as a report keeps it until it is registered (normalised as the register would)."""
    return DescribedSite(
        public_id=site.public_id,
        kind=site.kind.value,
        name=site.name,
        country=site.region.country,
        province=site.region.province,
        district=site.region.district,
        address=site.address,
        latitude=site.coordinates.latitude if site.coordinates else None,
        longitude=site.coordinates.longitude if site.coordinates else None,
        stone_types=tuple(site.stone_types),
    )
