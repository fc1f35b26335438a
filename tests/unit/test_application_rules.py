import pytest

from registry.application import RegistryApplication
from registry.domain.reports import SupplyChainReport


def test_an_aggregate_with_confidential_fields_cannot_be_snapshotted():
    class Careless(RegistryApplication):
        snapshotting_intervals = {**RegistryApplication.snapshotting_intervals, SupplyChainReport: 10}

    with pytest.raises(TypeError, match="SupplyChainReport"):
        Careless(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, vault=object())


def test_the_registry_snapshots_only_public_aggregates():
    confidential = {name.split(".", 1)[0] for name in RegistryApplication.confidential_events}
    assert confidential == {"SupplyChainReport", "UserAccount"}
    assert not confidential & {cls.__name__ for cls in RegistryApplication.snapshotting_intervals}
