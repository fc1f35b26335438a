import datetime as dt
from decimal import Decimal

import pytest

from registry.domain.errors import ConflictError
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, unknown_quarry_row

D = dt.date


def test_membership_on_a_date_survives_the_store(services, member):
    services.registry.withdraw(member, D(2024, 7, 1))
    # a new application instance reads it all back from the store
    from trustone.bootstrap import bootstrap

    fresh = bootstrap(services.settings)
    assert fresh.registry.member_status_on(member, D(2024, 6, 30)).member is True
    assert fresh.registry.member_status_on(member, D(2024, 7, 1)).member is False
    assert fresh.registry.member_status_on(member, D(2021, 2, 28)).member is False
    fresh.close()


def test_an_assessment_sets_the_level_shown_for_later_dates(registry, member):
    data = csv_bytes([quarry_row(), factory_row(), unknown_quarry_row()])
    registry.import_report(member, 2024, data, "r.csv", submitted_on=D(2025, 3, 1))
    record = registry.assess_report(member, 2024, Decimal(45), assessed_on=D(2025, 5, 1), assessed_by="secretariat-1")
    # quarries: 1 of 2 known = 50%, factories 1 of 1 = 100%, score 45 -> level 2
    assert (record.quarry_insight, record.factory_insight, record.level) == (Decimal("50.00"), Decimal("100.00"), 2)
    assert record.next_due == D(2026, 5, 1)
    assert registry.report(member, 2024).status.value == "assessed"
    assert registry.member_status_on(member, D(2025, 4, 30)).level is None
    status = registry.member_status_on(member, D(2025, 5, 1))
    assert (status.level, status.level_assessed_on) == (2, D(2025, 5, 1))


def test_an_assessed_version_cannot_be_assessed_again_but_a_new_version_can(registry, member):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    registry.assess_report(member, 2024, Decimal(70), assessed_on=D(2025, 5, 1), assessed_by="s")
    with pytest.raises(ConflictError):
        registry.assess_report(member, 2024, Decimal(70), assessed_on=D(2025, 5, 2), assessed_by="s")
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "r2.csv", submitted_on=D(2025, 6, 1))
    assert registry.report(member, 2024).status.value == "submitted"
    assert registry.assess_report(member, 2024, Decimal(70), assessed_on=D(2025, 6, 5), assessed_by="s").version == 2


def test_a_status_after_today_is_refused_naming_the_date_field(registry, member):
    from registry.domain.errors import ValidationError

    assert registry.member_status_on(member, D(2024, 6, 30), today=D(2024, 6, 30)).member is True
    with pytest.raises(ValidationError) as refused:
        registry.member_status_on(member, D(2024, 7, 1), today=D(2024, 6, 30))
    assert refused.value.field == "on"
    assert "up to today (2024-06-30)" in refused.value.message
