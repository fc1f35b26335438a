"""The evidence statement's facts, the tender criteria of the covenant's bijlage 3, and its wording.

Plain domain: no store, no key. ``StatementFacts`` is what a statement may say about a company on a
date; it has no field for a site, a supplier, a country of a supplier or another company, so no
statement can name one (tests/integration/test_statement_contents.py tries).

The wording of the signed document is part of its format (``FORMAT``), in Dutch and English, kept
here rather than in the pages' catalogues: a statement signed today must read the same when it is
checked years later, whatever the site's translations have become since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ValidationError

# event class name -> (owner attribute, sealed field names): registry/application.py seals them
CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "EvidenceStatement.Issued": ("key_owner", ("issued",)),
}

FORMAT = "trustone-statement/1"
LANGUAGES = ("nl", "en")

# Bijlage 3, award phase: "Significant" asks for at least level 3 of TruStone, "Ambitieus" for at
# least level 4, both "100% inzicht in fabrieken ... en 75% inzicht in groeves"; the snelgids's high
# ambition level asks for "drie positieve jaarbeoordelingen van TruStone".
FACTORIES_KNOWN_REQUIRED = Decimal(100)
QUARRIES_KNOWN_REQUIRED = Decimal(75)
POSITIVE_ASSESSMENTS_REQUIRED = 3
LEVEL_SIGNIFICANT = 3
LEVEL_AMBITIOUS = 4
# A yearly assessment is positive when it placed the company at a level (level 1 or higher): the
# covenant's levels start at 1 (art. 5 lid 6); below level 1 the company met none of them.
POSITIVE_FROM_LEVEL = 1


@dataclass(frozen=True)
class StatementFacts:
    company_ref: str
    company_name: str
    on: dt.date
    member: bool
    standing: str  # member, withdrawn, excluded, not_yet_member (registry.domain.organisations.Standing)
    category: str | None
    joined_on: dt.date | None
    ended_on: dt.date | None  # the last membership before ``on`` ended (withdrawn or excluded)
    level: int | None
    level_assessed_on: dt.date | None
    positive_assessments: int  # consecutive positive yearly assessments up to ``on``
    factory_insight: Decimal | None  # % of factories known, at the latest assessment
    quarry_insight: Decimal | None  # % of quarries known, at the latest assessment
    action_plan_published_on: dt.date | None  # published on the member listing with that assessment
    action_plan_year: int | None


@dataclass(frozen=True)
class CriterionCheck:
    """One tender criterion of bijlage 3 (or the snelgids), what it requires and what the company has."""

    key: str  # factories_known, quarries_known, positive_assessments, level_significant, level_ambitious
    required: str  # as printed: "100 %", "3", "3"
    actual: str  # as printed: "100.00 %", "2", "2"; "-" when not known
    met: bool


@dataclass(frozen=True)
class YearAssessment:
    """A report year's assessment as the statement counts it: its last one on or before the date."""

    year: int
    level: int
    assessed_on: dt.date


def consecutive_positive(assessments: Iterable[YearAssessment]) -> int:
    """Positive yearly assessments in a row, counted back from the latest assessed report year: a
    year without an assessment, or one below level 1, ends the run."""
    by_year = {item.year: item for item in assessments}
    if not by_year:
        return 0
    count, year = 0, max(by_year)
    while year in by_year and by_year[year].level >= POSITIVE_FROM_LEVEL:
        count, year = count + 1, year - 1
    return count


def tender_criteria(facts: StatementFacts) -> tuple[CriterionCheck, ...]:
    """Bijlage 3's measurable criteria against the facts; none for a company that was not a member
    on the date (the statement says so instead)."""
    if not facts.member:
        return ()
    level = facts.level
    return (
        CriterionCheck(
            "factories_known",
            f"{FACTORIES_KNOWN_REQUIRED} %",
            _figure(facts.factory_insight),
            facts.factory_insight is not None and facts.factory_insight >= FACTORIES_KNOWN_REQUIRED,
        ),
        CriterionCheck(
            "quarries_known",
            f"{QUARRIES_KNOWN_REQUIRED} %",
            _figure(facts.quarry_insight),
            facts.quarry_insight is not None and facts.quarry_insight >= QUARRIES_KNOWN_REQUIRED,
        ),
        CriterionCheck(
            "positive_assessments",
            str(POSITIVE_ASSESSMENTS_REQUIRED),
            str(facts.positive_assessments),
            facts.positive_assessments >= POSITIVE_ASSESSMENTS_REQUIRED,
        ),
        CriterionCheck(
            "level_significant",
            str(LEVEL_SIGNIFICANT),
            str(facts.level) if facts.level is not None else "-",
            level is not None and level >= LEVEL_SIGNIFICANT,
        ),
        CriterionCheck(
            "level_ambitious",
            str(LEVEL_AMBITIOUS),
            str(facts.level) if facts.level is not None else "-",
            level is not None and level >= LEVEL_AMBITIOUS,
        ),
    )


def checked_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationError("language", f"a statement is written in one of {', '.join(LANGUAGES)}")
    return language


def _figure(value: Decimal | None) -> str:
    """A percentage as the criteria keep it (the document writes it in its language)."""
    return "-" if value is None else f"{value:.2f} %"


def _percent(value: Decimal | None, language: str) -> str:
    return _in_language(_figure(value), language)


def _in_language(figure: str, language: str) -> str:
    """A figure as the document's language writes it: Dutch has a decimal comma."""
    return figure.replace(".", ",") if language == "nl" else figure


def _date(day: dt.date | None) -> str:
    return "-" if day is None else day.isoformat()


# --- the document's wording ------------------------------------------------------------------------

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "TRUSTONE EVIDENCE STATEMENT",
        "format": "Format",
        "code": "Verification code",
        "verify_at": "Verify at",
        "issued": "Issued",
        "issued_to": "Issued to",
        "company": "Company",
        "reference": "reference",
        "on": "Date asked about",
        "membership": "Membership on that date",
        "member_since": "participating member since {joined}",
        "not_yet": "not a member: it had not joined TruStone by that date",
        "withdrawn": "not a member: it withdrew on {ended}",
        "excluded": "not a member: it was excluded on {ended}",
        "category": "Category",
        "level": "Level",
        "level_value": "{level}, assessed on {assessed}",
        "no_level": "not yet assessed",
        "positive": "Positive yearly assessments in a row",
        "factories": "Factories known",
        "quarries": "Quarries known",
        "plan": "Action plan",
        "plan_published": "published on the TruStone member list with the assessment of {on} (report year {year})",
        "plan_not_published": "not yet published (no assessment yet)",
        "criteria": "Tender criteria (covenant annex 3; guide for local governments)",
        "met": "met",
        "not_met": "not met",
        "factories_known": "factories known: at least {required}",
        "quarries_known": "quarries known: at least {required}",
        "positive_assessments": "positive yearly assessments in a row: at least {required}",
        "level_significant": "level {required} or higher (annex 3, 'significant')",
        "level_ambitious": "level {required} or higher (annex 3, 'ambitious')",
        "no_criteria": "The company was not a participating member on that date: the criteria do not apply.",
        "scope": "This statement names no supplier, no production site and no other company. TruStone does not"
        " rank tenderers.",
        "signed": "Signed with the TruStone statement key (Ed25519) named below; the public key is at {keys}.",
    },
    "nl": {
        "title": "TRUSTONE-BEWIJSVERKLARING",
        "format": "Formaat",
        "code": "Verificatiecode",
        "verify_at": "Controleren op",
        "issued": "Afgegeven",
        "issued_to": "Afgegeven aan",
        "company": "Bedrijf",
        "reference": "kenmerk",
        "on": "Gevraagde datum",
        "membership": "Lidmaatschap op die datum",
        "member_since": "deelnemend lid sinds {joined}",
        "not_yet": "geen lid: het bedrijf was op die datum nog niet aangesloten bij TruStone",
        "withdrawn": "geen lid: het bedrijf heeft zich teruggetrokken op {ended}",
        "excluded": "geen lid: het bedrijf is uitgesloten op {ended}",
        "category": "Categorie",
        "level": "Niveau",
        "level_value": "{level}, beoordeeld op {assessed}",
        "no_level": "nog niet beoordeeld",
        "positive": "Positieve jaarbeoordelingen op rij",
        "factories": "Fabrieken in beeld",
        "quarries": "Groeves in beeld",
        "plan": "Plan van aanpak",
        "plan_published": "gepubliceerd op de ledenlijst van TruStone bij de beoordeling van {on}"
        " (rapportagejaar {year})",
        "plan_not_published": "nog niet gepubliceerd (nog geen beoordeling)",
        "criteria": "Aanbestedingscriteria (convenant bijlage 3; snelgids voor lokale besturen)",
        "met": "voldaan",
        "not_met": "niet voldaan",
        "factories_known": "fabrieken in beeld: ten minste {required}",
        "quarries_known": "groeves in beeld: ten minste {required}",
        "positive_assessments": "positieve jaarbeoordelingen op rij: ten minste {required}",
        "level_significant": "niveau {required} of hoger (bijlage 3, 'significant')",
        "level_ambitious": "niveau {required} of hoger (bijlage 3, 'ambitieus')",
        "no_criteria": "Het bedrijf was op die datum geen deelnemend lid: de criteria zijn niet van toepassing.",
        "scope": "Deze verklaring noemt geen leverancier, geen productielocatie en geen ander bedrijf. TruStone"
        " rangschikt geen inschrijvers.",
        "signed": "Ondertekend met de verklaringssleutel van TruStone (Ed25519) die hieronder staat; de publieke"
        " sleutel staat op {keys}.",
    },
}


@dataclass(frozen=True)
class Heading:
    """What the document says about its own issue, beside the facts."""

    code: str
    verify_url: str
    keys_url: str
    issued_at: dt.datetime
    issued_to: str
    language: str


def membership_line(facts: StatementFacts, words: dict[str, str]) -> str:
    if facts.member:
        return words["member_since"].format(joined=_date(facts.joined_on))
    if facts.standing in ("withdrawn", "excluded"):
        return words[facts.standing].format(ended=_date(facts.ended_on))
    return words["not_yet"]


def facts_as_record(facts: StatementFacts) -> dict[str, Any]:
    """The facts as JSON values, for the sealed record."""
    return {
        name: (value.isoformat() if isinstance(value, dt.date) else str(value) if isinstance(value, Decimal) else value)
        for name, value in vars(facts).items()
    }


def facts_from_record(record: dict[str, Any]) -> StatementFacts:
    dates = {"on", "joined_on", "ended_on", "level_assessed_on", "action_plan_published_on"}
    decimals = {"factory_insight", "quarry_insight"}
    values: dict[str, Any] = {
        name: (
            None
            if value is None
            else dt.date.fromisoformat(value)
            if name in dates
            else Decimal(value)
            if name in decimals
            else value
        )
        for name, value in record.items()
    }
    return StatementFacts(**values)


def statement_body(facts: StatementFacts, criteria: tuple[CriterionCheck, ...], heading: Heading) -> str:
    """The text that is signed: one fact per line, ``label: value``, in the heading's language."""
    words = WORDS[checked_language(heading.language)]
    lines = [
        words["title"],
        f"{words['format']}: {FORMAT}",
        f"{words['code']}: {heading.code}",
        f"{words['verify_at']}: {heading.verify_url}",
        f"{words['issued']}: {heading.issued_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"{words['issued_to']}: {heading.issued_to}",
        "",
        f"{words['company']}: {facts.company_name} ({words['reference']}: {facts.company_ref})",
        f"{words['on']}: {facts.on.isoformat()}",
        f"{words['membership']}: {membership_line(facts, words)}",
    ]
    if facts.member:
        level = (
            words["level_value"].format(level=facts.level, assessed=_date(facts.level_assessed_on))
            if facts.level is not None
            else words["no_level"]
        )
        plan = (
            words["plan_published"].format(on=_date(facts.action_plan_published_on), year=facts.action_plan_year)
            if facts.action_plan_published_on is not None
            else words["plan_not_published"]
        )
        lines += [
            f"{words['category']}: {facts.category or '-'}",
            f"{words['level']}: {level}",
            f"{words['positive']}: {facts.positive_assessments}",
            f"{words['factories']}: {_percent(facts.factory_insight, heading.language)}",
            f"{words['quarries']}: {_percent(facts.quarry_insight, heading.language)}",
            f"{words['plan']}: {plan}",
            "",
            f"{words['criteria']}:",
        ]
        for criterion in criteria:
            verdict = words["met"] if criterion.met else words["not_met"]
            label = words[criterion.key].format(required=criterion.required)
            actual = _in_language(criterion.actual, heading.language)
            lines.append(f"- [{verdict}] {label}: {actual}")
    else:
        lines += ["", words["no_criteria"]]
    lines += ["", words["scope"], words["signed"].format(keys=heading.keys_url)]
    return "\n".join(lines) + "\n"


def code_in(body: str) -> str | None:
    """The verification code a signed body carries (its third line), in either language."""
    third = body.splitlines()[2:3]
    label, _, value = (third[0] if third else "").partition(": ")
    return value if label in {words["code"] for words in WORDS.values()} and value else None


# --- the verification code and the issued statement's record ----------------------------------------

CODE_PREFIX = "TSV"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread
CODE_GROUPS, GROUP_LENGTH = 5, 4  # 20 characters of 5 bits: 100 random bits, not to be guessed
_READ_AS = {"I": "1", "L": "1", "O": "0"}  # what a reader typing a printed code may have meant

# Every statement is sealed under this one owner's data key, not the company's: a key named after
# the company would tell a reader of the database which company each statement is about.
STATEMENTS_KEY_OWNER = uuid.UUID("5f0c1e53-7a7e-4b1a-9d3c-2e57a7e40001")
_ID_NAMESPACE = uuid.UUID("5f0c1e53-7a7e-4b1a-9d3c-2e57a7e40002")


def new_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(CODE_GROUPS))
    return "-".join((CODE_PREFIX, *groups))


def normalised_code(text: str) -> str | None:
    """A code as a reader may type it (lower case, spaces, O for 0), in its printed form; None when
    it cannot be one."""
    raw = "".join(text.upper().split()).replace("-", "")
    raw = raw.removeprefix(CODE_PREFIX)
    raw = "".join(_READ_AS.get(char, char) for char in raw)
    if len(raw) != CODE_GROUPS * GROUP_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return None
    groups = [raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH)]
    return "-".join((CODE_PREFIX, *groups))


def code_digest(code: str) -> str:
    """What the store keeps of a code: its hash (the code itself opens the statement's page)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class EvidenceStatement(Aggregate):
    """One issued statement. In clear: when, the signing key's id and the digests of its code and of
    its signed body (which holds the random code, so no one can try bodies against it); sealed
    (``issued``): the document, its facts, the company and whom it was issued to."""

    @staticmethod
    def create_id(code_digest: str, **_: Any) -> uuid.UUID:
        return uuid.uuid5(_ID_NAMESPACE, code_digest)

    @event("Issued")
    def __init__(
        self, code_digest: str, body_digest: str, key_id: str, issued_on: dt.date, key_owner: uuid.UUID, issued: Any
    ) -> None:
        self.code_digest = code_digest
        self.body_digest = body_digest
        self.key_id = key_id
        self.issued_on = issued_on
        self.key_owner = key_owner
        self.issued = issued  # sealed in the store; a SealedField once read back
