"""``trustone audit``, run as an auditor would: a subprocess with the store in its environment."""

from keys.access.accesslog import SignedDigest
from tests.e2e.test_cli import run
from tests.integration.test_access_log import sample_entry, tampering


def _log_three(services) -> None:
    """Three entries in one request: one signed checkpoint, over the third (the first append of a process signs)."""
    services.access_log.append_many([sample_entry(n) for n in range(1, 4)])


def test_verify_reports_an_intact_log(services):
    _log_three(services)
    result = run(services.settings, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "access log intact: 3 entries, 1 signed checkpoint checked"


def test_verify_names_the_entry_edited_in_the_database_and_exits_1(services):
    _log_three(services)
    with tampering(services) as cursor:
        cursor.execute("UPDATE {schema}.access_log SET outcome = 'denied' WHERE seq = 2")
    result = run(services.settings, "audit", "verify")
    assert result.returncode == 1
    assert "access log TAMPERED at entry 2: changed" in result.stderr
    assert "intact" not in result.stdout and "Traceback" not in result.stderr


def test_a_kept_digest_catches_a_truncation_that_removed_the_stored_digests(services, tmp_path):
    _log_three(services)
    digest = run(services.settings, "audit", "digest")
    assert digest.returncode == 0, digest.stderr
    kept = tmp_path / "kept.jsonl"
    kept.write_text(digest.stdout + "\n")
    assert SignedDigest.from_json(digest.stdout).seq == 3
    assert run(services.settings, "audit", "verify", "--digests", str(kept)).returncode == 0
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq = 3")
        cursor.execute("DELETE FROM {schema}.access_log_digests")
    result = run(services.settings, "audit", "verify", "--digests", str(kept))
    assert result.returncode == 1
    assert "access log TAMPERED at entry 3: truncated" in result.stderr


def test_the_public_key_checks_the_printed_digest(services):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    _log_three(services)
    pem = run(services.settings, "audit", "public-key")
    assert pem.returncode == 0, pem.stderr
    digest = SignedDigest.from_json(run(services.settings, "audit", "digest").stdout)
    assert digest.signed_by(load_pem_public_key(pem.stdout.encode()))


def test_an_unreadable_digests_file_is_a_usage_error_naming_the_line(settings, tmp_path):
    kept = tmp_path / "kept.jsonl"
    kept.write_text('{"seq": 1}\n')
    result = run(settings, "audit", "verify", "--digests", str(kept))
    assert result.returncode == 2
    assert "line 1: not a signed access-log digest" in result.stderr
