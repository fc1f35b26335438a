"""The secretariat's register of organisations and its user administration in the access-matrix
walk (issue 13, item 3; docs/access.md, "The secretariat's duties"): every route, every role,
allowed and denied, each attempt exactly one access-log entry with the response's request id;
anonymous attempts are refused at authentication and leave none.

Creating a login (``POST /api/v1/users``) is the "user admin" cell of test_access_matrix.py."""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    THIRD,
    Cell,
    client,
    password_hash,
    tokens,
    walk_tests,
    world,
)

SECRETARIAT_ONLY = frozenset({Role.SECRETARIAT})
TODAY = dt.date.today().isoformat()


def a_new_company(world) -> dict[str, str]:
    world.registry.register_organisation("nieuwe-steen", "Nieuwe Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    return {"ref": "nieuwe-steen"}


def a_login_to_administer(world) -> dict[str, str]:
    """Another person of the NGO (the walker's own logins stay as they are)."""
    world.registry.create_account("collega@arisa.nl", Role.NGO, "arisa", "Collega", password_hash(), None)
    return {"login": "collega@arisa.nl"}


CELLS = [
    Cell(
        "register an organisation",
        "manage_organisations",
        "POST",
        "/api/v1/organisations",
        SECRETARIAT_ONLY,
        json={"ref": "nieuwe-steen", "name": "Nieuwe Steen BV", "kind": "member_company", "country": "NL"},
    ),
    Cell("list organisations", "read_organisations", "GET", "/api/v1/organisations", SECRETARIAT_ONLY),
    Cell("look up an organisation", "read_organisations", "GET", f"/api/v1/organisations/{OTHER}", SECRETARIAT_ONLY),
    Cell(
        "record joining",
        "manage_organisations",
        "POST",
        "/api/v1/organisations/{ref}/join",
        SECRETARIAT_ONLY,
        json={"on": "2025-03-01", "category": "C", "size": "small"},
        prepare=a_new_company,
    ),
    Cell(
        "record withdrawal",
        "manage_organisations",
        "POST",
        f"/api/v1/organisations/{OTHER}/withdraw",
        SECRETARIAT_ONLY,
        json={"on": TODAY},
    ),
    Cell(
        "record exclusion",
        "manage_organisations",
        "POST",
        f"/api/v1/organisations/{THIRD}/exclude",
        SECRETARIAT_ONLY,
        json={"on": TODAY},
    ),
    Cell(
        "set contact address",
        "manage_organisations",
        "PUT",
        f"/api/v1/organisations/{OTHER}/contact",
        SECRETARIAT_ONLY,
        json={"contact_email": "meldingen@andere-steen.be"},
    ),
    Cell(
        "list an organisation's logins", "administer_users", "GET", "/api/v1/users?organisation=arisa", SECRETARIAT_ONLY
    ),
    Cell(
        "disable a login",
        "administer_users",
        "POST",
        "/api/v1/users/{login}/disable",
        SECRETARIAT_ONLY,
        json={"reason": "left the organisation"},
        prepare=a_login_to_administer,
    ),
    Cell(
        "reset a second factor",
        "administer_users",
        "POST",
        "/api/v1/users/{login}/reset-totp",
        SECRETARIAT_ONLY,
        prepare=a_login_to_administer,
    ),
]
# every cell by every role, allowed or denied, each attempt one access-log entry; and each cell
# refused to anonymous before any data is touched (tests/e2e/matrix.py)
test_each_cell_is_allowed_or_denied_and_logged_exactly_once, test_anonymous_requests_are_refused = walk_tests(CELLS)
