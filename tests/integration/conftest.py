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


@pytest.fixture
def secretariat_principal():
    import uuid

    from keys.access.principal import Principal
    from registry.domain.accounts import Role

    return Principal(
        login="secretariat-test", role=Role.SECRETARIAT, organisation_id=uuid.uuid4(), organisation_ref="secretariat"
    )


@pytest.fixture
def content_of(registry, secretariat_principal):
    """A report version's content as the secretariat reads it (through the filter)."""

    def read(company_ref: str, year: int, version: int | None = None):
        return registry.read_report(secretariat_principal, company_ref, year, version, purpose="test")

    return read


@pytest.fixture
def company_principal(registry, member):
    """The member company's own user."""
    from keys.access.principal import Principal
    from registry.domain.accounts import Role

    return Principal(
        login="company-test",
        role=Role.COMPANY,
        organisation_id=registry.organisation(member).id,
        organisation_ref=member,
    )


@pytest.fixture
def demo(services):
    """The demo data set in this test's own store: a copy of a store it was loaded into once
    (tests/demo_store.py), or loaded now where a module made its own settings."""
    from tests.demo_store import result_of
    from trustone.demo import load_demo

    result = result_of(services.settings) or load_demo(services)
    assert result.company_refs, result.summary  # a store seeded twice would load nothing: fail, not pass vacuously
    return result
