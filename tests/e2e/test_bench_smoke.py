"""The bench harness works end to end at a tiny scale (``python -m bench --smoke``): it imports,
rebuilds, serves a real ``trustone serve`` to a separate load client, verifies the access log, and
writes every figure with its baseline to the JSON and the growth chart to a PNG. It checks that the
harness works, never a timing."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {"import", "rebuild", "linked_list", "aggregated_list", "audit_verify"}  # issue 12 item 5, 1-5


def test_the_bench_writes_every_figure_and_the_chart(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUSTONE_")}
    done = subprocess.run(  # noqa: PLW1510 - the test reads the return code
        [sys.executable, "-m", "bench", "--smoke", "--backend", "sqlite", "--results", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [result_file] = tmp_path.glob("*-sqlite.json")
    result = json.loads(result_file.read_text())
    assert result["backend"] == "sqlite"
    [run] = result["runs"]
    assert set(run["figures"]) == FIGURES
    for name, figure in run["figures"].items():
        for field in ("value", "baseline", "ratio"):
            assert isinstance(figure[field], float) and math.isfinite(figure[field]), (name, field, figure[field])
        assert figure["value"] > 0 and figure["baseline"] > 0, (name, figure)
        assert isinstance(figure["met"], bool) and figure["target"], (name, figure)
    for name in ("linked_list", "aggregated_list"):
        details = run["figures"][name]["details"]
        assert details["requests"] > 0 and details["status"].get("200", 0) > 0, details
    # the data set's new sites were all registered (the intake released them) and are in the lists
    details = run["figures"]["import"]["details"]
    assert details["sites_in_aggregated_list"] == details["sites_described"] > 0
    [chart] = tmp_path.glob("*-growth.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for figure in run["figures"].values():
        assert figure["label"] in done.stdout  # the table was printed
