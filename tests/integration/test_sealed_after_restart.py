"""What issue 15 seals opens again in a later process: each sealed field of the new events (a statement,
a tender register's entry, a report about a tender) is written by one set of services, then read and
checked (`trustone verify`) by services built anew on the same store, with an empty key cache.

Found by running the demo: a tender entry sealed under its government's *ref* opened within the
process that wrote it (its data key was still cached) and in no other, since a data key is unwrapped
with its owner's id. The first process's cache hid it from every test that read what it wrote.
"""

from __future__ import annotations

import datetime as dt

import pytest
from eventsourcing.domain import Aggregate, event

from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.principals import of_account
from trustone.bootstrap import bootstrap
from trustone.cli_verify import verify_services


def test_what_issue_15_seals_opens_in_a_new_process(services):
    registry = services.registry
    registry.register_organisation("steen-bv", "Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join("steen-bv", dt.date(2024, 1, 1), CompanyCategory.A, CompanySize.SMALL)
    registry.register_organisation("gemeente-a", "Gemeente A", OrganisationKind.PUBLIC_BUYER, "NL")
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.create_account("inkoper", Role.BUYER, "gemeente-a", "Inkoper", "not-used-here", None)
    registry.create_account("melder", Role.NGO, "arisa", "Melder", "not-used-here", None)
    buyer, ngo = of_account(services, "inkoper"), of_account(services, "melder")
    statement = services.statements.issue(buyer, "steen-bv", dt.date(2025, 6, 1), "nl")
    services.tenders.record(
        buyer, "gemeente-a", "Herinrichting Markt", dt.date(2025, 3, 1), None, "250k_1m", ["award_basis"], "type_2"
    )
    signal = services.tender_signals.report(
        ngo, "Gemeente B", "Kademuur", "https://example.org/t/1", "Geen due diligence gevraagd in het bestek."
    )
    settings = services.settings
    services.close()

    later = bootstrap(settings)
    try:
        assert later.statements.read(None, statement.code).document == statement.document
        [year] = later.tenders.register(of_account(later, "inkoper"), "gemeente-a").years
        assert [entry.title for entry in year.entries] == ["Herinrichting Markt"]
        assert later.tender_signals.get(of_account(later, "melder"), signal.id).title == "Kademuur"
        checked = verify_services(later)
        assert checked.failures == []
    finally:
        later.close()


class Careless(Aggregate):
    """An aggregate sealed under an organisation's ref instead of its id."""

    @event("Written")
    def __init__(self, owner: str, secret: str) -> None:
        self.owner = owner
        self.secret = secret


def test_a_sealed_field_whose_owner_is_no_uuid_is_refused_at_the_write(services):
    """By design, not by case: the mapper refuses to seal under an owner a later process cannot
    unwrap the key with, before anything is stored."""
    specs = {"Careless.Written": ("owner", ("secret",))}
    mapper = services.vault.mapper(services.registry.construct_transcoder(), "registry", specs)
    [written] = Careless(owner="gemeente-a", secret="Kademuur").collect_events()
    with pytest.raises(TypeError, match="the owner of a sealed field must be a UUID"):
        mapper.to_stored_event(written)
