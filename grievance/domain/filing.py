"""What a filing must hold, checked before anything is stored; each error names its field.

Evidence is limited in number, size and type (photos, scans, PDFs, plain text), and a file's bytes
must match the type it claims: an NGO's field staff upload from phones, and the committee will
open these files.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field

import pycountry

from grievance.domain.case import CaseType, Theme
from registry.domain.errors import ValidationError
from registry.domain.text import free_text

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# media type -> how its bytes start
MEDIA_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "text/plain": (),  # checked as UTF-8 instead
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Reporter:
    """The local partner or workers on whose behalf a report is filed: sealed with the case key."""

    name: str
    contact: str = ""
    organisation: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact, "organisation": self.organisation}


@dataclass(frozen=True)
class Filing:
    case_type: CaseType
    description: str
    themes: list[Theme]
    site_ids: list[str] = field(default_factory=list)
    country: str | None = None
    region: str = ""
    observed_on: dt.date | None = None
    language: str = "en"
    reporter: Reporter | None = None
    parties: list[str] = field(default_factory=list)  # company refs a dispute is against
    attachments: list[Attachment] = field(default_factory=list)


def check_filing(filing: Filing, today: dt.date) -> Filing:
    """The filing with its text trimmed; raises ValidationError naming the first bad field."""
    case_type = CaseType(filing.case_type)
    description = free_text(filing.description, "description", 10_000, shortest=20)
    if not filing.themes:
        raise ValidationError("themes", "at least one theme")
    if filing.observed_on and filing.observed_on > today:
        raise ValidationError("observed_on", "must not be in the future")
    if case_type == CaseType.COMPLAINT:
        if not filing.site_ids and not filing.country:
            raise ValidationError("site_ids", "name the production site(s), or at least the country and region")
        if filing.reporter is None:
            raise ValidationError(
                "reporter", "required: the local partner the report is filed for (a pseudonym will do)"
            )
    if case_type == CaseType.DISPUTE_BETWEEN_PARTIES and not filing.parties:
        raise ValidationError("parties", "a dispute names at least one party")
    country = None
    if filing.country:
        found = pycountry.countries.get(alpha_2=filing.country.strip().upper())
        if found is None:
            raise ValidationError("country", "an ISO 3166-1 alpha-2 code")
        country = found.alpha_2
    language = filing.language.strip().lower()
    if not (pycountry.languages.get(alpha_2=language) or pycountry.languages.get(alpha_3=language)):
        raise ValidationError("language", "an ISO 639 code, e.g. en, hi, zh, nl")
    reporter = filing.reporter
    if reporter is not None:
        reporter = Reporter(
            name=free_text(reporter.name, "reporter.name", 200),
            contact=(reporter.contact or "").strip()[:500],
            organisation=(reporter.organisation or "").strip()[:200],
        )
    return Filing(
        case_type=case_type,
        description=description,
        themes=[Theme(t) for t in dict.fromkeys(filing.themes)],
        site_ids=list(dict.fromkeys(s.strip().upper() for s in filing.site_ids)),
        country=country,
        region=(filing.region or "").strip()[:120],
        observed_on=filing.observed_on,
        language=language,
        reporter=reporter,
        parties=list(dict.fromkeys(p.strip().lower() for p in filing.parties)),
        attachments=check_attachments(filing.attachments),
    )


def check_attachments(attachments: list[Attachment]) -> list[Attachment]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError("attachments", f"at most {MAX_ATTACHMENTS} files")
    for number, attachment in enumerate(attachments, start=1):
        where = f"attachments[{number}]"
        if attachment.media_type not in MEDIA_TYPES:
            raise ValidationError(f"{where}.media_type", "one of " + ", ".join(MEDIA_TYPES))
        if not attachment.content:
            raise ValidationError(f"{where}.content", "empty file")
        if len(attachment.content) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(f"{where}.content", f"at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        if not _content_matches(attachment):
            raise ValidationError(f"{where}.content", f"the file is not a {attachment.media_type} file")
        free_text(attachment.filename, f"{where}.filename", 200)
    return attachments


def decode_base64(data: str, field_name: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(field_name, "not valid base64") from None


def _content_matches(attachment: Attachment) -> bool:
    magics = MEDIA_TYPES[attachment.media_type]
    if not magics:
        try:
            attachment.content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return attachment.content.startswith(magics)
