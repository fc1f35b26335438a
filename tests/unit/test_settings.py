import pytest

from trustone.settings import Settings, SettingsError


def settings(url: str, demo: bool = False) -> Settings:
    env = {"TRUSTONE_DATA_DIR": "/tmp/x", "TRUSTONE_DATABASE_URL": url}
    if demo:
        env["TRUSTONE_DEMO_MODE"] = "1"
    return Settings.from_env(env)


@pytest.mark.parametrize("password", ["changeme", "postgres", "Password", ""])
def test_a_placeholder_database_password_is_refused_naming_the_variable(password):
    with pytest.raises(SettingsError, match="TRUSTONE_DATABASE_URL"):
        settings(f"postgresql://app:{password}@db.example:5432/trustone").refuse_placeholder_secrets()


def test_a_real_password_or_demo_mode_or_sqlite_is_accepted():
    settings("postgresql://app:7f3Kq-very-long-random@db:5432/trustone").refuse_placeholder_secrets()
    settings("postgresql://app:changeme@localhost:5432/trustone", demo=True).refuse_placeholder_secrets()
    Settings.from_env({"TRUSTONE_DATA_DIR": "/tmp/x"}).refuse_placeholder_secrets()


def test_a_malformed_database_url_names_the_variable():
    with pytest.raises(SettingsError, match="TRUSTONE_DATABASE_URL"):
        settings("mysql://somewhere")


def test_defaults_are_sqlite_in_var():
    defaults = Settings.from_env({})
    assert defaults.backend == "sqlite" and defaults.data_dir.name == "var"
    assert defaults.keyring_file.name == "keyring.json"


def test_the_public_address_is_configured_and_checked():
    """TRUSTONE_PUBLIC_URL: what a signed statement names as its verification page and key."""
    assert Settings.from_env({}).public_url == "http://127.0.0.1:8000"
    assert Settings.from_env({"TRUSTONE_PUBLIC_URL": "https://registry.trustone.org/"}).public_url == (
        "https://registry.trustone.org"
    )
    for wrong in ("registry.trustone.org", "ftp://registry.trustone.org", "https://registry.trustone.org/?a=1"):
        with pytest.raises(SettingsError, match="TRUSTONE_PUBLIC_URL"):
            Settings.from_env({"TRUSTONE_PUBLIC_URL": wrong})
