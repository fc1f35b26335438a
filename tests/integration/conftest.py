import datetime as dt

import pytest

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind


@pytest.fixture
def registry(services):
    return services.registry


@pytest.fixture
def member(registry) -> str:
    """A member company since 2021, ready to report."""
    registry.register_organisation("de-steenhouwer", "De Steenhouwer BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join("de-steenhouwer", dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return "de-steenhouwer"
