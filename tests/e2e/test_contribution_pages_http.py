"""The contribution pages over HTTP (issue 17; docs/contributions.md): the company's own statements
and the secretariat's year page (prepare, total against the budget line, the mismatch queue, every
statement, the invoicing CSV, the risk-country list and its change form, a company's basis).

Each role: 200 where the policy allows (MANAGE_CONTRIBUTIONS: the secretariat; READ_CONTRIBUTIONS:
the secretariat, a company its own), a 403 page (logged, denied) elsewhere, anonymous sent to the
login page. A form: 422 naming the field and keeping what was typed, else 303.

The world is the access-matrix walk's (tests/e2e/matrix.py): three member companies of category C,
joined on 1 January 2022, each with a 2024 report of one chain (chain C1: a quarry and a factory in
India). A fourth, of category B, reports the same chain: its category and report disagree.

Expected figures, from bijlage 4 (tariffs of 2025, before the 2027 increase), for 2025 (membership
year 4: the regular tariff) on the 2024 reports: full due diligence (one chain of risk origin), one
chain, so the base tariff C of EUR 1,200 (it covers 2 chains) and no further chains:
- eigen-steen, associated with 3 establishments: 1,200 + 3 x 200 = 1,800;
- andere-steen, associated with 7 establishments: 1,200 + 7 x 200 = 2,600;
- derde-steen and vierde-steen, importers: 1,200.
Total 1,800 + 2,600 + 1,200 + 1,200 = 6,800 against bijlage 5's line for 2025: 60,000."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    THIRD,
    client,
    people,
    tokens,
    world,
)
from tests.integration.report_files import csv_bytes, factory_row, quarry_row

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

FOURTH = "vierde-steen"
SECRETARIAT = "/secretariat/contributions"
COMPANY = "/company/contributions"
PAGES = {  # the policy's cells (keys/access/policy.py), written out
    SECRETARIAT + "?year=2025": ({Role.SECRETARIAT}, "manage_contributions"),
    COMPANY: ({Role.SECRETARIAT, Role.COMPANY}, "read_contributions"),  # the secretariat: its note, no figures
    SECRETARIAT + "/2025/invoices.csv": ({Role.SECRETARIAT}, "read_contributions"),
}


def as_(client, who: str | None, language: str = "en"):
    """The client as a session of ``who`` (a token), with the CSRF cookie a page sets."""
    client.cookies.clear()
    client.follow_redirects = False
    client.cookies.set("trustone_lang", language)
    if who is not None:
        client.cookies.set("trustone_session", who)
    client.get("/login")
    return client


def form(client, **fields):
    return {"csrftoken": client.cookies["csrftoken"], **fields}


@pytest.fixture
def prepared(client, tokens, world):
    """The fourth company, the bases recorded and the 2025 statements prepared through the pages."""
    registry = world.registry
    registry.register_organisation(FOURTH, "Vierde Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join(FOURTH, dt.date(2022, 1, 1), CompanyCategory.B, CompanySize.SMALL)
    registry.import_report(
        FOURTH, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
    )
    as_(client, tokens[Role.SECRETARIAT])
    for ref, count in ((OWN, "3"), (OTHER, "7")):
        sent = client.post(
            SECRETARIAT + "/basis",
            data=form(client, year="2025", company=ref, member_type="associated", establishments=count),
        )
        assert sent.status_code == 303, sent.text
    done = client.post(SECRETARIAT + "/prepare", data=form(client, year="2025"))
    assert done.status_code == 303
    assert done.headers["location"] == SECRETARIAT + "?year=2025&done=prepared&prepared=4&revised=0&unchanged=0"
    return done.headers["location"]


def test_each_role_gets_its_page_and_a_logged_403_elsewhere_and_anonymous_is_sent_to_log_in(client, tokens, world):
    wrong = []
    for path, (allowed, action) in PAGES.items():
        for role in Role:
            before = len(people(world))
            answer = as_(client, tokens[role]).get(path)
            if answer.status_code != (200 if role in allowed else 403) or "Traceback" in answer.text:
                wrong.append((path, role.value, answer.status_code))
            if role not in allowed:
                denied = [e for e in people(world)[before:] if str(e.outcome) == "denied"]
                if [(e.actor, e.action) for e in denied] != [(f"{role.value}.user", action)]:
                    wrong.append((path, role.value, "not logged", [(e.actor, e.action) for e in denied]))
        anonymous = as_(client, None).get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert not wrong, wrong


def test_the_forms_are_refused_to_every_role_but_the_secretariat_before_any_input_is_read(client, tokens):
    for role in Role:
        if role is Role.SECRETARIAT:
            continue
        as_(client, tokens[role])
        for action, fields in (
            ("/prepare", {"year": "2025"}),
            ("/basis", {"company": OWN, "member_type": "importer", "establishments": "x"}),
            ("/risk-list", {"in_force_from": "", "become_risk": "", "reason": ""}),
        ):
            answer = client.post(SECRETARIAT + action, data=form(client, **fields))
            assert answer.status_code == 403, (role, action, answer.status_code)


def test_the_secretariat_prepares_and_sees_the_total_the_queue_and_every_statement(client, tokens, prepared):
    page = as_(client, tokens[Role.SECRETARIAT]).get(prepared).text
    assert "Statements of 2025: 4 prepared, 0 revised, 0 unchanged." in page
    assert "€6,800.00" in page and "€60,000.00" in page
    queue = page.split("Statements whose category and report disagree", 1)[1].split("</table>", 1)[0]
    assert "Vierde Steen BV" in queue and "B: stone from non-risk countries only" in queue
    assert "full due diligence" in queue and "C1" in queue and "origin in a risk country: India" in queue
    assert "Eigen Steen" not in queue
    table = page.split("Every statement of 2025", 1)[1].split("</table>", 1)[0]
    for name, amount in (
        ("Eigen Steen", "€1,800.00"),
        ("Andere Steen BV", "€2,600.00"),
        ("Derde Steen BV", "€1,200.00"),
    ):
        row = table.split(name, 1)[1].split("</tr>", 1)[0]
        assert amount in row, (name, row)
    assert 'href="/secretariat/contributions/2025/invoices.csv"' in page
    again = client.post(SECRETARIAT + "/prepare", data=form(client, year="2025"))
    assert again.headers["location"].endswith("prepared=0&revised=0&unchanged=4")
    dutch = as_(client, tokens[Role.SECRETARIAT], "nl").get(SECRETARIAT + "?year=2025").text
    assert "€\xa06.800,00" in dutch and "Categorie en rapportage verschillen" in dutch


def test_a_year_outside_the_budget_says_so_and_a_year_not_open_is_refused_naming_the_field(client, tokens):
    as_(client, tokens[Role.SECRETARIAT])
    page = client.get(SECRETARIAT + "?year=2024").text
    assert "no budget line: the covenant's budget covers 2025 to 2029" in page
    assert "No statement of 2024 has been prepared yet." in page
    later = client.get(SECRETARIAT + f"?year={dt.date.today().year + 2}")
    assert later.status_code == 422 and "year" in later.text
    assert client.get(SECRETARIAT + "?year=soon").status_code == 422


def test_the_company_sees_its_own_figures_and_not_another_companys(client, tokens, prepared):
    page = as_(client, tokens[Role.COMPANY]).get(COMPANY).text
    assert "Contribution 2025" in page and "€1,800.00" in page and "€600.00" in page  # 3 establishments x 200
    assert "your report of 2024, version 1" in page and "full due diligence" in page
    assert "origin in a risk country: India" in page
    assert "version 1, as in force on May 1, 2025 (the reporting deadline)" in page
    assert "Andere Steen" not in page and "€2,600.00" not in page
    assert "do not agree" not in page  # category C and a risk chain agree
    assert as_(client, tokens[Role.COMPANY]).get(COMPANY + f"?company={OTHER}").status_code == 403
    dutch = as_(client, tokens[Role.COMPANY], "nl").get(COMPANY).text
    assert "Bijdrage 2025" in dutch and "€\xa01.800,00" in dutch and "herkomst in een risicoland: India" in dutch


def test_the_secretariat_reads_a_companys_statement_and_the_mismatch_is_said_plainly(client, tokens, prepared):
    page = as_(client, tokens[Role.SECRETARIAT]).get(COMPANY + f"?company={FOURTH}").text
    assert "Your recorded category and your report do not agree." in page
    assert "The secretariat will contact you about it." in page and "€1,200.00" in page
    own = client.get(COMPANY).text
    assert "Your organisation is not a member company, so it has no contribution." in own
    assert client.get(COMPANY + "?company=nobody").status_code == 404


def test_the_invoicing_file_is_a_csv_attachment_with_one_row_per_statement(client, tokens, prepared):
    answer = as_(client, tokens[Role.SECRETARIAT]).get(SECRETARIAT + "/2025/invoices.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="contributions-2025.csv"'
    rows = {row["company_ref"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    assert set(rows) == {OWN, OTHER, THIRD, FOURTH}
    assert (rows[OWN]["establishments"], rows[OWN]["establishments_eur"], rows[OWN]["amount_eur"]) == (
        "3",
        "600",
        "1800",
    )
    assert rows[OTHER]["amount_eur"] == "2600" and rows[FOURTH]["regime"] == "full"


def test_the_risk_list_form_names_each_refused_field_and_keeps_what_was_typed(client, tokens):
    as_(client, tokens[Role.SECRETARIAT])
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cases = (
        ({"in_force_from": "", "become_risk": "NL", "reason": "the parties agreed it"}, "in_force_from"),
        ({"in_force_from": "2020-01-01", "become_risk": "NL", "reason": "the parties agreed it"}, "in_force_from"),
        ({"in_force_from": tomorrow, "become_risk": "", "reason": "the parties agreed it"}, "become_risk"),
        ({"in_force_from": tomorrow, "become_risk": "IN", "reason": "the parties agreed it"}, "become_risk"),
        ({"in_force_from": tomorrow, "stop_being_risk": "NL", "reason": "the parties agreed it"}, "stop_being_risk"),
        ({"in_force_from": tomorrow, "become_risk": "NL", "reason": "short"}, "reason"),
    )
    for fields, field in cases:
        answer = client.post(SECRETARIAT + "/risk-list", data=form(client, year="2025", **fields))
        assert answer.status_code == 422, (fields, answer.status_code)
        assert f'id="error-{field}"' in answer.text and f'href="#field-{field}"' in answer.text, fields
    kept = client.post(
        SECRETARIAT + "/risk-list", data=form(client, in_force_from=tomorrow, become_risk="PL", reason="short")
    )
    assert 'name="become_risk" type="text" value="PL"' in kept.text

    made = client.post(
        SECRETARIAT + "/risk-list",
        data=form(client, year="2025", in_force_from=tomorrow, become_risk="pl, pt", reason="the parties agreed it"),
    )
    assert made.status_code == 303
    assert made.headers["location"] == f"{SECRETARIAT}?year=2025&done=risk_list&day={tomorrow}"
    page = client.get(made.headers["location"]).text
    assert "The risk-country list is changed: the new version is in force from" in page
    assert "the parties agreed it" in page  # version 2's reason in the versions table


def test_the_basis_form_names_each_refused_field(client, tokens):
    as_(client, tokens[Role.SECRETARIAT])
    cases = (
        ({"company": "", "member_type": "importer", "establishments": "0"}, "company"),
        ({"company": "nobody", "member_type": "importer", "establishments": "0"}, "company"),
        ({"company": OWN, "member_type": "retailer", "establishments": "0"}, "member_type"),
        ({"company": OWN, "member_type": "associated", "establishments": "many"}, "establishments"),
        ({"company": OWN, "member_type": "associated", "establishments": "10001"}, "establishments"),
    )
    for fields, field in cases:
        answer = client.post(SECRETARIAT + "/basis", data=form(client, year="2025", **fields))
        assert answer.status_code == 422, (fields, answer.status_code)
        assert f'id="error-{field}"' in answer.text and f'href="#field-{field}"' in answer.text, fields
    assert 'name="establishments" type="text" value="10001"' in answer.text
