import os

import pytest

from keys.encryption.envelope import DecryptionError
from keys.encryption.keyring import FileKeyring, KeyringError


def test_a_new_keyring_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keyring.json"
    FileKeyring.create(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_keyring_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "keyring.json"
    FileKeyring.create(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        FileKeyring.load(path)


def test_rotation_makes_a_new_primary_and_old_wrappings_still_open(tmp_path):
    keyring = FileKeyring.create(tmp_path / "keyring.json")
    first = keyring.primary_id
    master_id, wrapped = keyring.wrap(b"k" * 32, b"aad")
    keyring.rotate()
    reloaded = FileKeyring.load(tmp_path / "keyring.json")
    assert reloaded.primary_id != first
    assert reloaded.unwrap(master_id, wrapped, b"aad") == b"k" * 32


def test_unwrapping_with_other_associated_data_fails(tmp_path):
    keyring = FileKeyring.create(tmp_path / "keyring.json")
    master_id, wrapped = keyring.wrap(b"k" * 32, b"owner-a")
    with pytest.raises(DecryptionError):
        keyring.unwrap(master_id, wrapped, b"owner-b")


def test_a_retired_master_key_no_longer_unwraps(tmp_path):
    keyring = FileKeyring.create(tmp_path / "keyring.json")
    master_id, wrapped = keyring.wrap(b"k" * 32, b"aad")
    keyring.rotate()
    keyring.retire(master_id)
    with pytest.raises(DecryptionError):
        keyring.unwrap(master_id, wrapped, b"aad")
    with pytest.raises(KeyringError):
        keyring.retire(keyring.primary_id)
