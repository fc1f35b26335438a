"""What a filing must hold (grievance/domain/filing.py): every refusal names its field."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from grievance.domain.case import CaseType, Theme
from grievance.domain.filing import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    Attachment,
    Filing,
    Reporter,
    check_attachments,
    check_filing,
    decode_base64,
)
from registry.domain.errors import ValidationError

TODAY = dt.date(2025, 11, 20)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"0" * 32


def complaint(**changes) -> Filing:
    base = Filing(
        case_type=CaseType.COMPLAINT,
        description="Children seen working at the quarry face.",
        themes=[Theme.CHILD_LABOUR],
        site_ids=["IN-RJ-ABC"],
        country="IN",
        observed_on=TODAY,
        language="hi",
        reporter=Reporter("Sangh Rajasthan", "+91 99999", "Mine Labour Union"),
    )
    return dataclasses.replace(base, **changes)


def refused(filing: Filing) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        check_filing(filing, TODAY)
    return raised.value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "too short"}, "description"),
        ({"description": " " * 30}, "description"),
        ({"description": "x" * 10_001}, "description"),
        ({"themes": []}, "themes"),
        ({"observed_on": TODAY + dt.timedelta(days=1)}, "observed_on"),
        ({"site_ids": [], "country": None}, "site_ids"),
        ({"site_ids": [], "country": ""}, "site_ids"),
        ({"reporter": None}, "reporter"),
        ({"reporter": Reporter("   ")}, "reporter.name"),
        ({"country": "XX"}, "country"),
        ({"country": "NLD"}, "country"),
        ({"country": " "}, "country"),
        ({"language": "klingon"}, "language"),
        ({"language": "xx"}, "language"),
        ({"language": ""}, "language"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_refusal_names_its_field(changes: dict, field: str):
    error = refused(complaint(**changes))
    assert error.field == field
    assert str(error).startswith(f"{field}: ")


def test_a_dispute_between_parties_names_a_party():
    filing = complaint(case_type=CaseType.DISPUTE_BETWEEN_PARTIES, reporter=None, site_ids=[], country=None, parties=[])
    assert refused(filing).field == "parties"
    assert check_filing(dataclasses.replace(filing, parties=[" Betuwe-Stone "]), TODAY).parties == ["betuwe-stone"]


def test_a_dispute_needs_no_site_and_no_reporter():
    filing = complaint(case_type=CaseType.DISPUTE_WITH_SECRETARIAT, reporter=None, site_ids=[], country=None)
    checked = check_filing(filing, TODAY)
    assert checked.case_type == CaseType.DISPUTE_WITH_SECRETARIAT and checked.reporter is None


def test_a_complaint_may_name_only_a_country():
    checked = check_filing(complaint(site_ids=[], country="in", region="  Bundi district "), TODAY)
    assert checked.country == "IN" and checked.site_ids == [] and checked.region == "Bundi district"


def attachment(content: bytes, media_type: str = "image/png", filename: str = "photo.png") -> Attachment:
    return Attachment(filename, media_type, content)


@pytest.mark.parametrize(
    ("attachments", "field"),
    [
        ([attachment(PNG)] * (MAX_ATTACHMENTS + 1), "attachments"),
        ([attachment(PNG + b"\x00" * (MAX_ATTACHMENT_BYTES - len(PNG) + 1))], "attachments[1].content"),
        ([attachment(PNG), attachment(b"GIF89a not a pdf", "application/pdf", "report.pdf")], "attachments[2].content"),
        ([attachment(PDF, "image/png")], "attachments[1].content"),
        ([attachment(PNG, "image/jpeg", "a.jpg")], "attachments[1].content"),
        ([attachment("résumé".encode("latin-1"), "text/plain", "notes.txt")], "attachments[1].content"),
        ([attachment(b"\xff\xfe\x00\x00", "text/plain", "notes.txt")], "attachments[1].content"),
        ([attachment(b"", "image/png")], "attachments[1].content"),
        ([attachment(b"", "text/plain", "empty.txt")], "attachments[1].content"),
        ([attachment(b"GIF89a", "image/gif", "a.gif")], "attachments[1].media_type"),
        ([attachment(PNG, filename="  ")], "attachments[1].filename"),
    ],
    ids=[
        "too-many",
        "too-big",
        "fake-pdf",
        "pdf-as-png",
        "png-as-jpeg",
        "latin1-text",
        "binary-text",
        "empty-png",
        "empty-text",
        "gif",
        "no-filename",
    ],
)
def test_each_attachment_refusal_names_its_field(attachments: list[Attachment], field: str):
    error = refused(complaint(attachments=attachments))
    assert error.field == field
    with pytest.raises(ValidationError) as raised:
        check_attachments(attachments)
    assert raised.value.field == field


def test_the_limits_themselves_are_allowed():
    biggest = PNG + b"\x00" * (MAX_ATTACHMENT_BYTES - len(PNG))
    assert len(biggest) == MAX_ATTACHMENT_BYTES
    files = [
        attachment(biggest),
        attachment(JPEG, "image/jpeg", "a.jpg"),
        attachment(PDF, "application/pdf", "a.pdf"),
        attachment("Kinder an der Steinwand, 2 Stück".encode(), "text/plain", "notes.txt"),
        attachment(PNG),
    ]
    assert len(files) == MAX_ATTACHMENTS
    checked = check_filing(complaint(attachments=files, description="x" * 20), TODAY)
    assert checked.attachments == files


def test_a_valid_filing_passes_normalised():
    filing = Filing(
        case_type="complaint",
        description="  Children seen working at the quarry face.\n",
        themes=[Theme.CHILD_LABOUR, "health_and_safety", Theme.CHILD_LABOUR],
        site_ids=[" in-rj-abc ", "IN-RJ-DEF", " in-rj-abc "],
        country=" in ",
        region="  Rajasthan  ",
        observed_on=TODAY,
        language=" HI ",
        reporter=Reporter("  Sangh Rajasthan ", "  +91 99999  ", "  Mine Labour Union "),
    )
    checked = check_filing(filing, TODAY)
    assert checked.case_type is CaseType.COMPLAINT
    assert checked.description == "Children seen working at the quarry face."
    assert checked.themes == [Theme.CHILD_LABOUR, Theme.HEALTH_AND_SAFETY]
    assert all(isinstance(theme, Theme) for theme in checked.themes)
    assert checked.country == "IN"
    assert checked.region == "Rajasthan"
    assert checked.language == "hi"
    assert checked.reporter == Reporter("Sangh Rajasthan", "+91 99999", "Mine Labour Union")
    assert checked.observed_on == TODAY
    assert checked.attachments == []
    # site ids are trimmed and upper-cased
    assert set(checked.site_ids) == {"IN-RJ-ABC", "IN-RJ-DEF"}
    assert all(s == s.strip().upper() for s in checked.site_ids)


def test_site_ids_are_deduplicated_after_normalising():
    checked = check_filing(complaint(site_ids=[" in-rj-abc ", "IN-RJ-ABC", "in-rj-abc"]), TODAY)
    assert checked.site_ids == ["IN-RJ-ABC"]


def test_three_letter_language_codes_are_accepted():
    assert check_filing(complaint(language="hin"), TODAY).language == "hin"


def test_an_unknown_case_type_is_refused():
    with pytest.raises(ValueError):
        check_filing(complaint(case_type="lawsuit"), TODAY)


def test_bad_base64_names_its_field():
    with pytest.raises(ValidationError) as raised:
        decode_base64("not base64!", "attachments[1].content")
    assert raised.value.field == "attachments[1].content"
    assert decode_base64("iVBORw0KGgo=", "x") == b"\x89PNG\r\n\x1a\n"
