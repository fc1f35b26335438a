"""`trustone demo-login ROLE`: what a newcomer types to log in to the demo in a browser."""

import json
import os
import subprocess
import sys

import pyotp


def _trustone(data_dir, *args):
    env = {**os.environ, "TRUSTONE_DATA_DIR": str(data_dir)}
    env.pop("TRUSTONE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "trustone.cli", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_demo_login_prints_the_login_password_and_a_valid_code(tmp_path):
    data = tmp_path / "data"
    assert _trustone(data, "demo-login").returncode == 1  # before the demo: says to load it
    assert _trustone(data, "init").returncode == 0
    assert _trustone(data, "demo").returncode == 0
    logins = json.loads((data / "demo-logins.json").read_text())

    company = _trustone(data, "demo-login", "company")
    assert company.returncode == 0
    assert company.stdout.splitlines() == [
        f"login: {logins['company']['login']}",
        f"password: {logins['company']['password']}",
    ]
    secretariat = _trustone(data, "demo-login", "secretariat").stdout.splitlines()
    code = secretariat[2].rsplit(" ", 1)[1]
    assert pyotp.TOTP(logins["secretariat"]["totp_secret"]).verify(code, valid_window=1)

    unknown = _trustone(data, "demo-login", "mayor")
    assert unknown.returncode == 1
    assert "one of: auditor, buyer, committee, company, ngo, secretariat, union" in unknown.stderr
