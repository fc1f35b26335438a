"""Yearly supply-chain reports (art. 5 lid 2b): links to sites, commercial terms, questionnaire, plan.

A report is per company per year. Each submission is a new *version*; a corrected re-submission
supersedes the previous one and the history stays. Submitting content identical to the latest
version records nothing, which makes re-importing the same file idempotent.

Confidentiality: the link list, commercial terms, questionnaire and action plan travel in the event
as separate named attributes (``CONFIDENTIAL_FIELDS``) that ``keys/`` seals with the company's data
key on the way into the store. Read back, they are opaque values (``ReportVersion.sealed``) until the
filter opens them; so the domain keeps what it needs to decide in clear: the keyed content digest
(idempotent re-submission) and the insight percentages (published anyway, art. 5 lid 12).
Nothing confidential is in the aggregate id or the event topics.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.sites import SiteKind

CONFIDENTIAL_FIELDS = ("links", "terms", "questionnaire", "action_plan", "new_sites")

_NAMESPACE = uuid.UUID("0b9f4a57-3f8e-4c1e-b0f4-3c6f2d8e9a21")


class Channel(StrEnum):
    DIRECT = "direct"
    TRADER = "trader"
    STONE_MARKET = "stone_market"


class OriginConfidence(StrEnum):
    CLAIMED = "claimed"
    PARTLY_KNOWN = "partly_known"
    VERIFIED = "verified"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ASSESSED = "assessed"


@dataclass(frozen=True)
class SupplyLink:
    """One link of one supply chain. ``site_id`` None means the company does not know this site."""

    chain: str
    tier: int
    site_kind: SiteKind
    site_id: str | None
    stone_type: str
    product: str
    channel: Channel
    origin_confidence: OriginConfidence | None
    circular: bool = False

    @property
    def known(self) -> bool:
        return self.site_id is not None or self.circular

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SupplyLink:
        return cls(
            chain=data["chain"],
            tier=int(data["tier"]),
            site_kind=SiteKind(data["site_kind"]),
            site_id=data["site_id"],
            stone_type=data["stone_type"],
            product=data["product"],
            channel=Channel(data["channel"]),
            origin_confidence=(OriginConfidence(data["origin_confidence"]) if data["origin_confidence"] else None),
            circular=bool(data["circular"]),
        )


@dataclass(frozen=True)
class DescribedSite:
    """A production site a report describes and the registry does not know yet.

    It is kept inside the report, sealed with the company's key, under a random public id chosen at
    the upload (the links use that id). It is registered in the public site register only later,
    together with the new sites of at least k companies (``RegistryApplication``, "site intake"):
    registering it with the report would tell anyone holding the database which sites this company
    added (the commit and the time would be the report's)."""

    public_id: str
    kind: str
    name: str
    country: str
    province: str = ""
    district: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    stone_types: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {**plain_fields(self, _DESCRIBED_SITE_FIELDS, plain=False), "stone_types": list(self.stone_types)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DescribedSite:
        return cls(**{**data, "stone_types": tuple(data.get("stone_types", ()))})


@dataclass(frozen=True)
class CommercialTerms:
    """Competition-sensitive (Begrippen i-viii): volumes, prices, contract notes of one link."""

    volume: Decimal | None = None
    volume_unit: str | None = None
    price_eur_per_unit: Decimal | None = None
    contract_notes: str = ""

    @property
    def empty(self) -> bool:
        return self.volume is None and self.price_eur_per_unit is None and not self.contract_notes

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommercialTerms:
        return cls(
            volume=plain_decimal(data["volume"]) if data.get("volume") is not None else None,
            volume_unit=data.get("volume_unit"),
            price_eur_per_unit=(
                plain_decimal(data["price_eur_per_unit"]) if data.get("price_eur_per_unit") is not None else None
            ),
            contract_notes=data.get("contract_notes") or "",
        )


@dataclass(frozen=True)
class QuestionnaireAnswer:
    question: str
    answer: str


@dataclass(frozen=True)
class ActionPlanItem:
    """A prioritised risk with a SMART measure (art. 5 lid 2b-3)."""

    risk: str
    priority: int
    measure: str
    indicator: str = ""
    due: str = ""  # ISO date or empty


@dataclass(frozen=True)
class ReportContent:
    links: tuple[SupplyLink, ...]
    terms: tuple[CommercialTerms, ...] = ()
    questionnaire: tuple[QuestionnaireAnswer, ...] = ()
    action_plan: tuple[ActionPlanItem, ...] = field(default=())
    new_sites: tuple[DescribedSite, ...] = ()  # sites the links name that are not registered yet

    def __post_init__(self) -> None:
        if self.terms and len(self.terms) != len(self.links):
            raise ValidationError("terms", "one entry of commercial terms per link")

    def as_event_fields(self) -> dict[str, Any]:
        """JSON-able attributes for the event: one per confidential field."""
        if self.terms:
            terms = [plain_fields(t, TERMS_FIELDS) for t in self.terms]
        else:
            empty = plain_fields(CommercialTerms(), TERMS_FIELDS)
            terms = [dict(empty) for _ in self.links]
        return {
            "links": [plain_fields(link, LINK_FIELDS) for link in self.links],
            "terms": terms,
            "questionnaire": [plain_fields(a, _ANSWER_FIELDS, plain=False) for a in self.questionnaire],
            "action_plan": [plain_fields(item, _ACTION_FIELDS, plain=False) for item in self.action_plan],
            # always present (an empty list too), so the stored event does not tell whether it has any
            "new_sites": [site.as_dict() for site in self.new_sites],
        }

    def canonical_bytes(self) -> bytes:
        """Same content, same bytes, whatever file format it came in. Never stored as such: the
        application turns it into a keyed fingerprint (a plain hash could be tested against guesses).
        A content without new sites serialises as before they existed, so its digest is unchanged."""
        fields = self.as_event_fields()
        if not fields["new_sites"]:
            del fields["new_sites"]
        return canonical_json(fields)

    @classmethod
    def from_event_fields(
        cls,
        links: list[Any],
        terms: list[Any],
        questionnaire: list[Any],
        action_plan: list[Any],
        new_sites: list[Any] | None = None,
    ) -> ReportContent:
        return cls(
            links=tuple(SupplyLink.from_dict(d) for d in links),
            terms=tuple(CommercialTerms.from_dict(d) for d in terms),
            questionnaire=tuple(QuestionnaireAnswer(**d) for d in questionnaire),
            action_plan=tuple(ActionPlanItem(**d) for d in action_plan),
            new_sites=tuple(DescribedSite.from_dict(d) for d in new_sites or ()),
        )


def canonical_json(fields: dict[str, Any]) -> bytes:
    """The one serialisation that report digests are computed over."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def plain_decimal(value: Decimal | str) -> Decimal:
    """The value in plain decimal notation: ``str()`` of the result is never ``3.2E+2`` or ``1E-7``.
    Versions stored before this rule hold the exponent form; they read back plain too."""
    number = Decimal(value)
    return Decimal(format(number.normalize(), "f")) if number else Decimal(0)


def _plain_value(value: object) -> object:
    """Decimals as plain decimal strings, enums as their values: stable JSON for digests and events."""
    if isinstance(value, Decimal):
        return str(plain_decimal(value))
    if isinstance(value, StrEnum):
        return value.value
    return value


def plain_fields(obj: object, names: tuple[str, ...], *, plain: bool = True) -> dict[str, Any]:
    """The named attributes of a flat dataclass as a dict, in field order; ``plain``: through
    ``_plain_value``. What ``dataclasses.asdict`` gives for these (their fields hold no containers),
    without its recursive deep copy, which was a fifth of a report import's time (issue 12)."""
    if plain:
        return {name: _plain_value(getattr(obj, name)) for name in names}
    return {name: getattr(obj, name) for name in names}


def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


LINK_FIELDS = _field_names(SupplyLink)
TERMS_FIELDS = _field_names(CommercialTerms)
_ANSWER_FIELDS = _field_names(QuestionnaireAnswer)
_ACTION_FIELDS = _field_names(ActionPlanItem)
_DESCRIBED_SITE_FIELDS = _field_names(DescribedSite)


@dataclass(frozen=True)
class ReportVersion:
    number: int
    submitted_on: dt.date
    source: str
    digest: str  # keyed fingerprint of the content
    quarry_insight: Decimal
    factory_insight: Decimal
    sealed: dict[str, Any]  # the confidential fields as stored: plain right after submission, sealed when read back


# Event classes (by qualified name) whose fields keys/ seals, and whose id owns the key.
CONFIDENTIAL_EVENTS = {
    "SupplyChainReport.VersionSubmitted": ("company_id", CONFIDENTIAL_FIELDS),
    "SupplyChainReport.DraftSaved": ("company_id", CONFIDENTIAL_FIELDS),
    "SupplyChainReport.PartReceived": ("company_id", CONFIDENTIAL_FIELDS),
}

# A report too large for one upload comes in parts (at most this many); each part is one upload.
MAX_PARTS = 10


@dataclass(frozen=True)
class ReportPart:
    """One received part of a report uploaded in parts; ``sealed`` as for versions."""

    number: int
    digest: str  # keyed fingerprint of the part's rows as written
    sealed: dict[str, Any]


@dataclass(frozen=True)
class AssessmentRecord:
    version: int
    quarry_insight: Decimal
    factory_insight: Decimal
    due_diligence_score: Decimal
    level: int
    assessed_on: dt.date
    next_due: dt.date
    next_kind: str
    assessed_by: str


class SupplyChainReport(Aggregate):
    @staticmethod
    def create_id(company_id: uuid.UUID, year: int) -> uuid.UUID:
        """From the company's random id and the year: reveals that a member reported, which the
        public member listing shows anyway, and nothing about what it reported."""
        return uuid.uuid5(_NAMESPACE, f"{company_id}/{year}")

    @event("Started")
    def __init__(self, company_id: uuid.UUID, year: int):
        self.company_id = company_id
        self.year = year
        self.versions: list[ReportVersion] = []
        self.draft: dict[str, Any] | None = None  # confidential fields of the draft, as for versions
        self.assessments: list[AssessmentRecord] = []
        self.parts: dict[int, ReportPart] = {}  # a report being uploaded in parts: the parts so far
        self.parts_expected = 0  # how many parts that upload has (0: none under way)

    # --- state -------------------------------------------------------------------------------

    @property
    def status(self) -> ReportStatus:
        if self.draft is not None or not self.versions:
            return ReportStatus.DRAFT
        if self.assessments and self.assessments[-1].version == self.versions[-1].number:
            return ReportStatus.ASSESSED
        return ReportStatus.SUBMITTED

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def latest_version(self) -> ReportVersion:
        """The latest version where one must exist (a report just submitted, read or assessed); a
        report with none is not found, rather than an AttributeError on ``None`` further on."""
        if not self.versions:
            raise NotFoundError("no submitted version of the report")
        return self.versions[-1]

    # --- commands ----------------------------------------------------------------------------

    def save_draft(self, content: ReportContent) -> None:
        self._draft_saved(company_id=self.company_id, **content.as_event_fields())

    @event("DraftSaved")
    def _draft_saved(
        self,
        company_id: uuid.UUID,
        links: list[Any],
        terms: list[Any],
        questionnaire: list[Any],
        action_plan: list[Any],
        new_sites: list[Any] | None = None,
    ) -> None:
        self.draft = _sealed_fields(links, terms, questionnaire, action_plan, new_sites)

    def submit_draft(self, draft: ReportContent, digest: str, submitted_on: dt.date) -> bool:
        """Submit the draft; the caller opened it (through the filter) and passes it back in."""
        if self.draft is None:
            raise ConflictError("there is no draft to submit")
        return self.submit(draft, digest=digest, source="web", submitted_on=submitted_on)

    def is_latest(self, digest: str) -> bool:
        """Whether a submission with this digest would repeat the latest version (and no draft is
        pending, which a submission would replace)."""
        return self.latest is not None and self.latest.digest == digest and self.draft is None

    def submit(self, content: ReportContent, digest: str, source: str, submitted_on: dt.date) -> bool:
        """Record a new version; False (and nothing recorded) when it equals the latest version.

        ``digest`` is the keyed fingerprint of what the company *submitted*: for a form or the API,
        ``content.canonical_bytes()``; for a file, its rows as written, before sites described in it
        are matched or registered (``ParsedReport.canonical_bytes``). Never of the resolved site
        ids: resolving a described site can register a new one, so a digest over them would differ
        on every upload of a file with a row held for duplicate review.
        """
        from registry.domain.assessment import insight_percentages

        if not content.links:
            raise ValidationError("links", "a report lists at least one supply link")
        if self.is_latest(digest):
            return False
        quarry_insight, factory_insight = insight_percentages(content)
        self._version_submitted(
            company_id=self.company_id,
            number=len(self.versions) + 1,
            submitted_on=submitted_on,
            source=source,
            digest=digest,
            quarry_insight=quarry_insight,
            factory_insight=factory_insight,
            **content.as_event_fields(),
        )
        return True

    # --- a report uploaded in parts ------------------------------------------------------------

    @property
    def missing_parts(self) -> list[int]:
        return [n for n in range(1, self.parts_expected + 1) if n not in self.parts]

    def has_part(self, number: int, of: int, digest: str) -> bool:
        """Whether this very part (same place, same rows) is already in the upload under way."""
        part = self.parts.get(number)
        return self.parts_expected == of and part is not None and part.digest == digest

    def receive_part(self, number: int, of: int, content: ReportContent, digest: str) -> bool:
        """Keep part ``number`` of ``of``; the report is submitted once every part is in (by the
        application, which opens the earlier parts). Part 1 with another count starts the upload
        again; any other part must fit the upload under way. The same part again records nothing."""
        if not 2 <= of <= MAX_PARTS:
            raise ValidationError("of", f"a report comes in 2 to {MAX_PARTS} parts")
        if not 1 <= number <= of:
            raise ValidationError("part", f"a part number is 1 to {of}")
        if self.parts_expected and of != self.parts_expected and number != 1:
            raise ConflictError(
                f"the upload under way has {self.parts_expected} parts: send part {number} of "
                f"{self.parts_expected}, or start again with part 1 of {of}"
            )
        if not self.parts_expected and number != 1:
            raise ConflictError("no upload in parts is under way: start with part 1")
        if self.has_part(number, of, digest):
            return False
        self._part_received(
            company_id=self.company_id, number=number, of=of, digest=digest, **content.as_event_fields()
        )
        return True

    def close_parts_unchanged(self) -> None:
        """Every part is in, and together they repeat the latest version: the upload ends, and no
        version is recorded (the same set of parts again changes the report in nothing)."""
        if self.missing_parts or not self.parts_expected:
            raise ConflictError("no complete upload in parts to close")
        self._parts_closed()

    @event("PartsClosed")
    def _parts_closed(self) -> None:
        self.parts, self.parts_expected = {}, 0

    @event("PartReceived")
    def _part_received(
        self,
        company_id: uuid.UUID,
        number: int,
        of: int,
        digest: str,
        links: list[Any],
        terms: list[Any],
        questionnaire: list[Any],
        action_plan: list[Any],
        new_sites: list[Any] | None = None,
    ) -> None:
        if of != self.parts_expected:
            self.parts = {}  # part 1 of another count: a new upload
        self.parts_expected = of
        self.parts[number] = ReportPart(
            number, digest, _sealed_fields(links, terms, questionnaire, action_plan, new_sites)
        )

    @event("VersionSubmitted")
    def _version_submitted(
        self,
        company_id: uuid.UUID,
        number: int,
        submitted_on: dt.date,
        source: str,
        digest: str,
        quarry_insight: Decimal,
        factory_insight: Decimal,
        links: list[Any],
        terms: list[Any],
        questionnaire: list[Any],
        action_plan: list[Any],
        new_sites: list[Any] | None = None,
    ) -> None:
        sealed = _sealed_fields(links, terms, questionnaire, action_plan, new_sites)
        self.versions.append(
            ReportVersion(
                number, submitted_on, source, digest, Decimal(quarry_insight), Decimal(factory_insight), sealed
            )
        )
        self.draft = None
        self.parts, self.parts_expected = {}, 0  # a version (whole or assembled) ends any upload in parts

    def record_assessment(self, record: AssessmentRecord) -> None:
        if self.status != ReportStatus.SUBMITTED or record.version != self.latest.number:  # type: ignore[union-attr]
            raise ConflictError("only the latest submitted version can be assessed, once")
        self._assessed(
            version=record.version,
            quarry_insight=record.quarry_insight,
            factory_insight=record.factory_insight,
            due_diligence_score=record.due_diligence_score,
            level=record.level,
            assessed_on=record.assessed_on,
            next_due=record.next_due,
            next_kind=record.next_kind,
            assessed_by=record.assessed_by,
        )

    @event("Assessed")
    def _assessed(
        self,
        version: int,
        quarry_insight: Decimal,
        factory_insight: Decimal,
        due_diligence_score: Decimal,
        level: int,
        assessed_on: dt.date,
        next_due: dt.date,
        next_kind: str,
        assessed_by: str,
    ) -> None:
        self.assessments.append(
            AssessmentRecord(
                version,
                Decimal(quarry_insight),
                Decimal(factory_insight),
                Decimal(due_diligence_score),
                level,
                assessed_on,
                next_due,
                next_kind,
                assessed_by,
            )
        )


def _sealed_fields(links: Any, terms: Any, questionnaire: Any, action_plan: Any, new_sites: Any) -> dict[str, Any]:
    """The confidential fields as an event carried them; versions stored before new sites were kept
    in the report have none (an empty list, as a report without new sites)."""
    return {
        "links": links,
        "terms": terms,
        "questionnaire": questionnaire,
        "action_plan": action_plan,
        "new_sites": [] if new_sites is None else new_sites,
    }
