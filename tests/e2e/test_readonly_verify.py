"""An auditor verifies a read-only copy of the data directory (issue 11 item 6): the SQLite files and
the keyring as copied from a backup, on a medium (or with permissions) that allows no write.
``trustone audit verify`` must read what it needs and write nothing: exit 0, no traceback.

As root, file permissions do not stop a write, so the copy is then mounted read-only in a private
mount namespace (``unshare -m``), as a read-only medium would be; otherwise the permissions are
taken away. Either way the operating system refuses every write.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_access_log import sample_entry
from trustone.bootstrap import bootstrap
from trustone.settings import Settings


@pytest.fixture
def store_with_a_log(tmp_path) -> Path:
    """A SQLite data directory whose access log has entries and signed digests."""
    data_dir = tmp_path / "var"
    services = bootstrap(Settings(data_dir=data_dir, demo_mode=True))
    try:
        for n in range(1, 4):
            services.access_log.append(sample_entry(n))
    finally:
        services.close()
    return data_dir


def _read_only_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    for path in [*target.iterdir(), target]:
        path.chmod(stat.S_IRUSR | (stat.S_IXUSR if path.is_dir() else 0))
    return target


def _run_read_only(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRUSTONE_DATA_DIR": str(data_dir)}
    env.pop("TRUSTONE_DATABASE_URL", None)
    env.pop("TRUSTONE_KEYRING", None)
    command = [sys.executable, "-m", "trustone.cli", *args]
    if os.geteuid() == 0:  # permissions do not bind root: mount the copy read-only instead
        script = f'mount --bind "{data_dir}" "{data_dir}" && mount -o remount,bind,ro "{data_dir}" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", script, "sh", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_audit_verify_runs_on_a_read_only_copy(store_with_a_log, tmp_path):
    copy = _read_only_copy(store_with_a_log, tmp_path / "auditor-copy")
    before = {path.name: path.read_bytes() for path in copy.iterdir()}
    try:
        probe = _run_read_only(copy, "audit", "verify")
        touched = _run_read_only(copy, "--help")
    finally:
        for path in [copy, *copy.iterdir()]:
            path.chmod(0o700)
    assert touched.returncode == 0, touched.stderr
    assert "Traceback" not in probe.stderr, probe.stderr
    assert probe.returncode == 0, probe.stderr
    assert "access log intact: 3 entries" in probe.stdout
    assert {path.name: path.read_bytes() for path in copy.iterdir()} == before
