"""Issue 10 item 1: the same file uploaded again changes nothing, whatever the review state of its rows.

"Nothing" is measured on the store itself: no new event of any aggregate (report version, site,
region index, review queue), checked through the recorder's notification log.
"""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, unknown_quarry_row, xlsx_bytes
from tests.site_intake import register_waiting_sites

TODAY = dt.date(2025, 4, 1)


def stored_position(registry) -> int:
    return registry.recorder.max_notification_id() or 0


def held_row() -> dict[str, str]:
    """The registered quarry's name again, but without coordinates or district: a namesake is
    possible, so the registry holds the described site for a person to decide."""
    return quarry_row(district="", latitude="", longitude="")


def test_a_file_with_a_held_row_uploaded_five_times_is_recorded_once(services, registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    data = csv_bytes([held_row(), factory_row()])
    first = registry.import_report(member, 2025, data, "b.csv", submitted_on=TODAY)
    assert (first.changed, first.version, first.held_for_review) == (True, 1, 1)
    register_waiting_sites(services)
    queue = registry.sites_awaiting_review()
    assert len(queue) == 1
    after_first = stored_position(registry)
    for _ in range(4):
        again = registry.import_report(member, 2025, data, "b.csv", submitted_on=TODAY)
        assert (again.changed, again.version, again.new_sites, again.held_for_review) == (False, 1, 0, 0)
    assert stored_position(registry) == after_first
    assert registry.sites_awaiting_review() == queue


@pytest.mark.parametrize("same", [True, False], ids=["decided-same", "decided-distinct"])
def test_after_the_held_row_is_decided_the_same_file_still_changes_nothing(services, registry, member, same):
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    data = csv_bytes([held_row(), factory_row()])
    registry.import_report(member, 2025, data, "b.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    ((held_id, _),) = registry.sites_awaiting_review()
    registry.decide_duplicate(held_id, same_as_candidate=same, decided_by="secretariat-1")
    before = stored_position(registry)
    again = registry.import_report(member, 2025, data, "b.csv", submitted_on=TODAY)
    assert (again.changed, again.version) == (False, 1)
    assert stored_position(registry) == before
    assert registry.sites_awaiting_review() == []


# --- the property: any valid file imported twice changes nothing -------------------------------

_NAMES = ("Mahadev Sandstone Quarry Bijolia", "Mahadev Sandstone Quarries Bijoliya", "Kota Stone Works")


@st.composite
def link_rows(draw) -> dict[str, str]:
    kind = draw(st.sampled_from(("described-quarry", "factory", "unknown")))
    if kind == "unknown":
        return unknown_quarry_row(chain=draw(st.sampled_from(("C1", "C2"))))
    extra = {"name": draw(st.sampled_from(_NAMES)), "chain": draw(st.sampled_from(("C1", "C2")))}
    if draw(st.booleans()):
        extra.update(latitude="", longitude="")
    else:
        extra["latitude"] = draw(st.sampled_from(("25.1712", "25.1750", "25.1712")))
    if draw(st.booleans()):
        extra["district"] = ""
    return quarry_row(**extra) if kind == "described-quarry" else factory_row(**extra)


_refs = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(link_rows(), min_size=1, max_size=5),
    as_xlsx=st.booleans(),
    decide=st.sampled_from((None, True, False)),
)
def test_any_valid_file_imported_twice_changes_nothing(registry, member, rows, as_xlsx, decide):
    """Each example reports as a new company, against the sites (and held sites) of earlier ones."""
    ref = f"prop-{next(_refs)}"
    registry.register_organisation(ref, f"Property Company {ref}", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join(ref, dt.date(2021, 1, 1), CompanyCategory.B, CompanySize.SMALL)
    data, name = (xlsx_bytes(rows), "r.xlsx") if as_xlsx else (csv_bytes(rows), "r.csv")
    first = registry.import_report(ref, 2024, data, name, submitted_on=TODAY)
    if decide is not None:
        for held_id, _ in registry.sites_awaiting_review():
            registry.decide_duplicate(held_id, same_as_candidate=decide, decided_by="secretariat-1")
    queue, before = registry.sites_awaiting_review(), stored_position(registry)
    again = registry.import_report(ref, 2024, data, name, submitted_on=TODAY)
    assert (again.changed, again.version, again.new_sites, again.held_for_review) == (False, first.version, 0, 0)
    assert stored_position(registry) == before
    assert registry.sites_awaiting_review() == queue
