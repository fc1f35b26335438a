"""The JSON twins of the use-case methods the pages of issue 14 call (a company's own links, the
report draft, buyers' status checks, the filtered access log, the companies to notify, a duty's case
desk) walked over HTTP for every role, allowed and denied: each attempt is exactly one access-log
entry naming the action and the outcome, with the response's request id; an anonymous request is
401 and logs nothing.

The world is the matrix's (tests/e2e/matrix.py): three member companies have each submitted a 2024
report with a known quarry and factory. A draft or a grievance case is made for the cells that need
one (``Cell.prepare``): the values it returns fill the path's and the body's ``{placeholders}``."""

from __future__ import annotations

import json

import pytest

from registry.domain.accounts import Role
from registry.domain.reports import ReportContent
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    Cell,
    _everyone_but,
    assert_anonymous_refused,
    assert_walked,
    client,
    send,
    tokens,
    walk,
    walk_ids,
    world,
)
from tests.e2e.test_access_matrix import case_in_stage, principal_of

SECRETARIAT = frozenset({Role.SECRETARIAT})
OWN_OR_SECRETARIAT = frozenset({Role.SECRETARIAT, Role.COMPANY})
LOG_READERS = _everyone_but(Role.COMMITTEE, Role.BUYER)  # docs/access.md, the access-log row


def site_ids(world) -> dict[str, str]:
    """The registered quarry and factory the three companies' 2024 reports describe."""
    world.projections.catch_up()
    sites = {site.kind: site.site_id for site in world.aggregated_list.sites(2024)[1]}
    return {"quarry": sites["quarry"], "factory": sites["factory"]}


def draft_rows(quarry: str, factory: str) -> list[dict[str, str]]:
    """A report entered in the form: the quarry and the factory, by their registered ids."""
    common = {"stone_type": "sandstone", "product": "paving", "volume_unit": "m2"}
    return [
        {
            "chain": "D1",
            "tier": "2",
            "site_kind": "quarry",
            "site_id": quarry,
            "channel": "trader",
            "origin_confidence": "claimed",
            "circular": "no",
            "volume": "120",
            "price_eur_per_unit": "55.50",
            **common,
        },
        {
            "chain": "D1",
            "tier": "1",
            "site_kind": "factory",
            "site_id": factory,
            "channel": "direct",
            "origin_confidence": "verified",
            "circular": "no",
            **common,
        },
    ]


DRAFT = {"links": draft_rows("{quarry}", "{factory}")}


def with_draft(world) -> dict[str, str]:
    """A 2024 draft of each company: its own by the company's login, the other's under the
    secretariat's read of its report (no login of that company exists in this world)."""
    ids = site_ids(world)
    world.reports.save_draft(principal_of(world, Role.COMPANY), OWN, 2024, draft_rows(**ids))
    read = world.reports.read(principal_of(world, Role.SECRETARIAT), OTHER, 2024)
    world.registry.save_report_draft(OTHER, 2024, ReportContent(links=read.links, terms=read.terms))
    return ids


def case(stage: str):
    return lambda world: {"ref": case_in_stage(world, stage)}


CELLS = [
    Cell("own links", "read_report", "GET", f"/api/v1/companies/{OWN}/reports/2024/links", OWN_OR_SECRETARIAT),
    Cell(
        "own links of a year without a report",
        "read_report",
        "GET",
        f"/api/v1/companies/{OWN}/reports/2023/links",
        OWN_OR_SECRETARIAT,
    ),
    Cell("another company's links", "read_report", "GET", f"/api/v1/companies/{OTHER}/reports/2024/links", SECRETARIAT),
    Cell(
        "own links in a case file",  # a company notified of a case before the committee
        "read_report",
        "GET",
        f"/api/v1/companies/{OWN}/reports/2024/links",
        frozenset({Role.SECRETARIAT, Role.COMPANY, Role.COMMITTEE}),
        prepare=lambda world: {"case": case_in_stage(world, "referred_after_notice")},
    ),
    Cell(
        "save own draft",
        "submit_report",
        "PUT",
        f"/api/v1/companies/{OWN}/reports/2024/draft",
        frozenset({Role.COMPANY}),
        json=DRAFT,
        prepare=site_ids,
    ),
    Cell(
        "save another company's draft",
        "submit_report",
        "PUT",
        f"/api/v1/companies/{OTHER}/reports/2024/draft",
        frozenset(),
        json=DRAFT,
        prepare=site_ids,
    ),
    Cell(
        "read own draft",
        "read_report",
        "GET",
        f"/api/v1/companies/{OWN}/reports/2024/draft",
        OWN_OR_SECRETARIAT,
        prepare=with_draft,
    ),
    Cell(
        "read another company's draft",
        "read_report",
        "GET",
        f"/api/v1/companies/{OTHER}/reports/2024/draft",
        SECRETARIAT,
        prepare=with_draft,
    ),
    Cell(
        "submit own draft",
        "submit_report",
        "POST",
        f"/api/v1/companies/{OWN}/reports/2024/draft/submit",
        frozenset({Role.COMPANY}),
        prepare=with_draft,
    ),
    Cell(
        "submit another company's draft",
        "submit_report",
        "POST",
        f"/api/v1/companies/{OTHER}/reports/2024/draft/submit",
        frozenset(),
        prepare=with_draft,
    ),
    Cell("buyers' status checks", "read_access_log", "GET", "/api/v1/audit/status-checks", LOG_READERS),
    Cell("access-log search", "read_access_log", "GET", "/api/v1/audit/access-log/search", LOG_READERS),
    Cell(
        "access-log search by action and period",
        "read_access_log",
        "GET",
        "/api/v1/audit/access-log/search?action=read_report&outcome=granted&since=2020-01-01&until=2099-12-31",
        LOG_READERS,
    ),
    Cell(
        "companies to notify",
        "notify_companies",
        "GET",
        "/api/v1/grievances/{ref}/companies-to-notify",
        SECRETARIAT,
        prepare=case("matched"),
    ),
    Cell(
        "companies to notify before matching",
        "notify_companies",
        "GET",
        "/api/v1/grievances/{ref}/companies-to-notify",
        SECRETARIAT,
        prepare=case("filed"),
    ),
    Cell("the secretariat's case desk", "manage_case", "GET", "/api/v1/grievances/desk/manage_case", SECRETARIAT),
    Cell(
        "the committee's case files",
        "record_committee_decision",
        "GET",
        "/api/v1/grievances/desk/record_committee_decision",
        frozenset({Role.COMMITTEE}),
    ),
]
WALK = walk(CELLS)


def prepared(world, cell: Cell) -> tuple[str, dict | None]:
    """The cell's path and body with what ``cell.prepare`` built in their ``{placeholders}``."""
    values = cell.prepare(world) if cell.prepare else {}
    body = (
        json.loads(
            json.dumps(cell.json)
            .replace("{quarry}", values.get("quarry", ""))
            .replace("{factory}", values.get("factory", ""))
        )
        if cell.json
        else None
    )
    return cell.path.format(**values), body


@pytest.mark.parametrize(("cell", "role"), WALK, ids=walk_ids(WALK))
def test_each_cell_is_allowed_or_denied_and_logged_exactly_once(client, world, tokens, cell, role):
    path, body = prepared(world, cell)
    assert_walked(client, world, tokens, cell, role, path, body)


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
def test_anonymous_requests_are_refused_before_any_data_is_touched(client, world, cell):
    path, body = prepared(world, cell)
    assert_anonymous_refused(world, lambda: send(client, cell, None, path, body))
