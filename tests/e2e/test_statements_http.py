"""Issue 15's acceptance for evidence statements, over HTTP with the demo data.

A public buyer asks for a statement about the demo company on a date; the statement verifies at the
public URL and offline (``trustone verify-statement`` and the openssl recipe of docs/statements.md)
with the published key; the same statement with one changed character fails all three; the company
sees the question; a company that was not a member on that date gets a statement that says so.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trustone.cli import cli
from trustone.demo import load_demo
from trustone.web.app import create_app

SIGNATURE_LINE = "-----BEGIN TRUSTONE SIGNATURE-----\n"


@pytest.fixture
def world(services):
    demo = load_demo(services)
    return services, demo


@pytest.fixture
def client(world):
    services, _ = world
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def auth(client, world):
    _, demo = world
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {
        role: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=2))}"}
        for role, login in demo.logins.items()
    }


def demo_company(world) -> tuple[str, str, dt.date]:
    """The demo company's reference, name and the date it joined."""
    services, demo = world
    company = organisation_of(services, demo.logins["company"])
    return company.ref, company.name, company.periods[0].joined_on


def organisation_of(services, login: str):
    account = services.registry.account(login)
    return next(org for org in services.registry.organisations() if org.id == account.organisation_id)


def one_changed(document: str, old: str, new: str) -> str:
    body, _, block = document.partition(SIGNATURE_LINE)
    assert old in body
    return body.replace(old, new, 1) + SIGNATURE_LINE + block


def test_a_buyers_statement_verifies_online_and_offline_and_a_changed_one_fails(world, client, auth, tmp_path):
    services, _ = world
    ref, name, joined_on = demo_company(world)
    on = dt.date.today() - dt.timedelta(days=30)
    issued = client.post(
        "/api/v1/statements", headers=auth["buyer"], json={"company": ref, "on": on.isoformat(), "language": "nl"}
    )
    assert issued.status_code == 201, issued.text
    statement = issued.json()
    document, code = statement["document"], statement["code"]
    assert statement["facts"]["member"] is True
    assert f"Bedrijf: {name} (kenmerk: {ref})" in document
    assert f"Gevraagde datum: {on.isoformat()}" in document
    assert f"Lidmaatschap op die datum: deelnemend lid sinds {joined_on.isoformat()}" in document
    assert f"Verificatiecode: {code}" in document
    assert f"http://127.0.0.1:8000/verify/{code}" in document  # the settings' TRUSTONE_PUBLIC_URL

    # the public URL: the statement by its code, without a login, and the check of the file
    assert client.get(f"/api/v1/public/statements/{code}").json()["document"] == document
    checked = client.post("/api/v1/public/statements/verify", content=document.encode())
    assert checked.json() == {
        "outcome": "valid",
        "valid": True,
        "code": code,
        "issued_on": dt.date.today().isoformat(),
        "key_id": checked.json()["key_id"],
    }
    pdf = client.get(f"/api/v1/public/statements/{code}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert client.post("/api/v1/public/statements/verify", content=pdf.content).json()["outcome"] == "valid"

    # offline: the published key, saved, and the statement as a file
    [key] = client.get("/api/v1/public/statement-keys").json()
    assert key["algorithm"] == "Ed25519"
    pem = client.get(f"/api/v1/public/statement-keys/{key['key_id']}.pem")
    assert pem.text == key["public_key_pem"] and pem.text.startswith("-----BEGIN PUBLIC KEY-----")
    (tmp_path / "key.pem").write_text(pem.text)
    (tmp_path / "statement.txt").write_text(document)
    (tmp_path / "statement.pdf").write_bytes(pdf.content)
    runner = CliRunner()
    for file in ("statement.txt", "statement.pdf"):
        result = runner.invoke(cli, ["verify-statement", str(tmp_path / file), "--key", str(tmp_path / "key.pem")])
        assert result.exit_code == 0, result.output
        assert f"valid: statement {code} is unchanged" in result.output
    assert openssl_recipe(tmp_path, "statement.txt") == 0

    # one changed character: one letter of the company's name, or the level's figure
    level = statement["facts"]["level"]
    assert level is not None, "the demo company has been assessed"
    changes = (
        one_changed(document, f"Bedrijf: {name}", f"Bedrijf: {name[:-1]}X"),
        one_changed(document, f"Niveau: {level},", f"Niveau: {level + 1},"),
    )
    for changed in changes:
        assert changed != document
        verdict = client.post("/api/v1/public/statements/verify", content=changed.encode()).json()
        assert verdict["outcome"] == "changed" and verdict["valid"] is False
        (tmp_path / "changed.txt").write_text(changed)
        result = runner.invoke(
            cli, ["verify-statement", str(tmp_path / "changed.txt"), "--key", str(tmp_path / "key.pem")]
        )
        assert result.exit_code == 1
        assert f"CHANGED: statement {code} is not the text TruStone signed" in result.output
        assert openssl_recipe(tmp_path, "changed.txt") != 0

    # the company sees which buyer asked, and when
    asked = client.get("/api/v1/audit/status-checks", headers=auth["company"]).json()
    buyer_organisation = organisation_of(services, world[1].logins["buyer"]).ref
    assert [(check["kind"], check["organisation"], check["reference"]) for check in asked] == [
        ("statement", buyer_organisation, code)
    ]


def test_a_company_that_was_not_a_member_on_the_date_gets_a_statement_that_says_so(world, client, auth):
    ref, _, joined_on = demo_company(world)
    before = joined_on - dt.timedelta(days=1)
    issued = client.post(
        "/api/v1/statements", headers=auth["buyer"], json={"company": ref, "on": before.isoformat(), "language": "en"}
    )
    assert issued.status_code == 201
    statement = issued.json()
    assert statement["facts"]["member"] is False
    assert statement["criteria"] == []
    assert "Membership on that date: not a member: it had not joined TruStone by that date" in statement["document"]
    assert (
        "The company was not a participating member on that date: the criteria do not apply." in (statement["document"])
    )
    verdict = client.post("/api/v1/public/statements/verify", content=statement["document"].encode()).json()
    assert verdict["outcome"] == "valid"


def test_a_code_never_issued_is_not_found_and_a_foreign_signature_is_not_valid(client):
    assert client.get("/api/v1/public/statements/TSV-0000-0000-0000-0000-0000").status_code == 404
    assert client.get("/api/v1/public/statements/not-a-code").status_code == 404
    verdict = client.post("/api/v1/public/statements/verify", content=b"a letter, not a statement").json()
    assert verdict["outcome"] == "not_a_statement" and verdict["valid"] is False


def openssl_recipe(folder, name: str) -> int:
    """docs/statements.md's recipe, as written there: cut the file at the signature block, decode the
    signature, and let openssl check it with the published key."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is part of the recipe the docs give: install it"
    script = f"""
set -e
cd '{folder}'
sed '/^-----BEGIN TRUSTONE SIGNATURE-----$/,$d' {name} > body.txt
sed -n 's/^Signature: //p' {name} | base64 -d > signature.bin
openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in body.txt -sigfile signature.bin
"""
    return subprocess.run(["bash", "-c", script], capture_output=True, check=False).returncode


def test_the_addresses_a_statement_names_are_the_registrys_not_the_requests(world, client, auth):
    """A caller chooses its request's Host header: a statement signed with the registry's key must not
    send its reader to the caller's site to have it "verified" there."""
    ref, _, _ = demo_company(world)
    issued = client.post(
        "/api/v1/statements",
        headers={**auth["company"], "Host": "evil.example"},
        json={"company": ref, "language": "en"},
    )
    assert issued.status_code == 201
    document = issued.json()["document"]
    assert "evil.example" not in document
    assert f"Verify at: http://127.0.0.1:8000/verify/{issued.json()['code']}" in document
    assert "the public key is at http://127.0.0.1:8000/api/v1/public/statement-keys." in document
