"""Fake shredding (issue 11, channel 5; threat model: a writer to the database, without the keys).

An attacker who can write the key store deletes a company's wrapped data key, or marks it shredded
the way ``keys shred`` leaves it, so that the company's data looks legitimately shredded: "gone"
instead of an integrity failure. A key is only shredded when the shredding left its proof (bound to
that key and owner by the master keyring, which the attacker does not hold); a key that is gone
without one is "key missing but never shredded": ``trustone verify`` exits 1 naming it, and a read
is refused as an integrity failure, never answered as shredded. A real ``keys shred`` still
verifies clean, counting the shredded fields.
"""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from keys.access.filter import IntegrityError
from registry.domain.errors import GoneError
from tests.integration.test_attack_tamper import OTHER, YEAR, assert_names_no_value, verify, world  # noqa: F401
from tests.principals import secretariat
from trustone.cli import cli

MISSING = "key missing but never shredded"


def key_rows(services, company_ref: str, columns: str = "key_ref") -> list[tuple]:
    owner = str(services.registry.company(company_ref).id)
    with services.sql.transaction() as cursor:
        return cursor.execute(f"SELECT {columns} FROM {{schema}}.data_keys WHERE owner = %s", (owner,)).fetchall()


def attacker_sql(services, sql: str, params: tuple) -> None:
    with services.sql.transaction() as cursor:
        cursor.execute(sql, params)
    services.datakeys._cache.clear()  # noqa: SLF001  (a fresh process would not have it cached)


def assert_fails_verify(services) -> str:
    result = verify(services)
    assert result.exit_code == 1, result.stdout
    assert MISSING in result.stderr
    assert_names_no_value(result.stdout + result.stderr, services)
    return result.stderr


def test_a_deleted_data_key_row_is_key_missing_but_never_shredded(world, member):
    attacker_sql(world, "DELETE FROM {schema}.data_keys WHERE owner = %s", (str(world.registry.company(member).id),))
    assert_fails_verify(world)
    with pytest.raises(IntegrityError):
        world.registry.read_report(secretariat(), member, YEAR, purpose="test")


def test_a_data_key_marked_shredded_by_hand_is_key_missing_but_never_shredded(world, member):
    key_ref = key_rows(world, member)[0][0]
    attacker_sql(
        world,
        "UPDATE {schema}.data_keys SET wrapped = NULL, master_key_id = NULL, shredded_at = %s WHERE key_ref = %s",
        (dt.datetime.now(dt.UTC).isoformat(), key_ref),
    )
    stderr = assert_fails_verify(world)
    assert f"data_keys row {key_ref}" in stderr
    with pytest.raises(IntegrityError):  # refused loudly, not answered as shredded (GoneError)
        world.registry.read_report(secretariat(), member, YEAR, purpose="test")


def test_a_shredding_proof_copied_from_a_really_shredded_key_does_not_pass(world, member):
    world.shredding.shred(OTHER, secretariat())
    proof = next(
        row
        for row in key_rows(world, OTHER, "key_ref, owner, master_key_id, wrapped, shredded_at, shred_proof")
        if row[5] is not None
    )
    key_ref = key_rows(world, member)[0][0]
    attacker_sql(
        world,
        "UPDATE {schema}.data_keys SET wrapped = NULL, master_key_id = %s, shredded_at = %s,"
        " shred_proof = %s WHERE key_ref = %s",
        (proof[2], proof[4], proof[5], key_ref),
    )
    assert f"data_keys row {key_ref}" in assert_fails_verify(world)


def test_a_real_shredding_verifies_clean_with_the_shredded_count(world, member):
    world.shredding.shred(member, secretariat())
    with pytest.raises(GoneError):
        world.registry.read_report(secretariat(), member, YEAR, purpose="test")
    result = verify(world)
    assert result.exit_code == 0, result.stderr
    shredded = int(result.stdout.split(" shredded")[0].rsplit(" ", 1)[1])
    assert shredded >= 1


def test_the_keys_shred_command_then_a_rotation_still_verifies_clean(world, member):
    env = {"TRUSTONE_DATA_DIR": str(world.settings.data_dir), "TRUSTONE_DATABASE_URL": world.settings.database_url}
    shred = CliRunner().invoke(cli, ["keys", "shred", "--company", member], env=env, catch_exceptions=False)
    assert shred.exit_code == 0, shred.stderr
    rotate = CliRunner().invoke(cli, ["keys", "rotate"], env=env, catch_exceptions=False)
    assert rotate.exit_code == 0, rotate.stderr  # the old master key retired: the proofs moved with the keys
    result = verify(world)
    assert result.exit_code == 0, result.stderr
    assert " 0 shredded" not in result.stdout
