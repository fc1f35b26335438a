"""Every role against every page whose row is in the design's matrix (docs/access.md "The matrix"):
200 where the cell allows, 403 (drawn as a page) where it does not. The expectations are the
matrix's cells, written out here; the pages decide nothing, so this walks the policy through them.

The world is the access-matrix walk's (tests/e2e/matrix.py): the NGO holds a valid declaration."""

from __future__ import annotations

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)

S, NGO, UNION, COMPANY, COMMITTEE, AUDITOR, BUYER = (
    Role.SECRETARIAT,
    Role.NGO,
    Role.UNION,
    Role.COMPANY,
    Role.COMMITTEE,
    Role.AUDITOR,
    Role.BUYER,
)
EVERY_ROLE = frozenset(Role)

PAGES: dict[str, frozenset[Role]] = {
    # "notify affected companies" and the secretariat's duties (issue 13): the secretariat alone
    "/secretariat/cases": frozenset({S}),
    "/secretariat/assessment": frozenset({S}),
    "/secretariat/held-sites": frozenset({S}),
    "/secretariat/publishing": frozenset({S}),
    "/secretariat/data-access": frozenset({S}),  # release: approve
    # "key rotation, shredding, user admin": yes (admin duty)
    "/secretariat/users": frozenset({S}),
    # "record committee admissibility, hearing, ruling": the committee
    "/committee/cases": frozenset({COMMITTEE}),
    # "linked list": all / after a signed declaration / case-scoped (a search names no case's site)
    "/party/linked-list": frozenset({S, NGO}),
    # "aggregated list": all, yes, yes, -, yes
    "/party/aggregated-list": frozenset({S, NGO, UNION, COMMITTEE}),
    # "file a grievance report": NGO and union (a company files disputes only, not on this form)
    "/party/grievances/new": frozenset({NGO, UNION}),
    # "release part of the aggregated list to a local partner": request
    "/party/data-access/new": frozenset({NGO, UNION}),
    "/party/data-access": frozenset({NGO, UNION}),
    # "access log": own entries, own entries, own entries, about own data, -, all, -
    "/auditor/access-log": frozenset({S, NGO, UNION, COMPANY, AUDITOR}),
    # "verify a member's status / level on a date": every role
    "/buyer/member-status": EVERY_ROLE,
    # "published quarry-region list, public member listing": everyone
    "/public/quarry-regions": EVERY_ROLE,
    "/public/members": EVERY_ROLE,
    # the tender register (docs/tenders.md): a government's own; every government's: the secretariat
    "/buyer/tenders": frozenset({BUYER}),
    "/secretariat/tenders": frozenset({S}),
    "/public/tenders": EVERY_ROLE,
    # reports about tenders (docs/tender-signals.md): report, every role; track, the secretariat
    "/tender-signals": EVERY_ROLE,
    "/secretariat/tender-signals": frozenset({S}),
    "/public/tender-signals": EVERY_ROLE,
    # "issue an evidence statement" (docs/statements.md): secretariat, buyer about any member, company about itself
    "/buyer/statements": frozenset({S, BUYER}),
    "/company/statement": frozenset({S, COMPANY, BUYER}),
    "/verify": EVERY_ROLE,  # checking a statement: public
    # sample verification (docs/verification.md): manage, the secretariat; the rounds' records, also the
    # auditor; record findings, a party on its own checks; answer a correction, a company on its own
    "/secretariat/verification": frozenset({S}),
    "/auditor/verification": frozenset({S, AUDITOR}),
    "/party/field-checks": frozenset({NGO, UNION}),
    "/company/verification": frozenset({COMPANY}),
    "/public/verification": EVERY_ROLE,
    # the retention schedule (docs/retention.md): extend and run, the secretariat; read, also the auditor
    "/secretariat/retention": frozenset({S}),
    "/auditor/retention": frozenset({S, AUDITOR}),
    # contributions (docs/contributions.md): manage and read all, the secretariat; a company its own
    "/secretariat/contributions": frozenset({S}),
    "/company/contributions": frozenset({S, COMPANY}),
}


# The pages decide nothing and read through the same use cases on either store; the policy's cells
# are walked on both stores by the access-matrix tests. One store here keeps the walk short.
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_gets_a_page_exactly_where_the_matrix_allows(client, tokens, path):
    """Every role in turn (one world per page: the cells of a row share it)."""
    wrong = []
    for role in Role:
        client.cookies.set("trustone_session", tokens[role])
        answer = client.get(path)
        expected = 200 if role in PAGES[path] else 403
        if answer.status_code != expected or not answer.headers["content-type"].startswith("text/html"):
            wrong.append((role.value, answer.status_code, expected))
        assert "Traceback" not in answer.text
    assert not wrong, (path, wrong)
