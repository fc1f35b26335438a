"""The auditor's script redraws a round from its public record alone (issue 16 acceptance).

A round record is built with the registry's sampling module, written as the JSON of
docs/verification.md, and checked by ``scripts/redraw_sample.py`` in a bare interpreter: ``-I -S``
(no site-packages, no environment, not the repository on the path), so it can import nothing of the
registry. The two implementations agree on a correct record; an edited frame, beacon value or
sample is a mismatch named by the script.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from registry.domain.sampling import FORMAT, Dimension, FrameEntry, draw, draw_seed, frame_digest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "redraw_sample.py"
COUNTRIES = ["IN", "IN", "IN", "CN", "CN", "TR", "VN", "ZW"]
KINDS = ["quarry", "quarry", "factory", "cobble_yard"]
CONFIDENCE = ["claimed", "partly_known", "verified", ""]
DIMENSIONS = [Dimension.COUNTRY, Dimension.SITE_KIND]


def _frame(size: int = 48) -> list[FrameEntry]:
    return [
        FrameEntry(
            hashlib.md5(f"link {number}".encode()).hexdigest(),  # 32 hex characters, as the registry's tokens
            COUNTRIES[number % len(COUNTRIES)],
            KINDS[number % len(KINDS)],
            CONFIDENCE[number % 3],
        )
        for number in range(size)
    ]


def _record(frame: list[FrameEntry] | None = None, size: int = 12) -> dict[str, Any]:
    frame = _frame() if frame is None else frame
    digest = frame_digest(frame)
    beacon = "Lotto 1 March 2025: 3 11 17 28 36 41"
    seed = draw_seed(digest, beacon)
    return {
        "format": FORMAT,
        "round": "1b7f3c2e-8a1d-4c55-9d0e-2f6a7b8c9d01",
        "year": 2024,
        "dimensions": [dimension.value for dimension in DIMENSIONS],
        "sample_size": size,
        "frame": [entry.as_list() for entry in frame],
        "frame_digest": digest,
        "beacon": {"source": "Nederlandse Loterij, Lotto", "announced_on": "2025-03-01", "value": beacon},
        "seed": seed,
        "sample": [entry.token for entry in draw(frame, DIMENSIONS, size, seed)],
    }


def _run(tmp_path: Path, record: dict[str, Any] | str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "round.json"
    path.write_text(record if isinstance(record, str) else json.dumps(record, indent=1), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_script_imports_the_standard_library_only():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported - {"__future__"} <= sys.stdlib_module_names, imported - sys.stdlib_module_names


def test_a_round_drawn_by_the_registry_matches(tmp_path):
    record = _record()
    result = _run(tmp_path, record)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("[")] == [
        "[ok]   frame digest",
        "[ok]   seed",
        "[ok]   sample",
    ]
    assert lines[-1].startswith("The sample matches")
    assert "1b7f3c2e-8a1d-4c55-9d0e-2f6a7b8c9d01" in lines[0]
    assert "announced for 2025-03-01" in result.stdout


@pytest.mark.parametrize(("dimensions", "size"), [([], 5), (["origin_confidence"], 7), (["country"], 48)])
def test_other_stratifications_match_too(tmp_path, dimensions, size):
    frame = _frame()
    record = _record(frame, size)
    chosen = [Dimension(name) for name in dimensions]
    record["dimensions"] = dimensions
    record["sample"] = [entry.token for entry in draw(frame, chosen, size, record["seed"])]
    result = _run(tmp_path, record)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_empty_frame_matches_an_empty_sample(tmp_path):
    result = _run(tmp_path, _record([], 0))
    assert result.returncode == 0, result.stdout + result.stderr


def _failed(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout.splitlines()[-1]


def test_a_token_changed_in_the_frame_is_a_frame_digest_mismatch(tmp_path):
    record = _record()
    index = next(i for i, row in enumerate(record["frame"]) if row[0] not in record["sample"])
    record["frame"][index][0] = hashlib.md5(b"another link").hexdigest()
    result = _run(tmp_path, record)
    assert _failed(result) == "The sample does NOT match: frame digest failed."
    assert "[FAIL] frame digest: the frame hashes to " in result.stdout


def test_a_changed_country_in_the_frame_is_a_frame_digest_mismatch(tmp_path):
    record = _record()
    record["frame"][0][1] = "PT"
    assert "frame digest" in _failed(_run(tmp_path, record))


def test_a_changed_beacon_value_is_a_seed_mismatch(tmp_path):
    record = _record()
    record["beacon"]["value"] = "Lotto 1 March 2025: 3 11 17 28 36 42"
    result = _run(tmp_path, record)
    assert _failed(result) == "The sample does NOT match: seed failed."
    assert "[FAIL] seed: frame_digest and beacon value give " in result.stdout


def test_a_changed_sample_is_a_sample_mismatch(tmp_path):
    record = _record()
    outside = next(row[0] for row in record["frame"] if row[0] not in record["sample"])
    removed = record["sample"][3]
    record["sample"][3] = outside
    record["sample"].sort()
    result = _run(tmp_path, record)
    assert _failed(result) == "The sample does NOT match: sample failed."
    assert f"drawn but not recorded: {removed}; recorded but not drawn: {outside}" in result.stdout


def test_the_sample_out_of_order_is_a_sample_mismatch(tmp_path):
    record = _record()
    record["sample"].reverse()
    result = _run(tmp_path, record)
    assert _failed(result) == "The sample does NOT match: sample failed."
    assert "not in token order" in result.stdout


def test_a_sample_drawn_from_another_seed_is_a_sample_mismatch(tmp_path):
    record = _record()
    other = draw_seed(record["frame_digest"], "another beacon")
    frame = [FrameEntry.from_list(row) for row in record["frame"]]
    record["sample"] = [entry.token for entry in draw(frame, DIMENSIONS, 12, other)]
    assert _failed(_run(tmp_path, record)) == "The sample does NOT match: sample failed."


def test_bad_json_is_refused(tmp_path):
    result = _run(tmp_path, '{"format": "trustone-sample/1", ')
    assert result.returncode == 2
    assert "not JSON" in result.stderr
    assert result.stdout == ""


KEYS = ["format", "round", "year", "dimensions", "sample_size", "frame", "frame_digest", "beacon", "seed", "sample"]


@pytest.mark.parametrize("key", [*KEYS, "beacon.value", "beacon.source", "beacon.announced_on"])
def test_a_missing_key_is_refused_naming_the_key(tmp_path, key):
    record = _record()
    if key.startswith("beacon."):
        del record["beacon"][key.split(".")[1]]
    else:
        del record[key]
    result = _run(tmp_path, record)
    assert result.returncode == 2, result.stdout
    assert f'missing key "{key}"' in result.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("format", "trustone-sample/2"),
        ("dimensions", ["company"]),
        ("sample_size", 49),
        ("sample_size", "12"),
        ("frame", [["only", "three", "values"]]),
    ],
)
def test_a_value_the_procedure_cannot_use_is_refused_naming_the_key(tmp_path, key, value):
    record = _record()
    record[key] = value
    result = _run(tmp_path, record)
    assert result.returncode == 2, result.stdout
    assert f'"{key}"' in result.stderr


def test_a_missing_file_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(tmp_path / "absent.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_a_frame_frozen_before_the_beacons_day_is_in_order(tmp_path):
    record = {**_record(), "opened_on": "2025-02-24"}
    result = _run(tmp_path, record)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok]   order: the frame was frozen on 2025-02-24, before the beacon's day" in result.stdout


@pytest.mark.parametrize("opened_on", ["2025-03-01", "2025-03-02"])
def test_a_frame_frozen_on_or_after_the_beacons_day_fails_the_order_check(tmp_path, opened_on):
    """The beacon's value may have been public when the frame was chosen: the draw could be steered."""
    record = {**_record(), "opened_on": opened_on}
    result = _run(tmp_path, record)
    assert _failed(result) == "The sample does NOT match: order failed."
    assert f"[FAIL] order: the frame was frozen on {opened_on}, not before the beacon's day 2025-03-01" in result.stdout
