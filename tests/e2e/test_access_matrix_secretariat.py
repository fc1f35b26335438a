"""The secretariat's duties of issue 13 (reports awaiting assessment, the assessment, delay
explanations, held duplicate sites, publishing the quarry-region list) walked over HTTP for every
role, allowed and denied: each attempt is exactly one access-log entry naming the action and the
outcome, with the response's request id; an anonymous request is 401 and logs nothing.

The world is the matrix's (tests/e2e/matrix.py): three member companies have each submitted a 2024
report, so each has one waiting for assessment and 2024's aggregated list is released (k = 3). A
held duplicate is made for the cells that need one (``Cell.prepare``)."""

from __future__ import annotations

import datetime as dt

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
from tests.integration.report_files import csv_bytes, quarry_row
from tests.site_intake import register_waiting_sites

SECRETARIAT = frozenset({Role.SECRETARIAT})


def held_site(world) -> dict[str, str]:
    """A quarry described 400 m from the one the three companies report, under a similar name: once
    registered (with other members' new sites), it is held with the known quarry as its candidate."""
    nearby = quarry_row(chain="N1", name="Mahadev Sandstone Quarries Bijoliya", latitude="25.1750")
    world.registry.import_report(OWN, 2025, csv_bytes([nearby]), "n.csv", submitted_on=dt.date(2025, 3, 2))
    register_waiting_sites(world)
    [(held, _)] = world.registry.sites_awaiting_review()
    return {"site": held}


CELLS = [
    Cell("assessment queue", "read_assessment_queue", "GET", "/api/v1/assessment/queue", SECRETARIAT),
    Cell(
        "assess a report",
        "assess_report",
        "POST",
        f"/api/v1/assessment/{OWN}/2024",
        SECRETARIAT,
        json={"version": 1, "due_diligence_score": "65"},
    ),
    Cell(
        "explain own delay",
        "explain_delay",
        "PUT",
        f"/api/v1/assessment/{OWN}/2024/delay-explanation",
        frozenset({Role.SECRETARIAT, Role.COMPANY}),
        json={"explanation": "The audits of our quarries take until the autumn."},
    ),
    Cell(
        "explain another company's delay",
        "explain_delay",
        "PUT",
        f"/api/v1/assessment/{OTHER}/2024/delay-explanation",
        SECRETARIAT,
        json={"explanation": "The audits of our quarries take until the autumn."},
    ),
    Cell("held duplicate sites", "read_duplicate_queue", "GET", "/api/v1/held-sites", SECRETARIAT, prepare=held_site),
    Cell(
        "decide a held duplicate",
        "decide_duplicate",
        "POST",
        "/api/v1/held-sites/{site}/decision",
        SECRETARIAT,
        json={"decision": "same"},
        prepare=held_site,
    ),
    Cell(
        "preview the quarry-region list",
        "publish_list",
        "GET",
        "/api/v1/publications/quarry-regions/2024/preview",
        SECRETARIAT,
    ),
    Cell(
        "publish the quarry-region list",
        "publish_list",
        "POST",
        "/api/v1/publications/quarry-regions/2024",
        SECRETARIAT,
    ),
]
# every cell by every role, allowed or denied, each attempt one access-log entry; and each cell
# refused to anonymous before any data is touched (tests/e2e/matrix.py)
test_each_cell_is_allowed_or_denied_and_logged_exactly_once, test_anonymous_requests_are_refused = walk_tests(CELLS)
