"""The sample-verification pages over HTTP (issue 16; docs/verification.md), each role's part: the
secretariat opens, draws, assigns and publishes a round through its forms; the NGO party records
its local partner's findings with a file; the company answers its correction request; the auditor
downloads the round record; the public sees the published figures without any cell of fewer than
k = 3 companies. Every form: 422 naming the field and keeping what was typed, else 303.

The world is tests/e2e/test_verification_http.py's: four companies, five checkable links,
  by country: IN has companies A, B, C (3: shown), CN has D only (1: not shown);
  by site kind: quarry A, B (2: not shown), factory A, C, D (3: shown).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.clock import FakeClock
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.publishing import publish_quarry_regions
from trustone.web.app import create_app
from trustone.web.ui.security import CsrfProtection

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

BEACON_SOURCE = "EuroJackpot, trekking van vrijdag 7 maart 2025 (hoofdgetallen en eurogetallen)"
BEACON_VALUE = "7 19 23 38 44 + 2 9"
COMPANIES = {
    "steen-a": "Steenhandel Aalsmeer BV",
    "steen-b": "Bouwsteen Breda BV",
    "steen-c": "Natuursteen Cuijk BV",
    "steen-d": "Dordtse Graniet BV",
}
ROWS = {
    "steen-a": [
        quarry_row(name="Bijolia Quarry North", latitude="25.17", longitude="75.33"),
        factory_row(name="Kota Works Alpha", latitude="25.21", longitude="75.86", origin_confidence="claimed"),
    ],
    "steen-b": [quarry_row(name="Bhilwara Quarry South", latitude="25.35", longitude="74.63")],
    "steen-c": [factory_row(name="Kota Works Gamma", latitude="25.18", longitude="75.83", origin_confidence="claimed")],
    "steen-d": [
        factory_row(
            name="Xiamen Granite Works",
            country="CN",
            province="Fujian",
            district="Xiamen",
            latitude="24.48",
            longitude="118.09",
            stone_type="granite",
            origin_confidence="partly_known",
        )
    ],
}
PEOPLE = {
    Role.SECRETARIAT: ("secretariaat", OrganisationKind.SECRETARIAT, "Secretariaat TruStone"),
    Role.NGO: ("arisa", OrganisationKind.NGO_PARTY, "Arisa"),
    Role.UNION: ("fnv", OrganisationKind.UNION_PARTY, "FNV"),
    Role.AUDITOR: ("audit-firma", OrganisationKind.AUDITOR, "Audit Firma"),
    Role.COMMITTEE: ("commissie", OrganisationKind.COMPLAINTS_COMMITTEE, "Klachtencommissie"),
    Role.BUYER: ("gemeente", OrganisationKind.PUBLIC_BUYER, "Gemeente Utrecht"),
}
PAGES = {  # the policy's cells (keys/access/policy.py), written out
    "/secretariat/verification": {"secretariat"},  # MANAGE_VERIFICATION
    "/auditor/verification": {"secretariat", "auditor"},  # READ_VERIFICATION_ROUND
    "/party/field-checks": {"ngo", "union"},  # RECORD_FIELD_CHECK: own
    "/company/verification": {"steen-a", "steen-b"},  # ANSWER_CORRECTION: own
}
WHO = ["secretariat", "ngo", "union", "auditor", "committee", "buyer", "steen-a", "steen-b"]


@pytest.fixture
def client(services):
    services.clock.set(FakeClock(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)))
    registry = services.registry
    for ref, name in COMPANIES.items():
        registry.register_organisation(ref, name, OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(ref, 2024, csv_bytes(ROWS[ref]), f"{ref}.csv", submitted_on=dt.date(2025, 3, 3))
        registry.create_account(f"{ref}.user", Role.COMPANY, ref, "company", "not-used-here", None)
    for role, (ref, kind, name) in PEOPLE.items():
        registry.register_organisation(ref, name, kind, "NL")
        secret = "JBSWY3DPEHPK3PXP" if role in ROLES_REQUIRING_TOTP else None
        registry.create_account(f"{role.value}.user", role, ref, role.value, "not-used-here", secret)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        test_client.follow_redirects = False  # a form's answer is a 303 to look at
        yield test_client


@pytest.fixture
def tokens(client):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    logins = {role.value: f"{role.value}.user" for role in PEOPLE} | {ref: f"{ref}.user" for ref in COMPANIES}
    return {who: sessions.issue(login, dt.timedelta(hours=1)) for who, login in logins.items()}


def as_(client, tokens, who: str | None, language: str = "en"):
    client.cookies.clear()
    client.cookies.set("trustone_lang", language)
    if who is not None:
        client.cookies.set("trustone_session", tokens[who])
    client.get("/public/verification")  # a page that sets the CSRF cookie for anyone
    return client


def form(client, **fields):
    return {"csrftoken": client.cookies["csrftoken"], **fields}


def days(services, n: int) -> None:
    services.clock.source.advance(days=n)  # type: ignore[attr-defined]


def draw(client, round_id: str, value: str):
    return client.post(f"/secretariat/verification/rounds/{round_id}/draw", data=form(client, beacon_value=value))


def opened_round(client, tokens, **changes) -> str:
    as_(client, tokens, "secretariat")
    fields = {
        "year": "2024",
        "dimensions": ["country"],
        "size": "5",
        "beacon_source": BEACON_SOURCE,
        "beacon_on": "2025-03-07",
        **changes,
    }
    answer = client.post("/secretariat/verification", data=form(client, **fields))
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/secretariat/verification/rounds/([0-9a-f-]{36})\?done=opened", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def checks_by_site(client, tokens, round_id: str) -> dict[str, str]:
    """The check ids of the round's page, by site name (from the links to each check)."""
    as_(client, tokens, "secretariat")
    page = client.get(f"/secretariat/verification/rounds/{round_id}").text
    rows = re.findall(r'<a href="/secretariat/verification/checks/([0-9a-f-]{36})">([^<]+?) <span', page)
    return {site: check for check, site in rows}


def drawn_round(client, tokens, services) -> tuple[str, dict[str, str]]:
    round_id = opened_round(client, tokens)
    days(services, 4)
    answer = client.post(
        f"/secretariat/verification/rounds/{round_id}/draw", data=form(client, beacon_value=BEACON_VALUE)
    )
    assert answer.status_code == 303, answer.text
    return round_id, checks_by_site(client, tokens, round_id)


def assigned(client, tokens, services) -> tuple[str, dict[str, str]]:
    """A drawn round; the two quarries with the NGO party, the three factories with the union party."""
    round_id, checks = drawn_round(client, tokens, services)
    for site, check in checks.items():
        party = "arisa" if "Quarry" in site else "fnv"
        answer = client.post(
            f"/secretariat/verification/checks/{check}/assignment",
            data=form(client, party=party, method="site_visit"),
        )
        assert answer.status_code == 303, answer.text
    return round_id, checks


FINDINGS = {
    "site_exists": "yes",
    "site_as_reported": "yes",
    "checked_on": "2025-03-07",
    "partner": "Bhilwara Mines Workers Collective",
    "notes": "Bezoek met twee arbeiders.",
}


def test_each_role_gets_its_own_pages_and_403_elsewhere(client, tokens):
    wrong = []
    for path, allowed in PAGES.items():
        for who in WHO:
            status = as_(client, tokens, who).get(path).status_code
            if status != (200 if who in allowed else 403):
                wrong.append((path, who, status))
        anonymous = as_(client, tokens, None).get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    for who in [*WHO, None]:
        assert as_(client, tokens, who).get("/public/verification").status_code == 200
    assert not wrong, wrong


def test_the_secretariat_opens_a_round_and_a_wrong_field_is_named_with_the_input_kept(client, tokens, services):
    as_(client, tokens, "secretariat")
    fields = {"year": "2024", "dimensions": ["country", "site_kind"], "size": "5", "beacon_source": BEACON_SOURCE}
    today = client.post("/secretariat/verification", data=form(client, **fields, beacon_on="2025-03-03"))
    assert today.status_code == 422
    assert 'id="error-beacon_on"' in today.text and 'href="#field-beacon_on"' in today.text
    assert "a day after today" in today.text
    assert 'value="2025-03-03"' in today.text and BEACON_SOURCE in today.text  # what was typed is kept
    assert 'value="site_kind" checked' in today.text
    both = client.post("/secretariat/verification", data=form(client, **fields, share="10", beacon_on="2025-03-07"))
    assert both.status_code == 422 and 'id="error-size"' in both.text
    share = client.post(
        "/secretariat/verification", data=form(client, **{**fields, "size": ""}, share="150", beacon_on="2025-03-07")
    )
    assert share.status_code == 422 and 'id="error-share"' in share.text and 'value="150"' in share.text
    missing = client.post("/secretariat/verification", data=form(client, beacon_source=""))
    assert missing.status_code == 422
    assert all(f'id="error-{name}"' in missing.text for name in ("year", "beacon_source", "beacon_on"))

    round_id = opened_round(client, tokens, share="100", size="")  # all five links, in per cent
    page = client.get(f"/secretariat/verification/rounds/{round_id}?done=opened")
    assert page.status_code == 200
    assert "The round is opened" in page.text and BEACON_SOURCE in page.text
    assert re.search(r'<code class="digest">[0-9a-f]{64}</code>', page.text)  # the frame digest
    assert "5 links of 4 companies" in page.text
    listing = client.get("/secretariat/verification")
    assert f'href="/secretariat/verification/rounds/{round_id}"' in listing.text


def test_the_draw_before_the_beacons_day_is_refused_and_after_it_makes_the_checks(client, tokens, services):
    round_id = opened_round(client, tokens)
    early = client.post(
        f"/secretariat/verification/rounds/{round_id}/draw", data=form(client, beacon_value=BEACON_VALUE)
    )
    assert early.status_code == 409 and "2025-03-07" in early.text  # the use case's message, on the 409 page
    empty = client.post(f"/secretariat/verification/rounds/{round_id}/draw", data=form(client, beacon_value=" "))
    assert empty.status_code == 422 and 'id="error-beacon_value"' in empty.text
    days(services, 4)
    drawn = client.post(
        f"/secretariat/verification/rounds/{round_id}/draw", data=form(client, beacon_value=BEACON_VALUE)
    )
    assert drawn.status_code == 303 and drawn.headers["location"].endswith("?done=drawn")
    page = client.get(drawn.headers["location"]).text
    assert BEACON_VALUE in page and "The sample is drawn" in page
    assert all(name in page for name in COMPANIES.values())  # the secretariat sees the companies
    assert page.count("/assignment") == 5 and "Arisa" in page and "FNV" in page  # the parties to choose from
    assert "Audit Firma" not in page.split('id="checks"')[1]  # no other organisation is offered


def test_assigning_names_a_wrong_party_and_keeps_the_choice(client, tokens, services):
    round_id, checks = drawn_round(client, tokens, services)
    check = checks["Kota Works Gamma"]
    missing = client.post(f"/secretariat/verification/checks/{check}/assignment", data=form(client, party="fnv"))
    assert missing.status_code == 422 and f'id="error-method-{check}"' in missing.text
    assert f'href="#field-method-{check}"' in missing.text and '<option value="fnv" selected>' in missing.text
    not_a_party = client.post(
        f"/secretariat/verification/checks/{check}/assignment", data=form(client, party="steen-a", method="site_visit")
    )
    assert not_a_party.status_code == 422 and f'id="error-party-{check}"' in not_a_party.text
    assert '<option value="site_visit" selected>' in not_a_party.text
    done = client.post(
        f"/secretariat/verification/checks/{check}/assignment", data=form(client, party="fnv", method="document_check")
    )
    assert (
        done.status_code == 303
        and done.headers["location"] == f"/secretariat/verification/rounds/{round_id}?done=assigned"
    )
    assert (
        as_(client, tokens, "ngo")
        .post(
            f"/secretariat/verification/checks/{check}/assignment",
            data=form(client, party="arisa", method="site_visit"),
        )
        .status_code
        == 403
    )


def test_a_party_records_its_findings_with_a_file_and_sees_no_company(client, tokens, services, monkeypatch):
    # the test client sends a body in one piece; a server reads it in parts and finds the token first
    monkeypatch.setattr(CsrfProtection, "PRE_CHECK_BYTES", 8 * 1024 * 1024)
    _round_id, checks = assigned(client, tokens, services)
    as_(client, tokens, "ngo")
    listing = client.get("/party/field-checks").text
    assert "Bijolia Quarry North" in listing and "Bhilwara Quarry South" in listing
    assert "Kota Works" not in listing and not any(name in listing for name in COMPANIES.values())
    check = checks["Bijolia Quarry North"]
    page = client.get(f"/party/field-checks/{check}")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert not any(name in page.text for name in COMPANIES.values())

    incomplete = client.post(f"/party/field-checks/{check}", data=form(client, **{**FINDINGS, "link": ""}))
    assert incomplete.status_code == 422 and 'id="error-link"' in incomplete.text
    assert 'value="Bhilwara Mines Workers Collective"' in incomplete.text  # kept
    assert 'value="yes" checked' in incomplete.text
    too_late = client.post(
        f"/party/field-checks/{check}",
        data=form(client, **{**FINDINGS, "link": "confirmed", "checked_on": "2025-03-08"}),
    )
    assert too_late.status_code == 422 and 'id="error-checked_on"' in too_late.text
    too_big = client.post(
        f"/party/field-checks/{check}",
        data=form(client, **FINDINGS, link="confirmed"),
        files=[("evidence", ("big.jpg", b"x" * (2 * 1024 * 1024 + 1), "image/jpeg"))],
    )
    assert too_big.status_code == 422 and 'id="error-evidence"' in too_big.text
    six = [("evidence", (f"f{n}.txt", b"text", "text/plain")) for n in range(6)]
    too_many = client.post(f"/party/field-checks/{check}", data=form(client, **FINDINGS, link="confirmed"), files=six)
    assert too_many.status_code == 422 and 'id="error-evidence"' in too_many.text

    union = as_(client, tokens, "union")
    assert union.get(f"/party/field-checks/{check}").status_code == 403  # the NGO's check
    as_(client, tokens, "ngo")
    recorded = client.post(
        f"/party/field-checks/{check}",
        data=form(client, **FINDINGS, link="confirmed"),
        files=[("evidence", ("groeve.jpg", b"\xff\xd8 photo", "image/jpeg"))],
    )
    assert recorded.status_code == 303 and recorded.headers["location"] == f"/party/field-checks/{check}?done=recorded"
    shown = client.get(recorded.headers["location"]).text
    assert "The findings are recorded" in shown and "Bhilwara Mines Workers Collective" in shown
    assert f'href="/party/field-checks/{check}/files/0"' in shown and "groeve.jpg" in shown
    assert 'name="site_exists"' not in shown  # recorded once: no form any more
    download = client.get(f"/party/field-checks/{check}/files/0")
    assert download.status_code == 200 and download.content == b"\xff\xd8 photo"
    assert download.headers["content-disposition"].startswith("attachment")
    again = client.post(f"/party/field-checks/{check}", data=form(client, **FINDINGS, link="unclear"))
    assert again.status_code == 409


def test_the_company_sees_its_correction_request_and_maintains_the_link(client, tokens, services):
    _round_id, checks = assigned(client, tokens, services)
    check = checks["Bhilwara Quarry South"]
    as_(client, tokens, "ngo")
    answer = client.post(f"/party/field-checks/{check}", data=form(client, **FINDINGS, link="not_confirmed"))
    assert answer.status_code == 303

    as_(client, tokens, "steen-b")
    page = client.get("/company/verification").text
    assert "A correction request" in page and 'What "not confirmed" means:' in page
    assert f'action="/company/verification/checks/{check}/answer"' in page
    assert 'href="/company/report/2024"' in page and "Bhilwara Mines" not in page  # never the partner
    assert "Bijolia" not in page  # another company's link
    short = client.post(
        f"/company/verification/checks/{check}/answer", data=form(client, answer="maintained", explanation="klopt")
    )
    assert short.status_code == 422 and f'id="error-explanation-{check}"' in short.text
    assert (
        ">klopt</textarea>" in short.text
        and f'id="answer-{check}-maintained" name="answer" value="maintained" checked' in short.text
    )
    corrected = client.post(f"/company/verification/checks/{check}/answer", data=form(client, answer="corrected"))
    assert corrected.status_code == 409  # no corrected report submitted since the request
    explanation = "Wij kopen via de groeve zelf; de vrachtbrieven van 2024 tonen het."
    done = client.post(
        f"/company/verification/checks/{check}/answer", data=form(client, answer="maintained", explanation=explanation)
    )
    assert done.status_code == 303 and done.headers["location"] == "/company/verification?done=maintained"
    after = client.get(done.headers["location"]).text
    assert "you keep the link" in after and "maintained by the company" in after
    assert f'action="/company/verification/checks/{check}/answer"' not in after
    assert (
        as_(client, tokens, "steen-a")
        .post(
            f"/company/verification/checks/{check}/answer",
            data=form(client, answer="maintained", explanation=explanation),
        )
        .status_code
        == 403
    )  # not its link


def test_the_secretariat_reads_a_checks_findings_files_and_the_companys_answer(client, tokens, services):
    _round_id, checks = assigned(client, tokens, services)
    check = checks["Bhilwara Quarry South"]
    as_(client, tokens, "ngo")
    recorded = client.post(
        f"/party/field-checks/{check}",
        data=form(client, **FINDINGS, link="not_confirmed"),
        files=[("evidence", ("vrachtbrief.pdf", b"%PDF-1.4 delivery note", "application/pdf"))],
    )
    assert recorded.status_code == 303
    explanation = "Wij kopen via de groeve zelf; de vrachtbrieven van 2024 tonen het."
    as_(client, tokens, "steen-b")
    answered = client.post(
        f"/company/verification/checks/{check}/answer", data=form(client, answer="maintained", explanation=explanation)
    )
    assert answered.status_code == 303

    as_(client, tokens, "secretariat")
    page = client.get(f"/secretariat/verification/checks/{check}")
    assert page.status_code == 200
    for shown in ("Bouwsteen Breda BV", "Bhilwara Mines Workers Collective", "Bezoek met twee arbeiders.", explanation):
        assert shown in page.text, shown
    assert f'href="/secretariat/verification/checks/{check}/files/0"' in page.text
    assert client.get(f"/secretariat/verification/checks/{check}/files/0").content == b"%PDF-1.4 delivery note"
    for who in ("ngo", "steen-b", "auditor"):
        assert as_(client, tokens, who).get(f"/secretariat/verification/checks/{check}").status_code == 403
        assert client.get(f"/secretariat/verification/checks/{check}/files/0").status_code == 403


def test_published_figures_leave_out_cells_of_fewer_than_k_companies(client, tokens, services):
    round_id, checks = assigned(client, tokens, services)
    outcomes = {
        "Bijolia Quarry North": ("ngo", "confirmed"),
        "Bhilwara Quarry South": ("ngo", "not_confirmed"),
        "Kota Works Alpha": ("union", "confirmed"),
        "Kota Works Gamma": ("union", "unclear"),
        "Xiamen Granite Works": ("union", "confirmed"),
    }
    for site, (party, link) in outcomes.items():
        as_(client, tokens, party)
        assert (
            client.post(f"/party/field-checks/{checks[site]}", data=form(client, **FINDINGS, link=link)).status_code
            == 303
        )
    assert "No verification round has been published yet." in as_(client, tokens, None).get("/public/verification").text
    as_(client, tokens, "secretariat")
    published = client.post(f"/secretariat/verification/rounds/{round_id}/publication", data=form(client))
    assert published.status_code == 303 and published.headers["location"].endswith("?done=published")
    page = as_(client, tokens, None).get("/public/verification").text
    assert not any(name in page for name in [*COMPANIES, *COMPANIES.values()]) and "Kota" not in page
    rows = {
        re.sub(r"\s+", " ", label).strip(): re.findall(r"<td[^>]*>([^<]*)</td>", cells)
        for label, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', page, re.DOTALL)
    }
    assert rows["All sampled links"] == ["5", "5", "3", "1", "1"]
    # China (1 company) and quarries (2) are below k; India and factories (3 each) are left out too,
    # since the total minus them would give China's and the quarries' figures away
    for row in ("India", "China", "Factory", "Quarry"):
        assert rows[row] == ["not shown (see below)"], row  # not 0
    dutch = as_(client, tokens, None, language="nl").get("/public/verification").text
    assert "niet getoond (zie hieronder)" in dutch and "van het totaal afgetrokken" in dutch

    # the quarry-region list of the year says how many of its links a field check confirmed
    publish_quarry_regions(services, 2024)
    regions = as_(client, tokens, None).get("/public/quarry-regions?year=2024").text
    assert "Of the 5 links reported for 2024, 3 were confirmed by a field check (60%)." in regions
    assert 'href="/public/verification"' in regions


def test_the_auditor_downloads_the_round_record_and_is_told_how_to_redraw_it(client, tokens, services):
    round_id, _checks = drawn_round(client, tokens, services)
    as_(client, tokens, "auditor")
    page = client.get("/auditor/verification").text
    assert "python3 scripts/redraw_sample.py round.json" in page
    assert f'href="/auditor/verification/rounds/{round_id}/record"' in page
    record = client.get(f"/auditor/verification/rounds/{round_id}/record")
    assert record.status_code == 200 and record.headers["content-disposition"].startswith("attachment")
    body = json.loads(record.content)
    assert body["format"] == "trustone-sample/1" and body["beacon"]["value"] == BEACON_VALUE
    assert len(body["sample"]) == 5 and "steen" not in record.text
    as_(client, tokens, "secretariat")
    assert client.get(f"/secretariat/verification/rounds/{round_id}/record").status_code == 200
    for who in ("ngo", "steen-a"):
        assert as_(client, tokens, who).get(f"/auditor/verification/rounds/{round_id}/record").status_code == 403


def test_the_pages_are_in_dutch(client, tokens, services):
    round_id, checks = assigned(client, tokens, services)
    bijolia = checks["Bijolia Quarry North"]
    expected = {
        "secretariat": [
            ("/secretariat/verification", "Steekproefverificatie"),
            (f"/secretariat/verification/rounds/{round_id}", "Verificatieronde 2024"),
        ],
        "auditor": [("/auditor/verification", "Verificatietrekkingen")],
        "ngo": [("/party/field-checks", "Veldcontroles"), (f"/party/field-checks/{bijolia}", "Veldcontrole: Bijolia")],
        "steen-a": [("/company/verification", "Verificatie van je ketenschakels")],
        None: [("/public/verification", "Geverifieerde ketens")],
    }
    for who, pages in expected.items():
        as_(client, tokens, who, language="nl")
        for path, heading in pages:
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            assert re.search(r"<h1>\s*" + re.escape(heading), page.text), (path, re.findall(r"<h1>.*?</h1>", page.text))
