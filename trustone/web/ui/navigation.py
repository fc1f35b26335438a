"""The menu each role sees: where its daily work is. Presentation only: a page a role reaches by
typing its address still asks the policy, through its use case, and answers 403 when refused."""

from __future__ import annotations

from dataclasses import dataclass

from registry.domain.accounts import Role
from trustone.web.ui.i18n import N_


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # an msgid


PUBLIC_MENU: tuple[MenuItem, ...] = (
    MenuItem("/public/quarry-regions", N_("Quarry regions")),
    MenuItem("/public/members", N_("Members")),
    MenuItem("/public/grievance-statistics", N_("Grievance statistics")),
    MenuItem("/follow-up", N_("Follow up a report")),
    MenuItem("/public/tenders", N_("Tenders")),
    MenuItem("/public/verification", N_("Verified supply chains")),
    MenuItem("/verify", N_("Verify a statement")),
)

MENUS: dict[Role, tuple[MenuItem, ...]] = {
    Role.SECRETARIAT: (
        MenuItem("/waiting", N_("Waiting for me")),
        MenuItem("/secretariat/assessment", N_("Assessment")),
        MenuItem("/secretariat/held-sites", N_("Held sites")),
        MenuItem("/secretariat/cases", N_("Cases")),
        MenuItem("/secretariat/organisations", N_("Organisations")),
        MenuItem("/secretariat/users", N_("Logins")),
        MenuItem("/secretariat/declarations", N_("Declarations")),
        MenuItem("/secretariat/data-access", N_("Data access")),
        MenuItem("/secretariat/publishing", N_("Publishing")),
        MenuItem("/secretariat/tenders", N_("Tenders")),
        MenuItem("/secretariat/tender-signals", N_("Reports about tenders")),
        MenuItem("/secretariat/verification", N_("Verification")),
        MenuItem("/secretariat/retention", N_("Retention")),
        MenuItem("/secretariat/contributions", N_("Contributions")),
    ),
    Role.COMPANY: (
        MenuItem("/waiting", N_("Waiting for me")),
        MenuItem("/company/report", N_("Yearly report")),
        MenuItem("/company/links", N_("My links")),
        MenuItem("/company/cases", N_("Notices")),
        MenuItem("/company/buyers", N_("Buyers' questions")),
        MenuItem("/company/statement", N_("Evidence statement")),
        MenuItem("/company/verification", N_("Verification")),
        MenuItem("/company/contributions", N_("Contribution")),
        MenuItem("/tender-signals", N_("Report a tender")),
    ),
    Role.NGO: (
        MenuItem("/waiting", N_("Waiting for me")),
        MenuItem("/party/linked-list", N_("Linked list")),
        MenuItem("/party/aggregated-list", N_("Aggregated list")),
        MenuItem("/party/grievances/new", N_("File a report")),
        MenuItem("/party/cases", N_("My cases")),
        MenuItem("/party/data-access", N_("Data access")),
        MenuItem("/party/field-checks", N_("Field checks")),
        MenuItem("/tender-signals", N_("Report a tender")),
    ),
    Role.UNION: (
        MenuItem("/waiting", N_("Waiting for me")),
        MenuItem("/party/aggregated-list", N_("Aggregated list")),
        MenuItem("/party/grievances/new", N_("File a report")),
        MenuItem("/party/cases", N_("My cases")),
        MenuItem("/party/data-access", N_("Data access")),
        MenuItem("/party/field-checks", N_("Field checks")),
        MenuItem("/tender-signals", N_("Report a tender")),
    ),
    Role.COMMITTEE: (
        MenuItem("/waiting", N_("Waiting for me")),
        MenuItem("/committee/cases", N_("Case files")),
    ),
    Role.AUDITOR: (
        MenuItem("/auditor/access-log", N_("Access log")),
        MenuItem("/auditor/verification", N_("Verification draws")),
        MenuItem("/auditor/retention", N_("Retention")),
    ),
    Role.BUYER: (
        MenuItem("/buyer/member-status", N_("Check a company")),
        MenuItem("/buyer/statements", N_("Evidence statements")),
        MenuItem("/buyer/tenders", N_("Tender register")),
        MenuItem("/tender-signals", N_("Report a tender")),
    ),
}

START_PAGE: dict[Role, str] = {role: items[0].path for role, items in MENUS.items()}


def menu_for(role: Role | None) -> tuple[MenuItem, ...]:
    return PUBLIC_MENU if role is None else MENUS.get(role, ())


# Where each queue of "waiting for me" is worked on, per role (keys/access/visibility.py DESKS).
_CASES_PAGE: dict[Role, str] = {
    Role.SECRETARIAT: "/secretariat/cases",
    Role.NGO: "/party/cases",
    Role.UNION: "/party/cases",
    Role.COMPANY: "/company/cases",
    Role.COMMITTEE: "/committee/cases",
}
_QUEUE_PAGES: dict[str, str] = {
    "reports awaiting assessment": "/secretariat/assessment",
    "sites held as possible duplicates": "/secretariat/held-sites",
    "declarations expiring within 30 days": "/secretariat/declarations?expiring_within_days=30",
    "contribution statements to prepare": "/secretariat/contributions",
}


def queue_page(role: Role, queue: str) -> str | None:
    if queue == "cases by deadline":
        return _CASES_PAGE.get(role)
    if queue == "data-access requests":
        return "/secretariat/data-access" if role is Role.SECRETARIAT else "/party/data-access"
    return _QUEUE_PAGES.get(queue)
