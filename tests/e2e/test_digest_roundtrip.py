"""The auditor's digest export round-trips: the body of ``GET /api/v1/audit/digest``, saved to a file
byte for byte, is what ``trustone audit verify --digests FILE`` reads, as is (no jq), alongside the
lines ``trustone audit digest`` prints."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.e2e.test_cli import run
from tests.integration.test_access_log import sample_entry, tampering
from trustone.web.app import create_app


@pytest.fixture
def client(services):
    services.registry.register_organisation("audit-firm", "Audit Firm BV", OrganisationKind.AUDITOR, "NL")
    services.registry.create_account("auditor.one", Role.AUDITOR, "audit-firm", "Auditor One", "not-used", None)
    for n in range(1, 4):
        services.access_log.append(sample_entry(n))
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        token = test_client.app.state.authenticator._sessions.issue("auditor.one", dt.timedelta(hours=1))  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


@pytest.fixture
def saved_body(client, tmp_path):
    """The API's response body, written to a file exactly as received."""
    response = client.get("/api/v1/audit/digest")
    assert response.status_code == 200, response.text
    path = tmp_path / "digest-from-api.json"
    path.write_bytes(response.content)
    return path


def verify(services, path):
    return run(services.settings, "audit", "verify", "--digests", str(path))


def test_the_body_of_the_digest_endpoint_saved_as_is_verifies(services, saved_body):
    result = verify(services, saved_body)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("access log intact: 4 entries")  # three, and the export's own read


def test_the_saved_body_is_really_checked_a_truncation_it_covers_is_caught(services, saved_body):
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq = 4")
        cursor.execute("DELETE FROM {schema}.access_log_digests")
    result = verify(services, saved_body)
    assert result.returncode == 1
    assert "access log TAMPERED at entry 4: truncated" in result.stderr


def test_an_entry_edited_after_the_export_still_fails(services, saved_body):
    with tampering(services) as cursor:
        cursor.execute("UPDATE {schema}.access_log SET outcome = 'denied' WHERE seq = 2")
    result = verify(services, saved_body)
    assert result.returncode == 1
    assert "access log TAMPERED at entry 2: changed" in result.stderr


def test_a_tampered_saved_digest_fails_as_a_bad_signature(services, saved_body):
    body = json.loads(saved_body.read_bytes())
    body["digest"]["head_hash"] = "0" * len(body["digest"]["head_hash"])
    saved_body.write_text(json.dumps(body))
    result = verify(services, saved_body)
    assert result.returncode == 1
    assert "bad signature" in result.stderr


def test_one_file_with_printed_digests_and_a_saved_body_verifies(services, client, saved_body, tmp_path):
    printed = run(services.settings, "audit", "digest")
    assert printed.returncode == 0, printed.stderr
    services.access_log.append(sample_entry(5))
    later = run(services.settings, "audit", "digest").stdout
    kept = tmp_path / "kept.jsonl"
    kept.write_bytes(printed.stdout.encode() + saved_body.read_bytes() + b"\n" + later.encode())
    result = verify(services, kept)
    assert result.returncode == 0, result.stderr


def test_an_export_of_an_empty_log_is_a_usage_error_naming_the_line(settings, tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_text('{"digest": null, "public_key_pem": "-----BEGIN PUBLIC KEY-----"}')
    result = run(settings, "audit", "verify", "--digests", str(kept))
    assert result.returncode == 2
    assert "line 1: the export holds no digest" in result.stderr


def test_a_file_that_is_not_json_is_a_usage_error_naming_the_line(settings, tmp_path):
    kept = tmp_path / "kept.jsonl"
    kept.write_text('\n\n{"seq": 1,\n')
    result = run(settings, "audit", "verify", "--digests", str(kept))
    assert result.returncode == 2
    assert "line 3: not a signed access-log digest" in result.stderr
