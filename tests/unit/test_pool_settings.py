"""The PostgreSQL pool settings (README, Serving): one size for every pool, a bounded wait, checked
connections; a bad value is refused naming its variable."""

from __future__ import annotations

import pytest

from trustone.settings import Settings, SettingsError

URL = "postgresql://app:s3cret-pw@db.internal:5432/trustone"


def test_every_pool_is_set_from_one_size_and_one_timeout(tmp_path):
    settings = Settings.from_env(
        {
            "TRUSTONE_DATA_DIR": str(tmp_path),
            "TRUSTONE_DATABASE_URL": URL,
            "TRUSTONE_DB_POOL_SIZE": "5",
            "TRUSTONE_DB_CONNECT_TIMEOUT": "2",
        }
    )
    env = settings.application_env("registry")
    assert {
        key: env[key]
        for key in ("POSTGRES_POOL_SIZE", "POSTGRES_MAX_OVERFLOW", "POSTGRES_PRE_PING", "POSTGRES_CONNECT_TIMEOUT")
    } == {
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_CONNECT_TIMEOUT": "2",
    }
    defaults = Settings.from_env({"TRUSTONE_DATA_DIR": str(tmp_path), "TRUSTONE_DATABASE_URL": URL})
    assert (
        defaults.postgres_params()["POSTGRES_MAX_OVERFLOW"],
        defaults.postgres_params()["POSTGRES_CONNECT_TIMEOUT"],
    ) == ("2", "3")


@pytest.mark.parametrize("name", ["TRUSTONE_DB_POOL_SIZE", "TRUSTONE_DB_CONNECT_TIMEOUT"])
@pytest.mark.parametrize("value", ["0", "-1", "three"])
def test_a_pool_setting_that_is_not_a_positive_whole_number_is_refused_by_name(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({"TRUSTONE_DATA_DIR": str(tmp_path), "TRUSTONE_DATABASE_URL": URL, name: value})
