"""The evidence-statement pages over HTTP (docs/statements.md): who may ask for a statement on which
page (the policy's ISSUE_STATEMENT row: the secretariat, a buyer about any member, a company about
itself), the form drawn again with the field named, the printable statement for anyone with its
code, and the public verification page's verdicts on a valid, a changed and a garbage file.

The world is the access-matrix walk's (tests/e2e/matrix.py): three member companies, one login per role."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import OTHER, OWN, client, tokens, world  # noqa: F401 - the fixtures are used by name

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

CODE = re.compile(r"/statements/(TSV(?:-[0-9A-Z]{4}){5})$")
S, NGO, UNION, COMPANY, COMMITTEE, AUDITOR, BUYER = (
    Role.SECRETARIAT,
    Role.NGO,
    Role.UNION,
    Role.COMPANY,
    Role.COMMITTEE,
    Role.AUDITOR,
    Role.BUYER,
)


def as_role(client, tokens, role: Role | None, language: str = "en"):
    client.cookies.clear()
    client.follow_redirects = False  # a form's answer is a 303 to look at
    client.cookies.set("trustone_lang", language)
    if role is not None:
        client.cookies.set("trustone_session", tokens[role])
    client.get("/verify")  # a page that sets the CSRF cookie for anyone
    return client


def form(client, **fields):
    return {"csrftoken": client.cookies["csrftoken"], **fields}


def yesterday() -> str:
    return (dt.date.today() - dt.timedelta(days=1)).isoformat()


def issued_code(answer) -> str:
    assert answer.status_code == 303, answer.text
    found = CODE.search(answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def test_who_may_open_the_forms(client, tokens):
    expected = {
        "/buyer/statements": {S, BUYER},  # about any member: a company asks about itself on its own page
        "/company/statement": {S, COMPANY, BUYER},  # about the asker's own organisation
    }
    wrong = []
    for path, allowed in expected.items():
        for role in Role:
            answer = as_role(client, tokens, role).get(path)
            if answer.status_code != (200 if role in allowed else 403):
                wrong.append((path, role.value, answer.status_code))
        anonymous = as_role(client, tokens, None).get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert not wrong


def test_who_may_issue_through_the_forms(client, tokens):
    for role in (S, BUYER):
        as_role(client, tokens, role)
        issued_code(client.post("/buyer/statements", data=form(client, company=OWN, on=yesterday(), language="nl")))
    for role in (NGO, UNION, COMMITTEE, AUDITOR):
        as_role(client, tokens, role)
        answer = client.post("/buyer/statements", data=form(client, company=OWN, on=yesterday(), language="nl"))
        assert answer.status_code == 403, role
        assert client.post("/company/statement", data=form(client, on=yesterday(), language="en")).status_code == 403
    as_role(client, tokens, COMPANY)
    # a company about another company: refused; about itself: on either form
    refused = client.post("/buyer/statements", data=form(client, company=OTHER, on=yesterday(), language="en"))
    assert refused.status_code == 403
    issued_code(client.post("/buyer/statements", data=form(client, company=OWN, on=yesterday(), language="en")))
    code = issued_code(client.post("/company/statement", data=form(client, on=yesterday(), language="en")))
    page = client.get(f"/statements/{code}")
    assert page.status_code == 200
    assert "Evidence statement: Eigen Steen" in page.text
    anonymous = as_role(client, tokens, None).get(f"/statements/{code}")
    assert anonymous.status_code == 200 and code in anonymous.text


def test_a_date_after_today_and_an_unknown_company_are_named_on_the_form(client, tokens):
    as_role(client, tokens, BUYER)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    answer = client.post("/buyer/statements", data=form(client, company=OWN, on=tomorrow, language="en"))
    assert answer.status_code == 422
    assert 'id="error-on"' in answer.text and 'href="#field-on"' in answer.text
    assert f'value="{tomorrow}"' in answer.text  # what was typed is kept
    unknown = client.post("/buyer/statements", data=form(client, company="nergens-steen", on="", language="en"))
    assert unknown.status_code == 422
    assert 'id="error-company"' in unknown.text and "No member company has this reference." in unknown.text
    bad_date = client.post("/buyer/statements", data=form(client, company=OWN, on="31-12-2024", language="en"))
    assert bad_date.status_code == 422 and 'id="error-on"' in bad_date.text


def test_the_statement_page_shows_the_facts_criteria_code_and_downloads(client, tokens):
    as_role(client, tokens, BUYER, language="nl")
    code = issued_code(client.post("/buyer/statements", data=form(client, company=OWN, on=yesterday(), language="en")))
    page = client.get(f"/statements/{code}")
    assert page.status_code == 200
    assert "Bewijsverklaring: Eigen Steen" in page.text  # the page in the reader's language
    assert "TRUSTONE EVIDENCE STATEMENT" in page.text  # the signed text in the statement's own
    assert f"http://127.0.0.1:8000/verify/{code}" in page.text  # TRUSTONE_PUBLIC_URL, never the Host
    assert f'href="/api/v1/public/statements/{code}/pdf"' in page.text
    assert f'href="/api/v1/public/statements/{code}/text"' in page.text
    assert client.get("/statements/TSV-0000-0000-0000-0000-0000").status_code == 404
    assert client.get("/verify/not-a-code").status_code == 404


def test_the_verification_page_says_valid_changed_or_not_a_statement(client, tokens):
    as_role(client, tokens, BUYER)
    code = issued_code(client.post("/buyer/statements", data=form(client, company=OWN, on=yesterday(), language="en")))
    text = client.get(f"/api/v1/public/statements/{code}/text").text
    pdf = client.get(f"/api/v1/public/statements/{code}/pdf").content
    changed = text.replace("Company: Eigen Steen", "Company: Eigen Steem", 1)
    assert changed != text

    visitor = as_role(client, tokens, None)

    def check(path: str, name: str, content: bytes, media: str):
        return visitor.post(path, data=form(visitor), files={"file": (name, content, media)})

    valid = check("/verify", "s.txt", text.encode(), "text/plain")
    assert valid.status_code == 200
    assert "has not been changed since" in valid.text and code in valid.text
    assert "has not been changed since" in check("/verify", "s.pdf", pdf, "application/pdf").text
    bad = check("/verify", "s.txt", changed.encode(), "text/plain")
    assert bad.status_code == 200
    assert "This statement was changed after it was signed: do not rely on it." in bad.text
    assert "Eigen Steem" in bad.text  # the text that was checked, shown beside the verdict
    garbage = check("/verify", "s.pdf", b"%PDF-1.4 nothing here", "application/pdf")
    assert garbage.status_code == 200 and "This is not a TruStone statement" in garbage.text
    pasted = visitor.post("/verify", data=form(visitor, text=text))
    assert "has not been changed since" in pasted.text
    nothing = visitor.post("/verify", data=form(visitor, text=""))
    assert nothing.status_code == 422 and 'id="error-file"' in nothing.text

    # by its code: the statement as issued, and a copy compared with it
    opened = visitor.post("/verify/code", data=form(visitor, code=code.lower()))
    assert opened.status_code == 303
    page = visitor.get(opened.headers["location"])
    assert page.status_code == 200 and code in page.text
    compared = check(f"/verify/{code}", "s.txt", changed.encode(), "text/plain")
    assert compared.status_code == 200 and "changed after it was signed" in compared.text


def test_a_refusal_is_logged_before_the_input_is_judged_and_opening_the_form_logs_nothing(client, tokens, world):
    def log_of(answer) -> list[tuple[str, str, str]]:
        request_id = answer.headers["X-Request-ID"]
        return [
            (entry.actor, entry.action, str(entry.outcome))
            for entry in world.access_log.entries(limit=100_000)
            if entry.request_id == request_id
        ]

    as_role(client, tokens, UNION)
    refused = client.post("/buyer/statements", data=form(client, company=OWN, on="not-a-date", language="xx"))
    assert refused.status_code == 403
    assert log_of(refused) == [("union.user", "issue_statement", "denied")]
    as_role(client, tokens, COMPANY)
    other = client.post("/buyer/statements", data=form(client, company=OTHER, on="not-a-date", language="en"))
    assert other.status_code == 403
    assert log_of(other) == [("company.user", "issue_statement", "denied")]
    as_role(client, tokens, BUYER)
    opened = client.get("/buyer/statements")
    assert opened.status_code == 200 and log_of(opened) == []
