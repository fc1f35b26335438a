#!/usr/bin/env python3
"""Redraw a verification round's sample from its public record, and say whether it matches.

    python3 scripts/redraw_sample.py round.json

An auditor runs this with a bare ``python3`` (3.11 or later) on a copy of the round record: it uses
the standard library only and does not import the registry. It is a second, independent
implementation of the procedure written out in docs/verification.md ("How the sample is drawn"), so
a mistake in either implementation shows as a mismatch.

It checks three links of the chain, each on its own, and prints each result:

1. the frame digest recomputed from ``frame`` equals the recorded ``frame_digest``;
2. the seed recomputed from the recorded ``frame_digest`` and ``beacon.value`` equals ``seed``;
3. the sample redrawn from ``frame``, ``dimensions``, ``sample_size`` and ``seed`` equals ``sample``
   (the same tokens, in the same order).

When all three hold, the sample follows from the frozen frame and the beacon value alone. What no
script can check is the beacon value itself: compare it with what its source published.

Exit status: 0 the sample matches, 1 a check failed, 2 the record cannot be read (the message
names the key).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from fractions import Fraction
from heapq import nsmallest
from math import floor
from typing import Any

FORMAT = "trustone-sample/1"
DIMENSIONS = ("country", "site_kind", "origin_confidence")
FIELDS = ("token",) + DIMENSIONS  # the order of the values in one row of "frame"


class Unreadable(Exception):
    """The record is not a round record this script can check; the message names the key."""


def netstrings(*values: str) -> bytes:
    """Each text as UTF-8, written as ``<byte length>:<bytes>,`` (a netstring), one after another."""
    out = bytearray()
    for value in values:
        data = value.encode("utf-8")
        out += str(len(data)).encode("ascii") + b":" + data + b","
    return bytes(out)


def sha256_hex(*values: str) -> str:
    return hashlib.sha256(netstrings(FORMAT, *values)).hexdigest()


def frame_digest(frame: list[dict[str, str]]) -> str:
    values = ["frame"]
    for entry in sorted(frame, key=lambda e: e["token"].encode("utf-8")):
        values.extend(entry[name] for name in FIELDS)
    return sha256_hex(*values)


def draw_seed(digest: str, beacon_value: str) -> str:
    return sha256_hex("seed", digest, beacon_value)


def allocation(sizes: dict[tuple[str, ...], int], total: int, seed: str) -> dict[tuple[str, ...], int]:
    """Largest remainder: the whole part of each quota, then one more unit to the largest fractions."""
    frame_size = sum(sizes.values())
    quotas = {stratum: Fraction(total * size, frame_size) for stratum, size in sizes.items()}
    counts = {stratum: floor(quota) for stratum, quota in quotas.items()}
    left = total - sum(counts.values())
    by_fraction = sorted(
        sizes, key=lambda stratum: (-(quotas[stratum] - counts[stratum]), sha256_hex("stratum", seed, *stratum))
    )
    for stratum in by_fraction[:left]:
        counts[stratum] += 1
    return counts


def redraw(frame: list[dict[str, str]], dimensions: list[str], total: int, seed: str) -> tuple[list[str], list[str]]:
    """The sample's tokens in token order, and one line per stratum (its size, its share, what was drawn)."""
    strata: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for entry in frame:
        strata[tuple(entry[name] for name in dimensions)].append(entry["token"])
    if not frame:
        return [], []
    counts = allocation({stratum: len(tokens) for stratum, tokens in strata.items()}, total, seed)
    sample: list[str] = []
    lines = []
    for stratum in sorted(strata):
        chosen = nsmallest(counts[stratum], strata[stratum], key=lambda token: sha256_hex("rank", seed, token))
        sample.extend(chosen)
        label = " / ".join(value or "(empty)" for value in stratum) or "(one stratum)"
        lines.append(f"       {label}: {counts[stratum]} of {len(strata[stratum])}")
    return sorted(sample, key=lambda token: token.encode("utf-8")), lines


# --- reading the record -----------------------------------------------------------------------------


def _get(record: dict[str, Any], key: str, kind: type, name: str | None = None) -> Any:
    name = name or key
    if key not in record:
        raise Unreadable(f'missing key "{name}"')
    value = record[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise Unreadable(f'"{name}" is not a {kind.__name__}')
    return value


def read_record(text: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError as error:
        raise Unreadable(f"not JSON ({error})") from None
    if not isinstance(record, dict):
        raise Unreadable("not a JSON object")
    if _get(record, "format", str) != FORMAT:
        raise Unreadable(f'"format" is not {FORMAT} (this script checks only that format)')
    dimensions = _get(record, "dimensions", list)
    if any(name not in DIMENSIONS for name in dimensions) or len(set(dimensions)) != len(dimensions):
        raise Unreadable(f'"dimensions" may only name {", ".join(DIMENSIONS)}, each once')
    rows = _get(record, "frame", list)
    frame = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != len(FIELDS) or not all(isinstance(v, str) for v in row):
            raise Unreadable(f'"frame" row {number} is not a list of {len(FIELDS)} texts ({", ".join(FIELDS)})')
        frame.append(dict(zip(FIELDS, row, strict=True)))
    if len({entry["token"] for entry in frame}) != len(frame):
        raise Unreadable('"frame" holds a token twice')
    size = _get(record, "sample_size", int)
    if not 0 <= size <= len(frame):
        raise Unreadable(f'"sample_size" is not between 0 and the {len(frame)} links of the frame')
    beacon = _get(record, "beacon", dict)
    sample = _get(record, "sample", list)
    if not all(isinstance(token, str) for token in sample):
        raise Unreadable('"sample" is not a list of tokens')
    return {
        "round": _get(record, "round", str),
        "year": _get(record, "year", int),
        # when the frame was frozen; records of before it was recorded have none (not checked then)
        "opened_on": record.get("opened_on") if isinstance(record.get("opened_on"), str) else None,
        "dimensions": dimensions,
        "sample_size": size,
        "frame": frame,
        "frame_digest": _get(record, "frame_digest", str),
        "source": _get(beacon, "source", str, "beacon.source"),
        "announced_on": _get(beacon, "announced_on", str, "beacon.announced_on"),
        "beacon_value": _get(beacon, "value", str, "beacon.value"),
        "seed": _get(record, "seed", str),
        "sample": sample,
    }


# --- the checks ----------------------------------------------------------------------------------------


def check(record: dict[str, Any]) -> bool:
    frame = record["frame"]
    print(f"Round {record['round']}, report year {record['year']}, format {FORMAT}")
    print(
        f"Frame: {len(frame)} links; strata by {', '.join(record['dimensions']) or 'nothing (one stratum)'}; "
        f"sample size {record['sample_size']}"
    )
    print(f"Beacon: {record['source']}, announced for {record['announced_on']}, value {record['beacon_value']!r}")
    failed = []

    if record["opened_on"] is not None:
        if record["opened_on"] < record["announced_on"]:  # ISO dates compare as texts
            print(f"[ok]   order: the frame was frozen on {record['opened_on']}, before the beacon's day")
        else:
            failed.append("order")
            print(
                f"[FAIL] order: the frame was frozen on {record['opened_on']}, not before the beacon's day "
                f"{record['announced_on']}: the value may have been known when the frame was chosen"
            )

    digest = frame_digest(frame)
    if digest == record["frame_digest"]:
        print(f"[ok]   frame digest: the {len(frame)} links of the frame hash to the recorded frame_digest")
    else:
        failed.append("frame digest")
        print(f"[FAIL] frame digest: the frame hashes to {digest}, the record says {record['frame_digest']}")

    seed = draw_seed(record["frame_digest"], record["beacon_value"])
    if seed == record["seed"]:
        print("[ok]   seed: the recorded frame_digest and beacon value give the recorded seed")
    else:
        failed.append("seed")
        print(f"[FAIL] seed: frame_digest and beacon value give {seed}, the record says {record['seed']}")

    sample, lines = redraw(frame, record["dimensions"], record["sample_size"], record["seed"])
    recorded = record["sample"]
    if sample == recorded:
        print(f"[ok]   sample: redrawn with the recorded seed, the same {len(sample)} tokens in the same order")
    else:
        failed.append("sample")
        missing, extra = sorted(set(sample) - set(recorded)), sorted(set(recorded) - set(sample))
        if missing or extra or len(recorded) != len(set(recorded)):
            print(
                f"[FAIL] sample: the redraw gives {len(sample)} tokens, the record lists {len(recorded)}; "
                f"drawn but not recorded: {', '.join(missing) or 'none'}; "
                f"recorded but not drawn: {', '.join(extra) or 'none'}"
            )
        else:
            print("[FAIL] sample: the same tokens, but not in token order as the procedure returns them")
    print("Per stratum (drawn of links in the frame):")
    print("\n".join(lines) or "       (empty frame)")

    if failed:
        print(f"The sample does NOT match: {', '.join(failed)} failed.")
        return False
    print(
        "The sample matches: it follows from the frozen frame and the beacon value. Check yourself that "
        f"{record['source']!r} published {record['beacon_value']!r} for {record['announced_on']}."
    )
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 redraw_sample.py ROUND_RECORD.json", file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as file:
            record = read_record(file.read())
    except (OSError, UnicodeDecodeError) as error:
        print(f"redraw_sample: cannot read {argv[0]}: {error}", file=sys.stderr)
        return 2
    except Unreadable as error:
        print(f"redraw_sample: {argv[0]}: {error}", file=sys.stderr)
        return 2
    return 0 if check(record) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
