"""Nothing confidential (company-site pairs, volumes, prices) in ids, event topics or log lines.

Event *state* is another matter: keys/ encrypts the confidential fields there (issue 4).
"""

import datetime as dt
import logging
import uuid

import pytest

from registry.domain.reports import SupplyChainReport
from registry.domain.sites import ProductionSite
from registry.reportfile import ReportFileError
from tests.integration.report_files import (
    SECRET_NOTE,
    SECRET_PRICE,
    SECRET_VOLUME,
    SITE_NAME,
    csv_bytes,
    factory_row,
    quarry_row,
)


def all_notifications(registry):
    return registry.recorder.select_notifications(start=1, limit=1_000_000)


@pytest.fixture
def imported(registry, member, caplog, content_of):
    caplog.set_level(logging.DEBUG)
    registry.import_report(
        member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
    )
    with pytest.raises(ReportFileError):  # an error path too
        registry.import_report(
            member, 2024, csv_bytes([quarry_row(latitude="x")]), "bad.csv", submitted_on=dt.date(2025, 3, 1)
        )
    return registry.report(member, 2024), content_of(member, 2024)


def secrets_of(imported, registry):
    site_ids = [link.site_id for link in imported[1].links]
    return [SECRET_PRICE, SECRET_VOLUME, SECRET_NOTE, SITE_NAME, *site_ids]


def test_no_event_topic_carries_a_confidential_value(registry, imported):
    topics = {n.topic for n in all_notifications(registry)}
    assert topics  # something was recorded
    for topic in topics:
        assert topic.startswith("registry.domain."), topic
        for secret in secrets_of(imported, registry):
            assert secret not in topic


def test_aggregate_ids_never_combine_a_company_with_a_site(registry, imported, member):
    company_id = registry.organisation(member).id
    site_ids = {ProductionSite.create_id(link.site_id) for link in imported[1].links}
    report_id = SupplyChainReport.create_id(company_id, 2024)
    ids = {n.originator_id for n in all_notifications(registry)}
    assert all(isinstance(i, uuid.UUID) for i in ids)
    assert report_id in ids
    # the report's new sites are not registered with it (registry/domain/site_intake.py): no aggregate
    # of theirs is there yet, in this commit or any other
    assert not site_ids & ids
    # the report id is a function of company and year only, a site's id of its random public id only:
    # a different report from the same company for that year lands on the same id
    assert imported[0].id == report_id


def test_no_log_line_carries_a_confidential_value(registry, imported, caplog):
    lines = [record.getMessage() for record in caplog.records]
    for line in lines:
        for secret in secrets_of(imported, registry):
            assert secret not in line, line
