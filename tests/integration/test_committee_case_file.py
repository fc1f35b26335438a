"""The committee's "case files only" (reports) and "case-scoped" (linked list), docs/access.md.

The committee reads a company's report while that company is part of an open case before it, and
searches the linked list for the site of such a case only; before the referral and after the case
is closed it reads neither.
"""

from __future__ import annotations

import pytest

from grievance.domain.filing import Filing, Reporter
from keys.access.filter import AccessDeniedError
from tests.principals import of_account


@pytest.fixture
def case(services, demo):
    """A complaint about the Rajasthan quarry: both buyers notified, not yet referred."""
    ngo, secretariat = (of_account(services, demo.logins[role]) for role in ("ngo", "secretariat"))
    reference, _ = services.grievance.file(
        ngo,
        Filing(
            case_type="complaint",
            themes=["health_and_safety"],
            site_ids=[demo.rajasthan_quarry],
            description="Silica dust: no masks, no water spraying at the cutting line.",
            reporter=Reporter("Workers"),
        ),
    )
    services.grievance.advance(secretariat, reference, "acknowledge", "received")
    services.grievance.match(
        secretariat,
        reference,
        [demo.rajasthan_quarry],
        None,
        "confirmed",
        buyers=services.linked_search.grievance_buyers,
    )
    services.grievance.notify_companies(secretariat, reference, "Silica dust exposure was reported at this quarry.")
    return reference


def test_the_committee_reads_a_notified_companys_report_only_while_the_case_is_before_it(services, demo, case):
    committee, ngo = of_account(services, demo.logins["committee"]), of_account(services, demo.logins["ngo"])
    buyer, year = demo.rajasthan_buyers[0], max(y for ref, y in demo.reports if ref == demo.rajasthan_buyers[0])

    def read(company: str):
        return services.reports.read(committee, company, year, purpose="case file")

    with pytest.raises(AccessDeniedError):
        read(buyer)  # not referred yet
    services.grievance.advance(ngo, case, "refer_to_committee", "no answer in time")
    assert read(buyer).links  # part of the case file now
    with pytest.raises(AccessDeniedError):
        read(demo.rajasthan_non_buyer)  # not part of the case
    services.grievance.admit(committee, case, False, "not within the covenant's scope")
    services.grievance.advance(committee, case, "close", "closed")
    with pytest.raises(AccessDeniedError):
        read(buyer)  # closed: no longer a case file


def test_the_committee_searches_the_linked_list_for_a_case_site_only(services, demo, case):
    committee, ngo = of_account(services, demo.logins["committee"]), of_account(services, demo.logins["ngo"])
    with pytest.raises(AccessDeniedError):
        services.linked_search.search(committee, site=demo.rajasthan_quarry)  # not referred yet
    services.grievance.advance(ngo, case, "refer_to_committee", "no answer in time")
    _, rows = services.linked_search.search(committee, site=demo.rajasthan_quarry)
    assert {row.company for row in rows} == set(demo.rajasthan_buyers)
    assert {row.site_id for row in rows} == {demo.rajasthan_quarry}
    other_site = next(site for site in demo.site_ids if site != demo.rajasthan_quarry)
    for site in (None, other_site):
        with pytest.raises(AccessDeniedError):
            services.linked_search.search(committee, site=site)
