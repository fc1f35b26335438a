"""Shredding a company erases its part of every grievance case, and nothing else.

What matching found for a company, its notice and its messages are sealed with a grievance key of
that company's own; shredding the company destroys that key with its data keys (docs/confidentiality.md:
"unreadable everywhere"). The case itself, and the other company's part, stay readable.
"""

from __future__ import annotations

from grievance.domain.filing import Filing, Reporter
from keys.access.filter import UNREADABLE
from tests.principals import of_account, secretariat


def test_a_shredded_companys_notice_and_messages_are_gone_from_the_case_and_the_other_company_keeps_its_own(
    services, demo
):
    ngo, clerk = of_account(services, demo.logins["ngo"]), of_account(services, demo.logins["secretariat"])
    company = of_account(services, demo.logins["company"])
    shredded, kept = demo.rajasthan_buyers
    assert company.organisation_ref == shredded
    app = services.grievance
    reference, _ = app.file(
        ngo,
        Filing(
            case_type="complaint",
            themes=["living_wage"],
            site_ids=[demo.rajasthan_quarry],
            description="Piece rates fell below the state minimum wage this season.",
            reporter=Reporter("Quarry workers"),
        ),
    )
    app.advance(clerk, reference, "acknowledge", "received")
    app.match(
        clerk, reference, [demo.rajasthan_quarry], None, "confirmed", buyers=services.linked_search.grievance_buyers
    )
    app.notify_companies(clerk, reference, "Wages below the legal minimum were reported at this quarry.")
    app.company_writes(company, reference, "response", "We asked our supplier for the wage sheets.")
    assert services.grievance_cases.notified_companies(clerk, reference).companies == sorted(demo.rajasthan_buyers)

    services.shredding.shred(shredded, secretariat())

    assert services.grievance_cases.notified_companies(clerk, reference).companies == [kept]
    case = app.case(reference)
    opened = services.vault.open(
        secretariat(),
        "read_case",
        {"notice_" + n["recipient_tag"]: n["notice"] for n in case.notices}
        | {"match_" + m["recipient_tag"]: m["match"] for m in case.matched}
        | {"message_" + m["recipient_tag"]: m["message"] for m in case.messages},
        subject_kind="grievance_case",
        subject_ref=reference,
        purpose="test",
    )
    gone = [name for name, value in opened.items() if value is UNREADABLE]
    readable = [value["company"] for value in opened.values() if isinstance(value, dict)]
    assert len(gone) == 3  # its match, its notice, its message
    assert set(readable) == {kept}  # the other company's match and notice
    view = services.grievance_cases.read_case(clerk, reference)
    assert view["stage"] == "in_dialogue" and view["description"]  # the case itself stays
    assert view["messages"] == [{"kind": "response", "at": view["messages"][0]["at"]}]  # its words are gone
