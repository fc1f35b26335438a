"""The one list of the HTTP API's routers: a new route goes in one of these modules, never in the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from trustone.web import (
    admin,
    assessment,
    audit,
    auth,
    contributions,
    data_access,
    declarations,
    duplicates,
    grievances,
    lists,
    operations,
    organisations,
    publishing,
    reports,
    retention,
    statements,
    tender_signals,
    tenders,
    users,
    verification,
    waiting,
)
from trustone.web.ui.routes import (
    account,
    casework,
    company,
    oversight,
    party,
    public,
    secretariat,
    secretariat_declarations,
    secretariat_registry,
)
from trustone.web.ui.routes import contributions as contribution_pages
from trustone.web.ui.routes import data_access as casework_data_access
from trustone.web.ui.routes import retention as retention_pages
from trustone.web.ui.routes import statements as statement_pages
from trustone.web.ui.routes import tender_signals as tender_signal_pages
from trustone.web.ui.routes import tenders as tender_pages
from trustone.web.ui.routes import verification as verification_pages

# The pages (trustone/web/ui/routes/): on the same use cases as the routes above.
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    public.router,
    company.router,
    secretariat.router,
    secretariat_registry.router,
    secretariat_declarations.router,
    casework.router,
    casework_data_access.router,
    party.router,
    oversight.router,
    statement_pages.router,
    tender_pages.router,
    tender_signal_pages.router,
    verification_pages.router,
    retention_pages.router,
    contribution_pages.router,
)

ROUTERS: tuple[APIRouter, ...] = (
    operations.router,
    auth.router,
    reports.router,
    lists.router,
    audit.router,
    admin.router,
    grievances.router,
    grievances.public,
    data_access.router,
    organisations.router,
    users.router,
    declarations.router,
    assessment.router,
    duplicates.router,
    publishing.router,
    waiting.router,
    statements.router,
    statements.public,
    tenders.router,
    tenders.public,
    tender_signals.router,
    tender_signals.public,
    verification.router,
    verification.public,
    retention.router,
    contributions.router,
    contributions.public,
    *PAGE_ROUTERS,
)
