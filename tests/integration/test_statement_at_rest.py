"""An issued evidence statement, seen from the database alone (no keyring): docs/statements.md.

The record kept of a statement is sealed under one key for all statements and found by the hash of
its code. A reader of every table (and on SQLite of the raw files) learns that a statement was issued
and when, not about which company, for which buyer, what it says, or its code (which opens it).
"""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.test_database_dump import postgres_dump, sqlite_dump, sqlite_raw_text
from tests.principals import of_account

COMPANY, COMPANY_NAME = "zeldzaam-graniet", "Zeldzaam Graniet Import BV"
BUYER, BUYER_NAME = "gemeente-oudewater", "Gemeente Oudewater"


def test_the_database_holds_no_statement_in_clear(services):
    registry = services.registry
    registry.register_organisation(COMPANY, COMPANY_NAME, OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join(COMPANY, dt.date(2024, 1, 1), CompanyCategory.A, CompanySize.SMALL)
    registry.register_organisation(BUYER, BUYER_NAME, OrganisationKind.PUBLIC_BUYER, "NL")
    registry.create_account("inkoper.oudewater", Role.BUYER, BUYER, "Inkoper", "not-used-here", None)
    statement = services.statements.issue(of_account(services, "inkoper.oudewater"), COMPANY, dt.date(2025, 6, 1), "nl")
    assert COMPANY_NAME in statement.document and BUYER_NAME in statement.document

    rows = sqlite_dump(services.settings) if services.settings.backend == "sqlite" else postgres_dump(services)
    raw = sqlite_raw_text(services.settings) if services.settings.backend == "sqlite" else ""
    statement_rows = [row for row in rows if "EvidenceStatement" in row]
    assert len(statement_rows) == 1  # the one Issued event, found by its topic
    for secret in (COMPANY, COMPANY_NAME, BUYER, BUYER_NAME, statement.code, "Gevraagde datum", "2025-06-01"):
        assert secret not in statement_rows[0], secret
    for where in ("\n".join(rows), raw):
        assert statement.code not in where
        assert statement.code.replace("-", "") not in where
        assert "TRUSTONE-BEWIJSVERKLARING" not in where
