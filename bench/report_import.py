"""What confidentiality costs on the write path: importing a report with sealed fields.

Prints figures as ratios against a baseline measured in the same run, never absolute targets:
    .venv/bin/python bench/report_import.py [--links 2000] [--repeat 5]

- baseline: parsing the CSV and building the report content (no store);
- import, sealed: the whole import into a fresh SQLite store with the vault's sealing mapper;
- import, plain mapper: the same import with sealing switched off (for comparison only);
- read back through the filter: opening the latest version (policy, access-log entry, decryption).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.persistence import Mapper  # noqa: E402

from keys.principal import Principal  # noqa: E402
from registry.application import RegistryApplication  # noqa: E402
from registry.domain.accounts import Role  # noqa: E402
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind  # noqa: E402
from registry.reportfile import parse_report_file  # noqa: E402
from trustone.bootstrap import bootstrap  # noqa: E402
from trustone.settings import Settings  # noqa: E402

COLUMNS = ["chain", "tier", "site_kind", "site_name", "country", "province", "district", "latitude", "longitude",
           "stone_type", "product", "channel", "origin_confidence", "volume", "volume_unit", "price_eur_per_unit"]


def report_csv(links: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i in range(links):
        writer.writerow([f"C{i // 4}", 2, "quarry", f"Bench Quarry {i}", "IN", "Rajasthan", f"District {i % 40}",
                         f"{24 + (i % 500) / 100:.4f}", f"{72 + (i // 500) / 10:.4f}", "sandstone", "paving",
                         "trader", "claimed", f"{100 + i}.5", "m2", f"{10 + i % 90}.25"])
    return out.getvalue().encode()


def timed(action, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


class PlainVault:
    """The real vault, except that its mapper stores every field in plaintext (comparison only)."""

    def __init__(self, vault):
        self._vault = vault

    def mapper(self, transcoder, app_name, confidential_events):
        return Mapper(transcoder=transcoder)

    def __getattr__(self, name):
        return getattr(self._vault, name)


def import_once(data: bytes, sealed: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        services = bootstrap(Settings(data_dir=Path(tmp)))
        registry = services.registry
        if not sealed:
            registry = RegistryApplication(env=services.settings.application_env("plain"),
                                           vault=PlainVault(services.vault))
        registry.register_organisation("bench-co", "Bench Co", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join("bench-co", dt.date(2021, 1, 1), CompanyCategory.C, CompanySize.LARGE)
        registry.import_report("bench-co", 2024, data, "bench.csv", submitted_on=dt.date(2025, 3, 1))
        if not sealed:
            stored = registry.recorder.select_notifications(start=1, limit=100_000)
            assert any(b"price_eur_per_unit" in n.state for n in stored
                       if n.topic.endswith("VersionSubmitted")), "the plain run must really store plaintext"
            registry.close()
        services.close()


def read_back(data: bytes, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        services = bootstrap(Settings(data_dir=Path(tmp)))
        registry = services.registry
        registry.register_organisation("bench-co", "Bench Co", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join("bench-co", dt.date(2021, 1, 1), CompanyCategory.C, CompanySize.LARGE)
        registry.import_report("bench-co", 2024, data, "bench.csv", submitted_on=dt.date(2025, 3, 1))
        reader = Principal("bench", Role.SECRETARIAT, uuid.uuid4(), "secretariat")
        seconds = timed(lambda: registry.read_report(reader, "bench-co", 2024, purpose="bench"), repeat)
        services.close()
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = report_csv(args.links)
    baseline = timed(lambda: parse_report_file(data, "bench.csv"), args.repeat)
    sealed = timed(lambda: import_once(data, sealed=True), args.repeat)
    plain = timed(lambda: import_once(data, sealed=False), args.repeat)
    read = read_back(data, args.repeat)
    print(f"report of {args.links} links, median of {args.repeat} runs; 1.00 = parsing the file")
    for label, seconds in (("parse (baseline)", baseline), ("import, sealed", sealed),
                           ("import, plain mapper", plain), ("read back through the filter", read)):
        print(f"  {label:32s} {seconds / baseline:8.2f}x")
    print(f"  sealing overhead on import       {sealed / plain:8.2f}x of the plain import")


if __name__ == "__main__":
    main()
