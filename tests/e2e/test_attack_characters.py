"""Control, bidirectional and invisible characters in site names and regions, and digits of other
scripts in numbers (issue 11 item 6). A site name with U+202E RIGHT-TO-LEFT OVERRIDE shows its
letters in another order on every list it reaches; a zero-width space makes two spellings of one
quarry look alike to a person and differ to the duplicate check; full-width digits (``１２３``)
read as a volume nobody typed on an ASCII keyboard. Each is refused, naming the row and column, by
the report import (the domain value objects: every path that registers a site) and over the API.
"""

from __future__ import annotations

import datetime as dt

import pytest

from registry.domain.accounts import Role
from registry.domain.geography import RegionPath
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.reportfile import ReportFileError
from tests.e2e.test_access_matrix import OWN, client, tokens, world  # noqa: F401  (fixtures)
from tests.integration.report_files import csv_bytes, factory_row, quarry_row

RLO, LRI, PDI, ZWSP, BEL, CSI, NUL = "\u202e", "\u2066", "\u2069", "\u200b", "\x07", "\x9b", "\x00"

BAD_CELLS = [
    ("site_name", f"Mahadev {RLO}yrrauQ enotsdnaS"),
    ("site_name", f"Mahadev{ZWSP}Sandstone Quarry"),
    ("site_name", f"Mahadev Sandstone {BEL}Quarry"),
    ("site_name", f"Mahadev Sandstone {CSI}Quarry"),
    ("site_name", f"Mahadev {NUL}Quarry"),
    ("address", f"Plot 7 {LRI}Bijolia{PDI}"),
    ("province", f"Rajasthan{RLO}"),
    ("district", f"{LRI}Bhilwara{PDI}"),
    ("volume", "１２３"),  # FULLWIDTH DIGIT ONE, TWO, THREE
    ("price_eur_per_unit", "٤٥"),  # ARABIC-INDIC DIGITS FOUR, FIVE
    ("volume", "1\u00a0000"),
]


@pytest.fixture
def company(services):
    services.registry.register_organisation("steen-bv", "Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("steen-bv", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return "steen-bv"


@pytest.mark.parametrize(("column", "value"), BAD_CELLS)
def test_the_report_import_refuses_the_cell_naming_row_and_column(services, company, column, value):
    data = csv_bytes([factory_row(), quarry_row(**{column: value})])
    with pytest.raises(ReportFileError) as refused:
        services.registry.import_report(company, 2024, data, "r.csv", submitted_on=dt.date(2025, 3, 1))
    assert [(error.row, error.column) for error in refused.value.errors] == [(3, column)]
    assert value not in str(refused.value) + " ".join(error.message for error in refused.value.errors)


def test_the_region_value_object_refuses_them_for_every_path():
    for field, args in (
        ("province", ("IN", f"Raja{RLO}sthan", "")),
        ("district", ("IN", "Rajasthan", f"Bhil{ZWSP}wara")),
    ):
        with pytest.raises(Exception) as refused:
            RegionPath.create(*args)
        assert getattr(refused.value, "field", None) == field


def test_a_plain_name_with_accents_and_other_scripts_is_still_accepted(services, company):
    data = csv_bytes([factory_row(), quarry_row(name="Mahādev बलुआ पत्थर खदान", district="Bhīlwāra")])
    result = services.registry.import_report(company, 2024, data, "r.csv", submitted_on=dt.date(2025, 3, 1))
    assert result.version == 1


@pytest.mark.parametrize(("column", "value"), [("site_name", f"Quarry {RLO}evil"), ("volume", "１２３")])
def test_the_upload_api_answers_422_naming_row_and_column(client, tokens, column, value):
    response = client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        headers={"Authorization": f"Bearer {tokens[Role.COMPANY]}"},
        files={"file": ("r.csv", csv_bytes([factory_row(), quarry_row(**{column: value})]), "text/csv")},
    )
    assert response.status_code == 422, response.text
    assert value not in response.text
    assert [(error.get("row"), error.get("column")) for error in response.json()["errors"]] == [(3, column)]
