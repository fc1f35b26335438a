"""``python -m bench``: the figures of issue 12 at 1x and 10x (``--scale 100`` adds 100x), on SQLite
and PostgreSQL, each next to a baseline measured in the same run. See bench/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench import chart, phases
from bench.stores import fresh_settings
from trustone.terminal import progress_on_terminal

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--scale",
        type=float,
        action="append",
        help="1 alone for a quick run; 100 adds 100x to 1x and 10x; any other value alone (e.g. 0.02); repeatable",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="checks the harness, not the timings: scale 0.02, 2 clients, a few requests, SQLite",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per load run, across the clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="per load run, at most")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON and the PNG go")
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale, args.clients, args.requests, args.seconds = [0.02], 2, 6, 30.0
        if args.backend == "both":
            args.backend = "sqlite"
    scales = args.scale or [1.0, 10.0]
    if scales == [100.0]:
        scales = [1.0, 10.0, 100.0]
    args.scales = sorted(set(scales))
    args.backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    return args


def _number(value: float, unit: str) -> str:
    return f"{value:,.1f}" if unit == "ms" else f"{value:,.0f}"


def table(results: dict[str, dict]) -> Table:
    out = Table(title="issue 12 bench: figure / baseline in the same run")
    for column in ("store", "scale", "figure", "value", "baseline", "ratio", "target", "met"):
        out.add_column(column, justify="right" if column in ("scale", "value", "baseline", "ratio") else "left")
    for backend, result in results.items():
        for run in result["runs"]:
            for figure in run["figures"].values():
                unit = figure["unit"]
                extra = f" ({figure['details']['errors']} errors)" if "errors" in figure["details"] else ""
                out.add_row(
                    backend,
                    f"{run['scale']:g}x",
                    figure["label"],
                    f"{_number(figure['value'], unit)} {unit}{extra}",
                    f"{_number(figure['baseline'], unit)} {unit}",
                    f"{figure['ratio']:.3f}",
                    figure["target"],
                    "yes" if figure["met"] else "NO",
                )
        if result.get("flatness"):
            out.add_row(backend, "", "import flatness (largest / 1x)", f"{result['flatness']:.3f}", "", "", "", "")
    return out


def flatness(runs: list[dict]) -> float | None:
    by_scale = {run["scale"]: run["figures"]["import"]["value"] for run in runs}
    if 1.0 in by_scale and len(by_scale) > 1:
        return by_scale[max(by_scale)] / by_scale[1.0]
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)  # a file or pipe gets whole rows
    today = dt.datetime.now(dt.UTC).date().isoformat()
    results: dict[str, dict] = {}
    total = len(args.backends) * sum(phases.steps(scale) for scale in args.scales)
    columns = (*Progress.get_default_columns(),)
    with progress_on_terminal(Console(stderr=True), columns, total, "bench") as update:  # quiet when not on a terminal
        for backend in args.backends:
            runs = []
            for scale in args.scales:
                update(description=f"{backend} {scale:g}x")
                with (
                    tempfile.TemporaryDirectory(prefix="trustone-bench-") as tmp,
                    fresh_settings(backend, Path(tmp) / "data") as settings,
                ):
                    runs.append(
                        phases.run_once(
                            settings,
                            scale,
                            args.clients,
                            args.requests,
                            args.seconds,
                            Path(tmp),
                            lambda: update(advance=1),
                        )
                    )
            results[backend] = {
                "date": today,
                "backend": backend,
                "runs": runs,
                "flatness": flatness(runs),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "settings": {
                    "clients": args.clients,
                    "requests": args.requests,
                    "seconds": args.seconds,
                    "scales": args.scales,
                },
            }
    args.results.mkdir(parents=True, exist_ok=True)
    for backend, result in results.items():
        (args.results / f"{today}-{backend}.json").write_text(json.dumps(result, indent=2) + "\n")
    png = chart.draw(results, args.results / f"{today}-growth.png")
    console.print(table(results))
    console.print(f"results: {', '.join(str(args.results / f'{today}-{b}.json') for b in results)}; chart: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
