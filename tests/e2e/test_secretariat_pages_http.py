"""The secretariat's pages over HTTP, on both stores: the page refuses what the use case refuses, a
second factor is shown in the one answer that made it and never again, the document upload needs
its CSRF token, and a wrong field is drawn again with what was typed (never the password)."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.e2e.test_auth_http import PASSWORD, client, clock, users  # noqa: F401  (fixtures)

PDF = b"%PDF-1.4\n% a signed declaration\n%%EOF\n"


@pytest.fixture
def secretariat(client, users, clock):
    login, secret = users["secretariat"]
    client.get("/login")
    answer = client.post(
        "/login",
        data={
            "csrftoken": client.cookies["csrftoken"],
            "login": login,
            "password": PASSWORD,
            "code": pyotp.TOTP(secret).at(clock.now),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client


def form(client, **fields):
    return {"csrftoken": client.cookies["csrftoken"], **fields}


def test_a_role_outside_the_remit_sent_anyway_is_refused_and_no_login_is_made(secretariat, services):
    page = secretariat.get("/secretariat/users/new")
    offered = re.findall(r'<option value="(\w+)"', page.text)
    assert offered == ["ngo", "union", "company", "buyer"]  # docs/access.md: the parties' logins
    answer = secretariat.post(
        "/secretariat/users",
        data=form(
            secretariat,
            login="new.auditor",
            role="auditor",
            organisation_ref="audit-nl",
            display_name="A",
            password="x" * 20,
        ),
    )
    assert answer.status_code == 403
    assert "<h1>You may not see this page</h1>" in answer.text or "<h1>Deze pagina is niet voor jou</h1>" in answer.text
    assert [a.login for a in services.registry.accounts_of("audit-nl")] == ["auditor@audit-nl.example"]


def test_a_second_factor_is_shown_once_in_an_answer_no_one_keeps(secretariat):
    answer = secretariat.post("/secretariat/users/ngo@arisa.example/reset-totp", data=form(secretariat))
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    [secret] = re.findall(r'<code class="totp-secret">([A-Z2-7]+)</code>', answer.text)
    assert len(secret) == 32
    for path in ("/secretariat/users?organisation=arisa", "/secretariat/users/ngo@arisa.example"):
        assert secret not in secretariat.get(path).text


def test_a_wrong_field_is_drawn_again_with_what_was_typed_and_never_the_password(secretariat):
    answer = secretariat.post(
        "/secretariat/users",
        data=form(
            secretariat,
            login="piet@arisa.example",
            role="ngo",
            organisation_ref="arisa",
            display_name="Piet",
            password="too short",
        ),
    )
    assert answer.status_code == 422
    assert 'id="error-password"' in answer.text
    assert 'value="piet@arisa.example"' in answer.text
    assert "too short" not in answer.text


def test_the_document_upload_needs_its_csrf_token(secretariat, services):
    fields = {
        "login": "ngo@arisa.example",
        "document_title": "Verklaring",
        "document_version": "1",
        "signed_on": "2025-03-01",
        "valid_until": "2027-03-01",
    }
    files = {"file": ("v.pdf", PDF, "application/pdf")}
    refused = secretariat.post("/secretariat/declarations", data=fields, files=files, follow_redirects=False)
    assert refused.status_code == 403
    assert services.registry.declaration_index().entries == {}
    recorded = secretariat.post(
        "/secretariat/declarations", data=form(secretariat, **fields), files=files, follow_redirects=False
    )
    assert recorded.status_code == 303
    assert re.fullmatch(r"/secretariat/declarations/[0-9a-f-]{36}\?done=recorded", recorded.headers["location"])
    document = secretariat.get(recorded.headers["location"].split("?")[0] + "/document")
    assert document.content == PDF


def test_a_disabled_login_is_listed_as_disabled_and_can_no_longer_log_in(secretariat, users):
    empty = secretariat.post("/secretariat/users/ngo@arisa.example/disable", data=form(secretariat, reason=""))
    assert empty.status_code == 422 and 'id="error-reason"' in empty.text
    answer = secretariat.post(
        "/secretariat/users/ngo@arisa.example/disable",
        data=form(secretariat, reason="left Arisa", organisation="arisa"),
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/secretariat/users?organisation=arisa&disabled=ngo%40arisa.example"
    listing = secretariat.get(answer.headers["location"])
    assert re.search(r"ngo@arisa.example</a></th>.*?badge bad", listing.text, re.DOTALL)
    refused = secretariat.post("/api/v1/auth/login", json={"login": users["ngo"][0], "password": PASSWORD})
    assert refused.status_code == 401
