"""The grievance application: filing, the lifecycle, matching through the filter, the company side.

Every command takes the principal who asks. The facts about the case (whose case it is, whether the
committee has it, whether the secretariat is a party) come from the use cases' gatherer
(grievance/usecases/facts.py, handed in as ``facts``); the command asks the vault to decide and log
(the policy decides, the access log records, granted or denied), and only then acts. Sealed case
fields opened by a command (matches, notices, the names a ruling must not contain) are opened only
through the vault's filter; each opening is an access-log entry with purpose "grievance case N".
Reading a case as a role may see it is a use case (grievance/usecases/cases.py), not a command here.

Every command follows one order, so that a refused request reads nothing confidential and leaves no
granted access-log entry (issue 10):
1. the case exists (404), and the policy decides (403, logged as denied; a grant is not logged yet);
2. everything that can be checked without a confidential read: the input (422) and the lifecycle
   (409). A command that needs no read runs on the aggregate in memory here; one that needs a read
   first (match, notify) asks the stage table whether its step may follow (``_begin``);
3. the grant is logged and the sealed fields are opened (or, with nothing to open, logged just
   before the save);
4. the aggregate is saved.
The one refusal that must come after a read is a ruling whose published summary names a party: the
names it is checked against are sealed.

Returns are references and plain dicts, never aggregates to mutate (``case`` is for the use cases,
which read it).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
import random
import secrets
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from eventsourcing.domain import Aggregate

from grievance.domain.case import (
    CONFIDENTIAL_EVENTS,
    CaseLookup,
    CaseNumbers,
    CaseRegister,
    CaseType,
    CaseYears,
    GrievanceCase,
    MessageKind,
    first_stage,
    followup_key,
    reference_key,
    text,
)
from grievance.domain.deadlines import DEFAULT_LIMIT_DAYS, Deadline
from grievance.domain.filing import Filing, check_filing
from grievance.domain.stages import Stage, StaleStageError, Step, target_of
from keys.access.policy import Facts
from keys.encryption.sealing import SealedField
from registry.domain.clock import Clock, utc_now
from registry.domain.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from registry.sealed_application import SealedApplication, Vault, VersionConflictError

log = logging.getLogger("trustone.grievance")

_FOLLOWUP_OWNER = uuid.UUID("c0de5eed-4a1b-4c2d-8e3f-9a0b1c2d3e4f")  # the key that tags follow-up codes
_FOLLOWUP_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over a phone line
_RECIPIENT_PURPOSE = b"grievance-recipient"
_KEY_OWNERS = uuid.UUID("6a1f0c3e-2b7d-4e95-8c40-d3f2a9b1e7c5")  # namespace of companies' grievance keys
# How long a filing keeps drawing a new number while other server processes draw the same one.
_FILING_PATIENCE_SECONDS = 30.0

# Steps of the secretariat; every committee-phase step is the committee's.
_SECRETARIAT_STEPS = frozenset(
    {
        Step.ACKNOWLEDGE,
        Step.DECLARE_INADMISSIBLE,
        Step.AGREE_REMEDIATION,
        Step.MONITOR_REMEDIATION,
        Step.RESOLVE,
        Step.CLOSE,
    }
)
_COMMITTEE_STEPS = frozenset(
    {Step.ADMIT, Step.SCHEDULE_HEARING, Step.SEND_REMINDER, Step.PROPOSE_MEMBERSHIP_END, Step.RECORD_COMPLIANCE}
)


class Directory(Protocol):
    """What the grievance side needs from the registry: organisations, sites, declarations."""

    def organisation(self, ref: str) -> Any: ...

    def site(self, public_id: str) -> Any: ...

    def current_site_id(self, public_id: str) -> str: ...

    def valid_declaration(self, login: str, day: dt.date) -> bool: ...


class CaseFactsOf(Protocol):
    """Gathers the facts the policy decides a case action on (grievance/usecases/facts.py): the
    application asks, at each point of its order (see the module docstring), and gathers none itself."""

    def about(self, principal: Any, case: GrievanceCase, today: dt.date) -> Facts: ...


# (principal, site ids, years, case reference, request id) -> {company ref: {"sites": [...], "years": [...]}}
BuyerResolver = Callable[[Any, list[str], list[int], str, str], dict[str, dict[str, list]]]


class GrievanceApplication(SealedApplication):
    name = "grievance"
    snapshotting_intervals: ClassVar = {CaseNumbers: 20}  # holds one integer: reloaded from a snapshot
    confidential_events: ClassVar = CONFIDENTIAL_EVENTS

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        vault: Vault,
        directory: Directory,
        facts: CaseFactsOf,
        clock: Clock = utc_now,
        limits: Mapping[Deadline, int] = DEFAULT_LIMIT_DAYS,
    ):
        self.directory = directory
        self.facts = facts
        self.clock = clock
        self.limits = dict(limits)
        # Filings in this process draw numbers one at a time (the store writes one at a time anyway),
        # so they never conflict with each other; only another process can draw the same number.
        self._filing = threading.Lock()
        super().__init__(env=env, vault=vault)

    def conflict_message(self, objs: tuple[Any, ...]) -> str:
        """A lost race on a case names the case: its reference is what the user acted on."""
        case = next((obj for obj in objs if isinstance(obj, GrievanceCase)), None)
        if case is None:
            return super().conflict_message(objs)
        return (
            f"case {case.reference} was changed by someone else at the same time: this step was not saved; "
            "reload the case and try again"
        )

    # --- lookups ------------------------------------------------------------------------------

    def _legacy_register(self) -> CaseRegister:
        """The register of earlier versions (grievance/domain/case.py), empty in a newer store."""
        return self._get_or_none(CaseRegister.ID) or CaseRegister()

    def _case_id(self, key: str) -> uuid.UUID | None:
        lookup = self._get_or_none(CaseLookup.create_id(key))
        return lookup.case_id if lookup is not None else None

    def case(self, reference: str) -> GrievanceCase:
        reference = (reference or "").strip().upper()
        case_id = self._case_id(reference_key(reference)) or self._legacy_register().by_reference.get(reference)
        if case_id is None:
            raise NotFoundError(f"no grievance case {reference}")
        return self.repository.get(case_id)

    def references(self) -> list[str]:
        years: CaseYears | None = self._get_or_none(CaseYears.ID)
        numbered: list[str] = []
        for year in years.years if years else ():
            numbers: CaseNumbers = self.repository.get(CaseNumbers.create_id(year))
            numbered.extend(numbers.references())
        return sorted({*self._legacy_register().by_reference, *numbered})

    def recipient_tag(self, company_id: uuid.UUID) -> str:
        """A company's keyed tag on notices and disputes: without the keyring it names no one."""
        return recipient_tag_of(self.vault, company_id)

    def key_owner_for(self, company_id: uuid.UUID) -> uuid.UUID:
        """The owner of a company's grievance key: derived from its keyed tag, so it names no one,
        and shredding the company (keys/encryption/administration.py) can find and destroy it."""
        return key_owner_of_tag(self.recipient_tag(company_id))

    def _facts(self, principal: Any, case: GrievanceCase) -> dict[str, bool]:
        """The facts for the vault (which takes them by name), as the use cases' gatherer finds them."""
        return dataclasses.asdict(self.facts.about(principal, case, self.clock().date()))

    def _audit(self, case: GrievanceCase, request_id: str, company: str | None = None) -> dict[str, Any]:
        return {
            "subject_kind": "grievance_case",
            "subject_ref": case.reference,
            "company": company,
            "purpose": f"grievance case {case.reference}",
            "request_id": request_id,
        }

    def _check(self, principal: Any, action: str, case: GrievanceCase, request_id: str) -> dict[str, bool]:
        """Step 1 (see the module docstring): the policy decides; a denial is logged and raised, a
        grant is logged later by ``_authorise``/``_open``. Returns the facts, for that later grant:
        decided on the case as it was before the command changed it in memory."""
        facts = self._facts(principal, case)
        self.vault.check(principal, action, facts=facts, **self._audit(case, request_id))
        return facts

    def _begin(
        self, principal: Any, reference: str, action: str, step: Step, request_id: str
    ) -> tuple[GrievanceCase, dict[str, bool]]:
        """Steps 1 and 2 for a command that must read before it can run on the aggregate: the case,
        the policy, and the stage table's answer whether ``step`` may follow (409 naming what may)."""
        case = self.case(reference)
        facts = self._check(principal, action, case, request_id)
        target_of(case.reference, case.stage, step)
        return case, facts

    def _authorise(
        self, principal: Any, action: str, case: GrievanceCase, request_id: str, facts: dict[str, bool] | None = None
    ) -> None:
        facts = self._facts(principal, case) if facts is None else facts
        self.vault.authorise(principal, action, facts=facts, **self._audit(case, request_id))

    def _open(
        self,
        principal: Any,
        action: str,
        case: GrievanceCase,
        fields: dict[str, Any],
        request_id: str,
        company: str | None = None,
        facts: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        facts = self._facts(principal, case) if facts is None else facts
        return self.vault.open(principal, action, fields, facts=facts, **self._audit(case, request_id, company))

    # --- filing ---------------------------------------------------------------------------------

    def file(self, principal: Any, filing: Filing, request_id: str = "") -> tuple[str, str]:
        """File a report (NGO/union party) or a dispute (also a company). Returns (reference,
        follow-up code). The code is shown once; only its keyed tag is stored."""
        now = self.clock()
        filing = check_filing(filing, now.date())
        audit: dict[str, Any] = {
            "subject_kind": "grievance_case",
            "purpose": "file a grievance",
            "request_id": request_id,
            "facts": {"is_dispute": CaseType(filing.case_type).is_dispute},
        }
        self.vault.check(principal, "file_grievance", **audit)
        self._check_filer(principal, filing)
        site_ids = [self._site_id(site_id, index) for index, site_id in enumerate(filing.site_ids)]
        country = filing.country or (site_ids[0][:2] if site_ids else None)
        parties, party_tags = self._parties(filing.parties)
        self.vault.authorise(principal, "file_grievance", **audit)
        draft = {
            "case_type": filing.case_type,
            "filer_ref": principal.organisation_ref,
            "filer_kind": str(principal.role),
            "site_ids": site_ids,
            "country": country,
            "region": filing.region,
            "themes": filing.themes,
            "observed_on": filing.observed_on,
            "language": filing.language,
            "reporter": filing.reporter.as_dict() if filing.reporter else None,
            "description": filing.description,
            "parties": parties,
            "party_tags": party_tags,
            "stage": first_stage(filing.case_type),
            "at": now,
            "actor": principal.login,
        }
        with self._filing:
            reference, code = self._number_and_save(draft, filing, now)
        log.info("grievance case %s filed (%s)", reference, CaseType(filing.case_type).value)
        return reference, code

    def _number_and_save(self, draft: dict[str, Any], filing: Filing, now: dt.datetime) -> tuple[str, str]:
        """Draw the year's next number and save the case with it and its two lookups in one commit:
        the number is used, or it was not drawn. When another server process drew the same number
        first, draw again after a short random wait (a bounded patience, then 409)."""
        give_up, attempt = time.monotonic() + _FILING_PATIENCE_SECONDS, 0
        while True:
            code = _new_followup_code()  # a new one each time: its lookup is created by the same save
            numbers, first_of_year = self._numbers(now.year)
            case = GrievanceCase(reference=numbers.draw(), followup_tag=self._followup_tag(code), **draft)
            for attachment in filing.attachments:
                case.add_evidence(
                    attachment.media_type,
                    len(attachment.content),
                    {"filename": attachment.filename, "content": base64.b64encode(attachment.content).decode("ascii")},
                    at=now,
                    actor=draft["actor"],
                )
            lookups = (
                CaseLookup(key=reference_key(case.reference), case_id=case.id),
                CaseLookup(key=followup_key(case.followup_tag), case_id=case.id),
            )
            try:
                self.save(numbers, *first_of_year, case, *lookups)
            except VersionConflictError:
                if time.monotonic() > give_up:
                    raise ConflictError("too many filings at once: please try again") from None
                time.sleep(random.uniform(0, min(0.02 * 2**attempt, 0.5)))  # noqa: S311 - not for security
                attempt += 1
                continue
            return case.reference, code

    def _numbers(self, year: int) -> tuple[CaseNumbers, tuple[Aggregate, ...]]:
        """The year's sequence of case numbers; a new year's comes with its entry in the list of
        years, and continues after the last number the earlier register drew that year."""
        numbers = self._get_or_none(CaseNumbers.create_id(year))
        if numbers is not None:
            return numbers, ()
        years = self._get_or_none(CaseYears.ID) or CaseYears()
        if year not in years.years:
            years.add(year)
        return CaseNumbers(year=year, last=self._legacy_register().last_number.get(str(year), 0)), (years,)

    @staticmethod
    def _check_filer(principal: Any, filing: Filing) -> None:
        role, case_type = str(principal.role), filing.case_type
        if role == "company" and filing.site_ids:
            # the filer is in clear on the case; with a site next to it, it would say who buys there
            raise ValidationError(
                "site_ids",
                "a company's dispute names no production site here: describe it in the description, which is sealed",
            )
        if case_type == CaseType.DISPUTE_WITH_SECRETARIAT and role != "company":
            raise ValidationError("case_type", "a dispute with the secretariat is filed by a member company")

    def _site_id(self, site_id: str, index: int) -> str:
        try:
            return self.directory.current_site_id(site_id)
        except (NotFoundError, ValidationError):
            raise ValidationError(f"site_ids[{index + 1}]", "no production site with this id") from None

    def _parties(self, refs: list[str]) -> tuple[list[str], list[str]]:
        tags = []
        for index, ref in enumerate(refs):
            try:
                company = self.directory.organisation(ref)
            except NotFoundError:
                company = None
            if company is None or not company.is_company:
                raise ValidationError(f"parties[{index + 1}]", "not a member company's reference")
            tags.append(self.recipient_tag(company.id))
        return refs, tags

    def _followup_tag(self, code: str) -> str:
        return self.vault.fingerprint(_FOLLOWUP_OWNER, _normalise_code(code).encode())

    def follow_up(self, code: str) -> dict[str, Any]:
        """What a local partner may see without a login: the stage and the dates, nothing else."""
        tag = self._followup_tag(code)
        case_id = self._case_id(followup_key(tag)) or self._legacy_register().by_followup_tag.get(tag)
        if case_id is None:
            raise NotFoundError("no case with this follow-up code")
        case: GrievanceCase = self.repository.get(case_id)
        return {
            "stage": case.stage.value,
            "filed_on": case.filed_at.date().isoformat(),
            "stages": [{"stage": stage.value, "on": at.date().isoformat()} for stage, at in case.stage_dates()],
        }

    # --- the secretariat's and the committee's steps -------------------------------------------

    def advance(
        self,
        principal: Any,
        reference: str,
        step: Step | str,
        reason: str,
        request_id: str = "",
        outcome: Stage | None = None,
        hearing_on: dt.date | None = None,
        seen_stage: Stage | str | None = None,
    ) -> str:
        """One step without data of its own. ``seen_stage``: the stage the user saw when choosing
        the step; when the case has left it meanwhile, 409 and nothing is recorded (a step taken by
        someone else between the two is not silently built upon). Two steps saved at once on the
        same version: the store refuses the second (``VersionConflictError``, also 409)."""
        step = Step(step)
        case = self.case(reference)
        action = self._action_for(case, step)
        facts = self._check(principal, action, case, request_id)
        if seen_stage is not None and case.stage != Stage(seen_stage):
            raise StaleStageError(case.reference, case.stage, Stage(seen_stage))
        reason = text(reason, "reason", 4000)
        stage = case.advance(step, principal.login, reason, self.clock(), outcome, hearing_on)  # in memory
        self._authorise(principal, action, case, request_id, facts)
        self.save(case)
        return stage.value

    @staticmethod
    def _action_for(case: GrievanceCase, step: Step) -> str:
        """Who takes a step is the policy's call; which action the step is, is decided here."""
        if step == Step.REFER_TO_COMMITTEE:
            return "refer_to_committee"
        if step in _COMMITTEE_STEPS or (step == Step.CLOSE and case.before_committee):
            return "record_committee_decision"
        if step in _SECRETARIAT_STEPS:
            return "manage_case"
        raise ValidationError("step", f"'{step.value}' has a command of its own")

    def admit(
        self,
        principal: Any,
        reference: str,
        admissible: bool,
        reason: str,
        request_id: str = "",
        seen_stage: Stage | str | None = None,
    ) -> str:
        return self.advance(
            principal,
            reference,
            Step.ADMIT,
            reason,
            request_id,
            outcome=Stage.ADMITTED if admissible else Stage.INADMISSIBLE,
            seen_stage=seen_stage,
        )

    def flag_systemic(
        self, principal: Any, reference: str, joint_project: str, reason: str, request_id: str = ""
    ) -> None:
        """Art. 6 lid 4d: a systemic problem, linked to a proposal for a joint project."""
        case = self.case(reference)
        facts = self._check(principal, "manage_case", case, request_id)
        case.flag_systemic(
            text(joint_project, "joint_project", 300), principal.login, text(reason, "reason", 4000), self.clock()
        )  # in memory
        self._authorise(principal, "manage_case", case, request_id, facts)
        self.save(case)

    def match(
        self,
        principal: Any,
        reference: str,
        site_ids: list[str],
        years: list[int] | None,
        reason: str,
        request_id: str = "",
        *,
        buyers: BuyerResolver,
    ) -> dict[str, Any]:
        """Link the case to production sites; which members bought there is resolved through the
        filter by ``buyers`` (one access-log entry per company found, purpose "grievance case N"),
        handed in by the use case that calls: the linked-list search is built after this
        application, since it is scoped to this application's committee cases. No buyer closes
        the case as not in member chains. Returns the stage and how many companies were found.

        A linked-list row that does not verify raises ``keys.access.filter.IntegrityError`` out of the
        buyer search, before anything is recorded: a case is never closed as not in member chains
        because a row was broken (a shredded company's rows are simply not in the answer)."""
        case, facts = self._begin(principal, reference, "manage_case", Step.MATCH, request_id)
        if not site_ids:
            raise ValidationError("site_ids", "at least one production site")
        sites = [self._site_id(site_id, index) for index, site_id in enumerate(dict.fromkeys(site_ids))]
        now = self.clock()
        years = sorted(set(years or self._default_years(case, now)))
        if any(not 2000 <= year <= now.year for year in years):
            raise ValidationError("years", f"report years between 2000 and {now.year}")
        reason = text(reason, "reason", 4000)
        self._authorise(principal, "manage_case", case, request_id, facts)
        found = buyers(principal, sites, years, case.reference, request_id)
        matches = []
        for ref in sorted(found):
            company_id = self.directory.organisation(ref).id
            matches.append(
                (
                    self.recipient_tag(company_id),
                    self.key_owner_for(company_id),
                    {"company": ref, "sites": sorted(found[ref]["sites"]), "years": sorted(found[ref]["years"])},
                )
            )
        stage = case.match(sites, years, matches, principal.login, reason, now)
        self.save(case)
        return {"stage": stage.value, "companies_found": len(matches)}

    @staticmethod
    def _default_years(case: GrievanceCase, now: dt.datetime) -> list[int]:
        """The year observed and the year before: the reports that cover the time of the abuse."""
        year = (case.observed_on or now.date()).year
        return [year - 1, year]

    def notify_companies(
        self, principal: Any, reference: str, allegation: str, reason: str = "companies notified", request_id: str = ""
    ) -> int:
        """Each matched company gets its own notice: the site(s) and the allegation (written by the
        secretariat for companies, so the reporter's words and names stay in the case), never another
        company. E-mails follow from the committed events (the outbox). Returns the number notified."""
        case, facts = self._begin(principal, reference, "notify_companies", Step.NOTIFY_COMPANIES, request_id)
        allegation = text(allegation, "allegation", 4000, shortest=10)
        reason = text(reason, "reason", 4000)
        opened = self._open(principal, "notify_companies", case, _matched_fields(case), request_id, facts=facts)
        now = self.clock()
        respond_by = (now + dt.timedelta(days=self.limits[Deadline.FIRST_RESPONSE])).date()
        notices = []
        for entry, match in zip(case.matched, opened.values(), strict=True):
            if not isinstance(match, dict):
                continue  # the company was shredded since matching: nobody left to notify
            company = self.directory.organisation(match["company"])
            notices.append(
                (
                    entry["recipient_tag"],
                    {
                        "company": company.ref,
                        "company_name": company.name,
                        "reference": case.reference,
                        "sites": [self._site_summary(site_id) for site_id in match["sites"]],
                        "years": match["years"],
                        "themes": [theme.value for theme in case.themes],
                        "allegation": allegation,
                        "respond_by": respond_by.isoformat(),
                    },
                )
            )
        case.notify_companies(notices, principal.login, reason, now)
        self.save(case)
        return len(notices)

    def _site_summary(self, site_id: str) -> dict[str, str]:
        site = self.directory.site(site_id)
        return {
            "site_id": site_id,
            "name": site.name,
            "kind": site.kind.value,
            "district": site.region.district,
            "province": site.region.province,
            "country": site.region.country,
        }

    # --- the company side -------------------------------------------------------------------------

    def company_writes(
        self, principal: Any, reference: str, kind: MessageKind | str, message: str, request_id: str = ""
    ) -> str:
        """A notified company responds, proposes remediation or reports progress."""
        case = self.case(reference)
        facts = self._check(principal, "respond_to_case", case, request_id)
        stage = case.company_writes(
            self.recipient_tag(principal.organisation_id),
            MessageKind(kind),
            {"company": principal.organisation_ref, "text": text(message, "message", 10_000)},
            principal.login,
            self.clock(),
        )  # in memory
        self._authorise(principal, "respond_to_case", case, request_id, facts)
        self.save(case)
        return stage.value

    # --- the committee's ruling -------------------------------------------------------------------

    def rule(
        self,
        principal: Any,
        reference: str,
        ruling: str,
        compliance_deadline: dt.date,
        published_summary: str,
        reason: str = "ruling",
        request_id: str = "",
        parts: Sequence[tuple[str, str]] = (),
    ) -> str:
        """A binding ruling, recorded as each reader's own copy (issue 11, channel 4).

        ``ruling`` is the general text that every party reads (the filer, each notified company,
        each party to a dispute): it must name no company and not the reporter. ``parts`` are
        (company reference, text) pairs: what the ruling says to that company, sealed with its
        grievance key and read by it alone (and by the committee and the secretariat); a part
        names no other company and not the reporter. ``published_summary`` is the anonymised text
        that is published: it names no party, no company and not the reporter."""
        case = self.case(reference)
        facts = self._check(principal, "record_committee_decision", case, request_id)
        summary = text(published_summary, "published_summary", 4000, shortest=20)
        general = text(ruling, "ruling", 20_000)
        addressed = self._addressees(case, parts)
        names = {"reporter": case.reporter, "parties": case.parties, **_matched_fields(case)}
        stage = case.rule(
            general,
            compliance_deadline,
            summary,
            principal.login,
            text(reason, "reason", 4000),
            self.clock(),
            parts=[(tag, owner, part) for tag, owner, part in addressed],
        )  # in memory: the stage, the dates and the parts
        # The names the texts must not contain are sealed: this check alone comes after a read.
        opened = self._open(principal, "record_committee_decision", case, names, request_id, facts=facts)
        if case.filer_kind == "company":
            opened["filer"] = case.filer_ref  # a company's own dispute: it is a party too
        companies, reporter = self._names(opened)
        everyone = reporter.union(*companies.values())
        if _names_any(summary, everyone):
            raise ValidationError("published_summary", "names a party, a company or the reporter: anonymise it")
        for _, _, part in addressed:  # an addressed company whose match was shredded since is still named
            if part["company"] not in companies:
                company = self.directory.organisation(part["company"])
                companies[company.ref] = {company.ref, company.name}
                everyone |= companies[company.ref]
        if _names_any(general, everyone):
            raise ValidationError(
                "ruling",
                "every party reads the general text: it must name no company and not the "
                "reporter; address a company in a part of its own",
            )
        for index, (_, _, part) in enumerate(addressed):
            others = reporter.union(*(names for ref, names in companies.items() if ref != part["company"]))
            if _names_any(part["text"], others):
                raise ValidationError(
                    f"parts[{index + 1}].text",
                    "names another company or the reporter: a part is read by its company only",
                )
        self.save(case)
        return stage.value

    def _addressees(
        self, case: GrievanceCase, parts: Sequence[tuple[str, str]]
    ) -> list[tuple[str, uuid.UUID, dict[str, str]]]:
        """Each part's company checked (a company notified of the case, a party to the dispute or the
        company that filed it; once), with its recipient tag and the owner of its grievance key."""
        addressed: list[tuple[str, uuid.UUID, dict[str, str]]] = []
        for index, (ref, words) in enumerate(parts):
            field = f"parts[{index + 1}]"
            company = self._company_or_none(ref)
            tag = self.recipient_tag(company.id) if company is not None else None
            in_case = tag is not None and (
                case.notice_for(tag) is not None
                or tag in case.party_tags
                or (case.filer_kind == "company" and company.ref == case.filer_ref)
            )
            if not in_case:
                raise ValidationError(f"{field}.company", "not a company notified of this case or party to it")
            assert tag is not None  # in_case holds only for a company's tag
            if any(tag == earlier for earlier, _, _ in addressed):
                raise ValidationError(f"{field}.company", "this company already has a part")
            addressed.append(
                (
                    tag,
                    self.key_owner_for(company.id),
                    {"company": company.ref, "text": text(words, f"{field}.text", 20_000)},
                )
            )
        return addressed

    def _company_or_none(self, ref: str) -> Any:
        try:
            company = self.directory.organisation(ref)
        except (NotFoundError, ValidationError):
            return None
        return company if company is not None and company.is_company else None

    def _names(self, opened: dict[str, Any]) -> tuple[dict[str, set[str]], set[str]]:
        """From the opened case fields: each company of the case (parties, matched companies, a
        filing company) -> its reference and name; and the reporter's name and organisation."""
        reporter: set[str] = set()
        if isinstance(opened.get("reporter"), dict):
            reporter = {opened["reporter"].get("name", ""), opened["reporter"].get("organisation", "")}
        refs = list(opened.get("parties") or []) + [
            match["company"] for name, match in opened.items() if name.startswith("match_") and isinstance(match, dict)
        ]
        refs += [opened["filer"]] if opened.get("filer") else []
        companies = {}
        for ref in refs:
            company = self.directory.organisation(ref)
            companies[company.ref] = {company.ref, company.name}
        return companies, reporter

    def before_committee_with(self, company_ref: str, company_id: uuid.UUID) -> bool:
        """An open case before the committee that this company is part of: a dispute it filed or
        is named in, or a referred complaint it was notified of. Such a company cannot withdraw
        (Verklaring D), and its reports are part of the committee's case file."""
        tag = self.recipient_tag(company_id)
        for case in self._open_committee_cases():
            notified = any(notice["recipient_tag"] == tag for notice in case.notices)
            if tag in case.party_tags or case.filer_ref == company_ref or notified:
                return True
        return False

    def sites_before_committee(self) -> set[str]:
        """The sites of open cases before the committee: its linked-list view is scoped to these."""
        return {site_id for case in self._open_committee_cases() for site_id in case.site_ids}

    def _open_committee_cases(self) -> list[GrievanceCase]:
        cases = [self.case(reference) for reference in self.references()]
        return [case for case in cases if case.is_open and case.before_committee]


def recipient_tag_of(vault: Vault, company_id: uuid.UUID) -> str:
    """A company's keyed tag on notices and disputes (a fingerprint under the company's key)."""
    return vault.fingerprint(company_id, _RECIPIENT_PURPOSE)


def key_owner_of_tag(recipient_tag: str) -> uuid.UUID:
    """The owner of the grievance key that seals what is addressed to the company with this keyed tag."""
    return uuid.uuid5(_KEY_OWNERS, recipient_tag)


def addressed(entry: Mapping[str, Any], field: str) -> Any:
    """A company's sealed part of a case (its match, notice, message or ruling part), to be opened only
    as addressed to the company its ``recipient_tag`` names.

    Why: the tag is in clear next to the sealed value (in the event and in the case view), and it is
    what decides whose inbox, case file and messages the value appears in. The event's own
    ``key_owner`` attribute is in clear too, so a writer to the database could change both apart from
    the value. Deriving the owner from the tag binds the two: a value re-addressed to another
    company's tag is under another owner's key, does not open, and the filter refuses the read as an
    integrity failure instead of showing one company's notice to another.
    """
    value = entry[field]
    if isinstance(value, SealedField):
        return dataclasses.replace(value, owner=str(key_owner_of_tag(entry["recipient_tag"])))
    return value


def _matched_fields(case: GrievanceCase) -> dict[str, Any]:
    return {f"match_{index}": addressed(entry, "match") for index, entry in enumerate(case.matched)}


def _names_any(words: str, names: set[str]) -> bool:
    """Whether a text names any of these (a name of three letters or digits or more), however it is
    written: in any case, with other spaces, hyphens or none (``Eigen Steen BV``, ``eigen-steen``,
    ``EigenSteen\u00a0BV``), in full-width letters."""
    folded = _letters(words)
    return any(len(_letters(name)) > 2 and _letters(name) in folded for name in names if name)


def _letters(words: str) -> str:
    """Letters and digits only, compatibility-normalised and case-folded: how a name is compared."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", words).casefold() if ch.isalnum())


def _new_followup_code() -> str:
    raw = "".join(secrets.choice(_FOLLOWUP_ALPHABET) for _ in range(16))  # 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())
