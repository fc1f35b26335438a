"""The evidence statement's rules (registry/domain/statements.py) against their sources.

Bijlage 3 of the covenant, award phase: "Significant": "Inschrijver voldoet ten minste aan niveau
drie van TruStone ... 100% inzicht in fabrieken ... en 75% inzicht in groeves"; "Ambitieus": "ten
minste aan niveau vier". The snelgids for local governments, high ambition: "drie positieve
jaarbeoordelingen van TruStone". Every figure below is written from those texts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from registry.domain.errors import ValidationError
from registry.domain.statements import (
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


def facts(**changes) -> StatementFacts:
    values = {
        "company_ref": "eigen-steen",
        "company_name": "Eigen Steen BV",
        "on": dt.date(2026, 5, 1),
        "member": True,
        "standing": "member",
        "category": "A",
        "joined_on": dt.date(2022, 1, 1),
        "ended_on": None,
        "level": 3,
        "level_assessed_on": dt.date(2026, 3, 1),
        "positive_assessments": 3,
        "factory_insight": Decimal("100.00"),
        "quarry_insight": Decimal("75.00"),
        "action_plan_published_on": dt.date(2026, 3, 1),
        "action_plan_year": 2025,
    }
    return StatementFacts(**{**values, **changes})


def met(statement_facts: StatementFacts) -> dict[str, bool]:
    return {check.key: check.met for check in tender_criteria(statement_facts)}


@pytest.mark.parametrize(
    ("factory", "quarry", "expected"),
    [
        ("100.00", "75.00", (True, True)),  # exactly the thresholds: met
        ("99.99", "74.99", (False, False)),  # a hundredth below: not met
        ("100.00", "100.00", (True, True)),
        ("50.00", "80.00", (False, True)),
    ],
)
def test_the_insight_criteria_are_100_percent_of_factories_and_75_percent_of_quarries(factory, quarry, expected):
    checks = met(facts(factory_insight=Decimal(factory), quarry_insight=Decimal(quarry)))
    assert (checks["factories_known"], checks["quarries_known"]) == expected


@pytest.mark.parametrize(
    ("level", "significant", "ambitious"),
    [(None, False, False), (1, False, False), (2, False, False), (3, True, False), (4, True, True), (5, True, True)],
)
def test_significant_asks_level_three_and_ambitious_level_four(level, significant, ambitious):
    checks = met(facts(level=level))
    assert (checks["level_significant"], checks["level_ambitious"]) == (significant, ambitious)


@pytest.mark.parametrize(("count", "expected"), [(0, False), (2, False), (3, True), (4, True)])
def test_three_positive_yearly_assessments(count, expected):
    assert met(facts(positive_assessments=count))["positive_assessments"] is expected


def test_the_criteria_print_what_they_require():
    printed = {check.key: (check.required, check.actual) for check in tender_criteria(facts(level=2))}
    assert printed == {
        "factories_known": ("100 %", "100.00 %"),
        "quarries_known": ("75 %", "75.00 %"),
        "positive_assessments": ("3", "3"),
        "level_significant": ("3", "2"),
        "level_ambitious": ("4", "2"),
    }


def test_unknown_figures_meet_nothing():
    checks = met(facts(level=None, factory_insight=None, quarry_insight=None, positive_assessments=0))
    assert checks == dict.fromkeys(
        ("factories_known", "quarries_known", "positive_assessments", "level_significant", "level_ambitious"), False
    )


def test_a_company_that_was_not_a_member_has_no_criteria():
    assert tender_criteria(facts(member=False, standing="withdrawn")) == ()


def run(*pairs: tuple[int, int]) -> list[YearAssessment]:
    return [YearAssessment(year, level, dt.date(year + 1, 3, 1)) for year, level in pairs]


@pytest.mark.parametrize(
    ("assessments", "expected"),
    [
        ([], 0),
        (run((2025, 1)), 1),
        (run((2023, 2), (2024, 3), (2025, 3)), 3),
        (run((2022, 1), (2023, 2), (2024, 3), (2025, 3)), 4),
        (run((2023, 2), (2025, 3)), 1),  # 2024 was not assessed: the run is 2025 alone
        (run((2023, 2), (2024, 0), (2025, 3)), 1),  # below level 1 in 2024 ends the run
        (run((2024, 2), (2025, 0)), 0),  # the latest year below level 1: no run at all
        (run((2025, 3), (2023, 1), (2024, 1)), 3),  # in any order
    ],
)
def test_positive_yearly_assessments_in_a_row(assessments, expected):
    assert consecutive_positive(assessments) == expected


def heading(language: str) -> Heading:
    return Heading(
        "TSV-AAAA-BBBB-CCCC-DDDD-EEEE",
        "https://registry.example/verify/TSV-AAAA-BBBB-CCCC-DDDD-EEEE",
        "https://registry.example/api/v1/public/statement-keys",
        dt.datetime(2026, 5, 2, 9, 30, tzinfo=dt.UTC),
        "Gemeente Utrecht",
        language,
    )


def test_the_dutch_statement_reads_as_the_covenant_writes():
    body = statement_body(
        facts(level=2, quarry_insight=Decimal("80.5")), tender_criteria(facts(level=2)), heading("nl")
    )
    assert body.splitlines()[:10] == [
        "TRUSTONE-BEWIJSVERKLARING",
        "Formaat: trustone-statement/1",
        "Verificatiecode: TSV-AAAA-BBBB-CCCC-DDDD-EEEE",
        "Controleren op: https://registry.example/verify/TSV-AAAA-BBBB-CCCC-DDDD-EEEE",
        "Afgegeven: 2026-05-02 09:30 UTC",
        "Afgegeven aan: Gemeente Utrecht",
        "",
        "Bedrijf: Eigen Steen BV (kenmerk: eigen-steen)",
        "Gevraagde datum: 2026-05-01",
        "Lidmaatschap op die datum: deelnemend lid sinds 2022-01-01",
    ]
    assert "Groeves in beeld: 80,50 %" in body
    assert "- [niet voldaan] niveau 3 of hoger (bijlage 3, 'significant'): 2" in body
    assert "- [voldaan] fabrieken in beeld: ten minste 100 %: 100,00 %" in body
    assert body.endswith("de publieke sleutel staat op https://registry.example/api/v1/public/statement-keys.\n")


@pytest.mark.parametrize(
    ("standing", "ended_on", "line"),
    [
        ("not_yet_member", None, "Membership on that date: not a member: it had not joined TruStone by that date"),
        ("withdrawn", dt.date(2025, 12, 31), "Membership on that date: not a member: it withdrew on 2025-12-31"),
        ("excluded", dt.date(2025, 6, 30), "Membership on that date: not a member: it was excluded on 2025-06-30"),
    ],
)
def test_a_statement_about_a_non_member_says_why(standing, ended_on, line):
    not_member = facts(member=False, standing=standing, ended_on=ended_on, level=None)
    body = statement_body(not_member, tender_criteria(not_member), heading("en"))
    assert line in body.splitlines()
    assert "The company was not a participating member on that date: the criteria do not apply." in body
    assert "Level:" not in body


def test_the_code_is_read_back_from_either_language():
    for language in ("nl", "en"):
        assert code_in(statement_body(facts(), tender_criteria(facts()), heading(language))) == heading("en").code
    assert code_in("a letter\nnot a statement\nCode: x\n") is None


def test_codes_carry_100_random_bits_in_crockford_base_32():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        prefix, *groups = code.split("-")
        assert prefix == "TSV" and [len(group) for group in groups] == [4, 4, 4, 4, 4]
        assert set("".join(groups)) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("TSV-7K4Q-M2XA-0000-1111-ZZZZ", "TSV-7K4Q-M2XA-0000-1111-ZZZZ"),
        ("tsv 7k4q m2xa oooo iiii zzzz", "TSV-7K4Q-M2XA-0000-1111-ZZZZ"),  # O read as 0, I as 1
        ("TSV-7K4Q-M2XA-OOOO-LLLL-ZZZZ", "TSV-7K4Q-M2XA-0000-1111-ZZZZ"),  # and L as 1
        ("7K4QM2XA00001111ZZZZ", "TSV-7K4Q-M2XA-0000-1111-ZZZZ"),
        ("TSV-7K4Q-M2XA-0000-1111-ZZZ", None),  # one short
        ("TSV-7K4Q-M2XA-0000-1111-ZZZU", None),  # U is not in the alphabet
        ("", None),
    ],
)
def test_a_typed_code_is_read_as_printed(typed, read):
    assert normalised_code(typed) == read


def test_a_statement_is_written_in_dutch_or_english_only():
    assert checked_language("nl") == "nl"
    with pytest.raises(ValidationError) as raised:
        checked_language("fr")
    assert raised.value.field == "language"


def test_the_english_statement_of_a_member_line_by_line():
    body = statement_body(facts(), tender_criteria(facts()), heading("en"))
    assert body.splitlines() == [
        "TRUSTONE EVIDENCE STATEMENT",
        "Format: trustone-statement/1",
        "Verification code: TSV-AAAA-BBBB-CCCC-DDDD-EEEE",
        "Verify at: https://registry.example/verify/TSV-AAAA-BBBB-CCCC-DDDD-EEEE",
        "Issued: 2026-05-02 09:30 UTC",
        "Issued to: Gemeente Utrecht",
        "",
        "Company: Eigen Steen BV (reference: eigen-steen)",
        "Date asked about: 2026-05-01",
        "Membership on that date: participating member since 2022-01-01",
        "Category: A",
        "Level: 3, assessed on 2026-03-01",
        "Positive yearly assessments in a row: 3",
        "Factories known: 100.00 %",
        "Quarries known: 75.00 %",
        "Action plan: published on the TruStone member list with the assessment of 2026-03-01 (report year 2025)",
        "",
        "Tender criteria (covenant annex 3; guide for local governments):",
        "- [met] factories known: at least 100 %: 100.00 %",
        "- [met] quarries known: at least 75 %: 75.00 %",
        "- [met] positive yearly assessments in a row: at least 3: 3",
        "- [met] level 3 or higher (annex 3, 'significant'): 3",
        "- [not met] level 4 or higher (annex 3, 'ambitious'): 3",
        "",
        "This statement names no supplier, no production site and no other company. TruStone does not rank tenderers.",
        (
            "Signed with the TruStone statement key (Ed25519) named below; the public key is at"
            " https://registry.example/api/v1/public/statement-keys."
        ),
    ]


def test_a_member_not_yet_assessed():
    new = facts(
        category=None,
        level=None,
        level_assessed_on=None,
        positive_assessments=0,
        factory_insight=None,
        quarry_insight=None,
        action_plan_published_on=None,
        action_plan_year=None,
    )
    lines = statement_body(new, tender_criteria(new), heading("en")).splitlines()
    assert lines[10:16] == [
        "Category: -",
        "Level: not yet assessed",
        "Positive yearly assessments in a row: 0",
        "Factories known: -",
        "Quarries known: -",
        "Action plan: not yet published (no assessment yet)",
    ]
    assert "- [not met] level 3 or higher (annex 3, 'significant'): -" in lines


def test_the_non_member_statement_ends_with_its_sentence_after_a_blank_line():
    gone = facts(member=False, standing="withdrawn", ended_on=dt.date(2025, 12, 31))
    lines = statement_body(gone, tender_criteria(gone), heading("en")).splitlines()
    assert lines[9:12] == [
        "Membership on that date: not a member: it withdrew on 2025-12-31",
        "",
        "The company was not a participating member on that date: the criteria do not apply.",
    ]


def test_the_sealed_record_of_the_facts_reads_back_the_same():
    withdrawn = facts(member=False, standing="withdrawn", ended_on=dt.date(2025, 12, 31), level=None)
    for original in (facts(), withdrawn, facts(factory_insight=None, quarry_insight=Decimal("12.5"))):
        record = facts_as_record(original)
        assert record["on"] == "2026-05-01" and record["factory_insight"] in ("100.00", None)
        assert facts_from_record(record) == original


def test_what_the_store_keeps_of_a_code_and_a_body_is_their_sha256():
    import hashlib

    assert code_digest("TSV-AAAA-BBBB-CCCC-DDDD-EEEE") == hashlib.sha256(b"TSV-AAAA-BBBB-CCCC-DDDD-EEEE").hexdigest()
    assert body_digest("Bedrijf: Ünal\n") == hashlib.sha256("Bedrijf: Ünal\n".encode()).hexdigest()


def test_the_language_error_names_the_languages():
    with pytest.raises(ValidationError) as raised:
        checked_language("de")
    assert raised.value.message == "a statement is written in one of nl, en"


def test_the_dutch_statement_of_a_member_line_by_line():
    body = statement_body(facts(), tender_criteria(facts()), heading("nl"))
    assert body.splitlines()[10:] == [
        "Categorie: A",
        "Niveau: 3, beoordeeld op 2026-03-01",
        "Positieve jaarbeoordelingen op rij: 3",
        "Fabrieken in beeld: 100,00 %",
        "Groeves in beeld: 75,00 %",
        (
            "Plan van aanpak: gepubliceerd op de ledenlijst van TruStone bij de beoordeling van 2026-03-01"
            " (rapportagejaar 2025)"
        ),
        "",
        "Aanbestedingscriteria (convenant bijlage 3; snelgids voor lokale besturen):",
        "- [voldaan] fabrieken in beeld: ten minste 100 %: 100,00 %",
        "- [voldaan] groeves in beeld: ten minste 75 %: 75,00 %",
        "- [voldaan] positieve jaarbeoordelingen op rij: ten minste 3: 3",
        "- [voldaan] niveau 3 of hoger (bijlage 3, 'significant'): 3",
        "- [niet voldaan] niveau 4 of hoger (bijlage 3, 'ambitieus'): 3",
        "",
        (
            "Deze verklaring noemt geen leverancier, geen productielocatie en geen ander bedrijf. TruStone rangschikt"
            " geen inschrijvers."
        ),
        (
            "Ondertekend met de verklaringssleutel van TruStone (Ed25519) die hieronder staat; de publieke sleutel"
            " staat op https://registry.example/api/v1/public/statement-keys."
        ),
    ]


@pytest.mark.parametrize(
    ("standing", "ended_on", "line"),
    [
        (
            "not_yet_member",
            None,
            "Lidmaatschap op die datum: geen lid: het bedrijf was op die datum nog niet aangesloten bij TruStone",
        ),
        (
            "withdrawn",
            dt.date(2025, 12, 31),
            "Lidmaatschap op die datum: geen lid: het bedrijf heeft zich teruggetrokken op 2025-12-31",
        ),
        (
            "excluded",
            dt.date(2025, 6, 30),
            "Lidmaatschap op die datum: geen lid: het bedrijf is uitgesloten op 2025-06-30",
        ),
    ],
)
def test_the_dutch_statement_about_a_non_member(standing, ended_on, line):
    gone = facts(member=False, standing=standing, ended_on=ended_on)
    lines = statement_body(gone, tender_criteria(gone), heading("nl")).splitlines()
    assert lines[9:12] == [
        line,
        "",
        "Het bedrijf was op die datum geen deelnemend lid: de criteria zijn niet van toepassing.",
    ]


def test_the_dutch_statement_of_a_member_not_yet_assessed():
    new = facts(level=None, level_assessed_on=None, action_plan_published_on=None, action_plan_year=None)
    lines = statement_body(new, tender_criteria(new), heading("nl")).splitlines()
    assert "Niveau: nog niet beoordeeld" in lines
    assert "Plan van aanpak: nog niet gepubliceerd (nog geen beoordeling)" in lines
    assert "- [niet voldaan] niveau 3 of hoger (bijlage 3, 'significant'): -" in lines
    assert "- [niet voldaan] niveau 4 of hoger (bijlage 3, 'ambitieus'): -" in lines
