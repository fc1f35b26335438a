"""The growth curves: each figure against the scale, one line per store, its baseline dashed, the
target's bound dotted grey."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def draw(results: dict[str, dict], path: Path) -> Path:
    """``results``: backend -> the JSON written for it (``runs``: one per scale)."""
    keys = list(next(iter(results.values()))["runs"][0]["figures"])
    columns = 3
    rows = -(-len(keys) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.4 * columns, 3.6 * rows), squeeze=False)
    for ax in axes.flat[len(keys) :]:
        ax.set_visible(False)
    for ax, key in zip(axes.flat, keys):
        for backend, result in results.items():
            runs = sorted(result["runs"], key=lambda run: run["scale"])
            scales = [run["scale"] for run in runs]
            (line,) = ax.plot(scales, [run["figures"][key]["value"] for run in runs], marker="o", label=backend)
            ax.plot(
                scales,
                [run["figures"][key]["baseline"] for run in runs],
                linestyle="--",
                marker=".",
                color=line.get_color(),
                label=f"{backend} baseline",
            )
        first = results[next(iter(results))]["runs"][0]["figures"][key]
        if first.get("target_value"):
            ax.axhline(first["target_value"], color="grey", linestyle=":", linewidth=1, label="target")
        ax.set_title(first["label"], fontsize=9)
        ax.set_xlabel("scale (1x = 5,000 links)")
        ax.set_ylabel(first["unit"])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
