"""Issue 17: "A company whose recorded category does not match its reported chains appears in the
secretariat's queue". The category queue is on the contributions page, from the prepared statements;
the secretariat's desk ("waiting for me") says when there is something to prepare: a member of this
year without its statement, or a statement resting on an older version of last year's report than
the company's latest. Counted from what is in clear, on both stores, with the services' clock set."""

from __future__ import annotations

import datetime as dt

import pytest

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.clock import FakeClock
from tests.integration.report_files import csv_bytes, factory_row, quarry_row

QUEUE = "contribution statements to prepare"
TODAY = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clerk(services) -> Principal:
    services.clock.set(FakeClock(TODAY))
    registry = services.registry
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    for ref, joined in (("aa-steen", dt.date(2022, 1, 1)), ("bb-steen", dt.date(2022, 1, 1))):
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, joined, CompanyCategory.C, CompanySize.SMALL)
        registry.import_report(
            ref, 2025, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2026, 3, 1)
        )
    registry.register_organisation("cc-steen", "Cc-Steen", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join("cc-steen", dt.date(2026, 3, 1), CompanyCategory.B, CompanySize.SMALL)  # new: no report
    return Principal("secretariat.user", Role.SECRETARIAT, registry.organisation_id("secretariaat"), "secretariaat")


def queue(services, clerk):
    found = {q.queue: q for q in services.waiting.summary(clerk).queues}
    entry = found[QUEUE]
    first = entry.first
    return entry.count, None if first is None else (first.ref, first.on, first.what)


def test_the_desk_lists_what_to_prepare_until_it_is_prepared_and_again_after_a_correction(services, clerk):
    # nothing prepared: every member of 2026, since the year began (the new member since it joined)
    assert queue(services, clerk) == (3, ("aa-steen/2026", dt.date(2026, 1, 1), "not prepared"))
    services.contributions.prepare(clerk, 2026)
    assert queue(services, clerk) == (0, None)
    # a corrected 2025 report: the 2026 statement rests on version 1, the latest is version 2
    services.registry.import_report(
        "bb-steen",
        2025,
        csv_bytes([quarry_row(), factory_row(), factory_row(chain="C2", name="Udaipur Works")]),
        "r2.csv",
        submitted_on=dt.date(2026, 6, 10),
    )
    assert queue(services, clerk) == (1, ("bb-steen/2026", dt.date(2026, 6, 10), "report version 2"))
    services.contributions.prepare(clerk, 2026)
    assert queue(services, clerk) == (0, None)


def test_only_the_secretariat_has_the_queue(services, clerk):
    import uuid

    for role in (Role.NGO, Role.UNION, Role.COMPANY, Role.COMMITTEE, Role.AUDITOR, Role.BUYER):
        other = Principal(f"{role.value}.user", role, uuid.uuid4(), "aa-steen")
        queues = [q.queue for q in services.waiting.summary(other).queues]
        assert QUEUE not in queues, role
