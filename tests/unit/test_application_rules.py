import pytest

from registry.application import RegistryApplication
from registry.domain.reports import SupplyChainReport


def test_an_aggregate_with_confidential_fields_cannot_be_snapshotted():
    class Careless(RegistryApplication):
        snapshotting_intervals = {**RegistryApplication.snapshotting_intervals, SupplyChainReport: 10}  # noqa: RUF012 - as the library declares it

    with pytest.raises(TypeError, match="SupplyChainReport"):
        Careless(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, vault=object())


def test_the_registry_snapshots_only_public_aggregates():
    confidential = {name.split(".", 1)[0] for name in RegistryApplication.confidential_events}
    # the signed declaration documents (issue 13) are sealed under the NGO party's key like the rest;
    # issue 15: evidence statements, the tender registers' titles and values, reports about tenders;
    # issue 16: a field check's link, findings and answer, a company's part of a verification frame;
    # issue 17: a contribution statement (its chain count and amount tell the size of the sourcing)
    assert confidential == {
        "SupplyChainReport",
        "UserAccount",
        "DataAccessRequest",
        "DeclarationDocument",
        "EvidenceStatement",
        "TenderYear",
        "TenderSignal",
        "FieldCheck",
        "FrameShare",
        "ContributionStatement",
    }
    assert not confidential & {cls.__name__ for cls in RegistryApplication.snapshotting_intervals}


def test_the_grievance_application_seals_its_cases_and_snapshots_only_its_case_numbers():
    from grievance.application import GrievanceApplication

    confidential = {name.split(".", 1)[0] for name in GrievanceApplication.confidential_events}
    assert confidential == {"GrievanceCase"}
    assert {cls.__name__ for cls in GrievanceApplication.snapshotting_intervals} == {"CaseNumbers"}


def test_a_grievance_case_cannot_be_snapshotted():
    from grievance.application import GrievanceApplication
    from grievance.domain.case import GrievanceCase

    class Careless(GrievanceApplication):
        snapshotting_intervals = {GrievanceCase: 5}  # noqa: RUF012 - as the library declares it

    with pytest.raises(TypeError, match="GrievanceCase"):
        Careless(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
            vault=object(),
            directory=object(),
            facts=object(),
        )
