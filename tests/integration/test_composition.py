"""The composition root (trustone/bootstrap.py) builds the services in one pass, on both stores.

Nothing is left unset to be patched in later, a second build on the same store works (``trustone
serve`` builds one per worker), and the services have one clock: set once, it is what the grievance
application, the declarations and the data-access requests take for now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.clock import FakeClock
from trustone.bootstrap import bootstrap

# A moment years after this code was written: the real date cannot pass for it.
NOW = dt.datetime(2031, 5, 6, 9, 30, tzinfo=dt.UTC)
VALID_UNTIL = dt.date(2031, 5, 8)  # the first day the declaration no longer counts
PDF = b"%PDF-1.4\n% a signed declaration\n%%EOF\n"
PARTNER = {"name": "Kishanpura Khan Mazdoor Sangathan", "contact": "+91 94140 77123"}


def _people(services) -> tuple[Principal, Principal]:
    registry = services.registry
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.create_account("secretariat.user", Role.SECRETARIAT, "secretariaat", "S", "not-used-here", None)
    registry.create_account("ngo.arisa", Role.NGO, "arisa", "N", "not-used-here", None)
    return (
        Principal("secretariat.user", Role.SECRETARIAT, registry.organisation_id("secretariaat"), "secretariaat"),
        Principal("ngo.arisa", Role.NGO, registry.organisation_id("arisa"), "arisa"),
    )


def test_no_field_of_the_services_is_left_unset(services):
    unset = [field.name for field in dataclasses.fields(services) if getattr(services, field.name) is None]
    assert unset == []


def test_building_the_services_twice_on_the_same_store_works_and_both_see_the_same_data(settings, services):
    services.registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    second = bootstrap(settings)
    try:
        assert second.registry.organisation("arisa").name == "Arisa"
        second.registry.register_organisation("fnv", "FNV", OrganisationKind.UNION_PARTY, "NL")
        assert services.registry.organisation("fnv").name == "FNV"
        assert second.grievance.references() == services.grievance.references() == []
    finally:
        second.close()


def test_the_clock_set_once_is_what_the_grievance_cases_the_declarations_and_data_access_see(services):
    secretariat, ngo = _people(services)
    clock = FakeClock(NOW)
    services.clock.set(clock)

    assert services.grievance.clock() == NOW
    # Signed "yesterday" by the fake clock: refused as a future date by the real one.
    view = services.declarations.record(
        secretariat, "ngo.arisa", "Verklaring", "2031-1", dt.date(2031, 5, 5), VALID_UNTIL, PDF
    )
    assert view.status == "valid"
    clock.advance(days=2)  # 2031-05-08: the declaration's first day without force
    assert services.declarations.get(secretariat, view.id).status == "expired"
    assert services.grievance.clock().date() == VALID_UNTIL

    services.data_access.request(ngo, PARTNER, "IN", "Rajasthan", "sandstone", "Monitoring quarries with a partner.")
    [request] = services.data_access.list_for(ngo)
    assert request.requested_on == VALID_UNTIL
