"""The demo's contributions (issue 17; docs/contributions.md): something on both contribution pages.

The secretariat's login records the basis of three companies (the demo company, whose login is in
demo-logins.json, as an associated member with three establishments; a category A company as an
associated member with twelve, more than the ten that are charged; a category C company as an
importer) and prepares the statements of 2025 and 2026, through the ``Contributions`` use case, so
the access log shows it as any other secretariat's work. Every member of those years gets one, the
demo company included.

Run by ``trustone demo`` (trustone/cli.py), not by ``load_demo`` itself: preparing reads every
member's report, which the many tests that load the demo do not need.
"""

from __future__ import annotations

from typing import Any

from keys.access.principal import Principal
from registry.domain.organisations import CompanyCategory, OrganisationKind

YEARS = (2025, 2026)


def demo_contributions(services: Any) -> None:
    """Record three bases and prepare the statements of ``YEARS``. Call after the demo's reports and logins."""
    registry = services.registry
    contributions = services.contributions
    secretariat_ref = registry.organisations(OrganisationKind.SECRETARIAT)[0].ref
    account = registry.accounts_of(secretariat_ref)[0]
    secretariat = Principal(account.login, account.role, registry.organisation_id(secretariat_ref), secretariat_ref)

    companies = [c for c in registry.organisations(OrganisationKind.MEMBER_COMPANY) if c.periods[-1].ended_on is None]
    demo_company = next(c for c in companies if registry.accounts_of(c.ref))
    others = [c for c in companies if c.ref != demo_company.ref]
    bases = [(demo_company.ref, "associated", 3)]
    for category, member_type, establishments in (
        (CompanyCategory.A, "associated", 12),
        (CompanyCategory.C, "importer", 0),
    ):
        found = next((c for c in others if c.periods[-1].category is category), None)
        if found is not None:
            bases.append((found.ref, member_type, establishments))
    for ref, member_type, establishments in bases:
        contributions.set_basis(
            secretariat, ref, member_type=member_type, establishments=establishments, request_id="demo"
        )
    for year in YEARS:
        contributions.prepare(secretariat, year, request_id="demo")
