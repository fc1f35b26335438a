"""Envelope encryption through the store: sealed at rest, row-bound, rotatable, shreddable."""

import dataclasses
import datetime as dt

import pytest

from keys.access.filter import IntegrityError
from keys.access.principal import SystemPrincipal
from keys.encryption.administration import rotate_master_key
from registry.domain.errors import GoneError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import SECRET_NOTE, SECRET_PRICE, SITE_NAME, csv_bytes, factory_row, quarry_row
from tests.principals import secretariat
from trustone.bootstrap import bootstrap

OPERATOR = SystemPrincipal("keys-admin:test")
TODAY = dt.date(2025, 4, 1)


@pytest.fixture
def two_reports(registry, member):
    registry.register_organisation("graniet-import", "Graniet Import NV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join("graniet-import", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    registry.import_report(
        "graniet-import",
        2024,
        csv_bytes(
            [
                factory_row(
                    name="Laizhou Granite Works",
                    country="CN",
                    province="Shandong",
                    district="Laizhou",
                    latitude="37.18",
                    longitude="119.94",
                )
            ]
        ),
        "b.csv",
        submitted_on=TODAY,
    )
    return member, "graniet-import"


def stored_events(registry):
    return registry.recorder.select_notifications(start=1, limit=1_000_000)


def version_events(registry):
    return [n for n in stored_events(registry) if n.topic.endswith("SupplyChainReport.VersionSubmitted")]


def test_confidential_fields_are_not_in_the_stored_event_state(registry, two_reports):
    for stored in version_events(registry):
        for secret in (SECRET_PRICE, SECRET_NOTE, SITE_NAME, "Laizhou Granite Works"):
            assert secret.encode() not in stored.state
        # and no site id (the pair company-site) either
        assert b"IN-RJ-" not in stored.state and b"CN-SD-" not in stored.state


def test_a_sealed_field_moved_to_another_row_does_not_open(registry, two_reports, content_of):
    first, second = version_events(registry)
    swapped = dataclasses.replace(first, state=second.state)  # row 1's identity, row 2's ciphertext
    event = registry.mapper.to_domain_event(swapped)
    with pytest.raises(IntegrityError):  # not taken for shredded (issue 11 channel 5)
        registry.vault.filter.open(
            SystemPrincipal("projection:test"), "read_report", registry_facts(), {"links": event.links}, audit()
        )
    assert content_of(two_reports[0], 2024).links  # the untouched rows still open


def registry_facts():
    from keys.access.policy import Facts

    return Facts()


def audit():
    from keys.access.filter import Audit

    return Audit(subject_kind="report", purpose="test")


def test_rotation_rewraps_keys_and_old_events_stay_readable_without_rewriting_any(services, two_reports, content_of):
    before = [(n.originator_id, n.originator_version, n.state) for n in stored_events(services.registry)]
    old_master = services.keyring.primary_id
    result = rotate_master_key(services.filter, services.keyring, services.datakeys, OPERATOR)
    assert result.new_master_key_id != old_master and result.rewrapped >= 2
    assert old_master in result.retired  # nothing is wrapped with it any more
    after = [(n.originator_id, n.originator_version, n.state) for n in stored_events(services.registry)]
    assert after == before
    fresh = bootstrap(services.settings)  # a new process: keys come from the rotated keyring
    try:
        member = two_reports[0]
        principal_read = fresh.registry.read_report(secretariat(), member, 2024, purpose="test")
        assert principal_read == content_of(member, 2024)
    finally:
        fresh.close()


def test_shredding_one_company_leaves_every_other_company_readable(services, two_reports, content_of):
    shredded, kept = two_reports
    kept_before = content_of(kept, 2024)
    assert services.shredding.shred(shredded, OPERATOR) >= 1
    with pytest.raises(GoneError):
        content_of(shredded, 2024)
    assert content_of(kept, 2024) == kept_before
    fresh = bootstrap(services.settings)
    try:
        with pytest.raises(GoneError):
            fresh.registry.read_report(secretariat(), shredded, 2024, purpose="test")
        assert fresh.registry.read_report(secretariat(), kept, 2024, purpose="test") == kept_before
        assert fresh.registry.company(shredded).shredded_on is not None  # the shredding is on record
    finally:
        fresh.close()


def test_rotation_and_shredding_are_in_the_access_log(services, two_reports):
    rotate_master_key(services.filter, services.keyring, services.datakeys, OPERATOR)
    services.shredding.shred(two_reports[0], OPERATOR)
    entries = services.access_log.entries(actor=OPERATOR.login)
    assert [(e.action, e.outcome.value if hasattr(e.outcome, "value") else e.outcome) for e in entries] == [
        ("administer_keys", "granted"),
        ("administer_keys", "granted"),
    ]
