"""The retention schedule in the access-matrix walk (issue 16; docs/access.md "The retention schedule"):
every route, every role, allowed and denied, each attempt exactly one access-log entry with the
response's request id; anonymous attempts are refused at authentication and leave none.

The cells, from the design's matrix (section 3: "key rotation, shredding, user admin": the
secretariat's duty, the auditor's read-only report): reading the schedule, what expires, the report and
the erasure records, the secretariat and the auditor; extending a record's period and running the
erasure, the secretariat alone."""

from __future__ import annotations

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    ORGS,
    Cell,
    client,
    tokens,
    walk_tests,
    world,
)

BASE = "/api/v1/retention"
READERS = frozenset({Role.SECRETARIAT, Role.AUDITOR})
SECRETARIAT_ONLY = frozenset({Role.SECRETARIAT})


def person(world, role: Role) -> Principal:
    ref = ORGS[role][0]
    return Principal(f"{role.value}.user", role, world.registry.organisation_id(ref), ref)


def a_closed_case(world) -> dict[str, str]:
    """A complaint filed by the NGO party and closed by the secretariat (through the application, not a walker)."""
    clerk = person(world, Role.SECRETARIAT)
    reference, _code = world.grievance.file(
        person(world, Role.NGO),
        Filing(
            case_type="complaint",
            description="Wages at the quarry fell below the state minimum this season.",
            themes=["living_wage"],
            country="IN",
            region="Bhilwara",
            reporter=Reporter("Kamla Devi Meghwal"),
        ),
    )
    for step in ("acknowledge", "declare_inadmissible", "close"):
        world.grievance.advance(clerk, reference, step, "as decided")
    return {"ref": reference}


CELLS = [
    Cell("read the schedule", "read_retention", "GET", f"{BASE}/schedule", READERS),
    Cell("read what expires", "read_retention", "GET", f"{BASE}/due", READERS),
    Cell("read the report", "read_retention", "GET", f"{BASE}/report", READERS),
    Cell("read the erasure records", "read_retention", "GET", f"{BASE}/erasures", READERS),
    Cell(
        "extend a closed case's period",
        "manage_retention",
        "POST",
        BASE + "/records/closed_case/{ref}/extend",
        SECRETARIAT_ONLY,
        json={"days": 30, "reason": "a related case about the same site is open"},
        prepare=a_closed_case,
    ),
    Cell("run the erasure", "manage_retention", "POST", f"{BASE}/run", SECRETARIAT_ONLY),
]

test_walked, test_anonymous = walk_tests(CELLS)
