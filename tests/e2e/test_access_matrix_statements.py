"""Evidence statements (issue 15) walked over HTTP for every role, allowed and denied: a public buyer
asks about any member company (art. 6 lid 1), a company about itself only (snelgids box 5: it hands
the statement to the buyer), the secretariat about any (it advises buyers); NGO and union parties,
the committee and the auditor issue none. Each attempt is exactly one access-log entry naming the
action and the outcome; an anonymous request is 401 and logs nothing."""

from __future__ import annotations

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    Cell,
    client,
    tokens,
    walk_tests,
    world,
)

CELLS = [
    Cell(
        "statement about own company",
        "issue_statement",
        "POST",
        "/api/v1/statements",
        frozenset({Role.SECRETARIAT, Role.COMPANY, Role.BUYER}),
        json={"company": OWN, "on": "2024-06-01", "language": "nl"},
    ),
    Cell(
        "statement about another company",
        "issue_statement",
        "POST",
        "/api/v1/statements",
        frozenset({Role.SECRETARIAT, Role.BUYER}),
        json={"company": OTHER, "on": "2024-06-01", "language": "en"},
    ),
]

test_walked, test_anonymous = walk_tests(CELLS)
