"""What confidentiality costs on the write path: importing a report with sealed fields.

Prints figures as ratios against a baseline measured in the same run, never absolute targets:
    .venv/bin/python bench/report_import.py [--links 2000] [--repeat 5]
    .venv/bin/python bench/report_import.py --scale 1 [--postgres URL] [--profile FILE]

- baseline: parsing the CSV and building the report content (no store);
- import, sealed: the whole import into a fresh SQLite store with the vault's sealing mapper;
- import, plain mapper: the same import with sealing switched off (for comparison only);
- read back through the filter: opening the latest version (policy, access-log entry, decryption).

``--scale X`` measures the registry as it grows instead: 50*X member companies each import a report
of 100 links over a catalogue of 500*X sites (described by name and place, as companies do: the first
reporters describe them new, later ones are resolved to the registered site), then the lists catch
up. It prints links/s of the imports alone and end to end (lists caught up), per tenth of the run, so
a figure that falls as the catalogue grows shows. About ten sites share a kind and district at every
scale (more sites means more districts, as in the world), ten provinces in three countries.
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

from eventsourcing.persistence import Mapper

from keys.access.principal import Principal
from keys.encryption.vault import Vault
from registry.application import RegistryApplication
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.reportfile import parse_report_file
from trustone.bootstrap import bootstrap
from trustone.settings import Settings

COLUMNS = [
    "chain",
    "tier",
    "site_kind",
    "site_name",
    "country",
    "province",
    "district",
    "latitude",
    "longitude",
    "stone_type",
    "product",
    "channel",
    "origin_confidence",
    "volume",
    "volume_unit",
    "price_eur_per_unit",
]


def report_csv(links: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i in range(links):
        writer.writerow(
            [
                f"C{i // 4}",
                2,
                "quarry",
                f"Bench Quarry {i}",
                "IN",
                "Rajasthan",
                f"District {i % 40}",
                f"{24 + (i % 500) / 100:.4f}",
                f"{72 + (i // 500) / 10:.4f}",
                "sandstone",
                "paving",
                "trader",
                "claimed",
                f"{100 + i}.5",
                "m2",
                f"{10 + i % 90}.25",
            ]
        )
    return out.getvalue().encode()


def timed(action, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


class PlainVault(Vault):
    """The real vault, except that its mapper stores every field in plaintext (comparison only)."""

    def mapper(self, transcoder, app_name, confidential_events):  # noqa: ARG002 - the signature the caller expects
        return Mapper(transcoder=transcoder)


def import_once(data: bytes, sealed: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        services = bootstrap(Settings(data_dir=Path(tmp)))
        registry = services.registry
        if not sealed:
            registry = RegistryApplication(
                env=services.settings.application_env("plain"),
                vault=PlainVault(services.vault.datakeys, services.vault.filter),
            )
        registry.register_organisation("bench-co", "Bench Co", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join("bench-co", dt.date(2021, 1, 1), CompanyCategory.C, CompanySize.LARGE)
        registry.import_report("bench-co", 2024, data, "bench.csv", submitted_on=dt.date(2025, 3, 1))
        if not sealed:
            stored = registry.recorder.select_notifications(start=1, limit=100_000)
            assert any(b"price_eur_per_unit" in n.state for n in stored if n.topic.endswith("VersionSubmitted")), (
                "the plain run must really store plaintext"
            )
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


SCALE_COMPANIES, SCALE_SITES, SCALE_LINKS = 50, 500, 100
_PROVINCES = (
    ("IN", "Rajasthan"),
    ("IN", "Karnataka"),
    ("IN", "Telangana"),
    ("IN", "Andhra Pradesh"),
    ("CN", "Fujian"),
    ("CN", "Shandong"),
    ("CN", "Guangdong"),
    ("VN", "Thanh Hoa"),
    ("VN", "Binh Dinh"),
    ("VN", "Nghe An"),
)
_WORDS = (
    "Aravali",
    "Balaji",
    "Chamunda",
    "Devi",
    "Ekta",
    "Ganesh",
    "Hari",
    "Indus",
    "Jyoti",
    "Kailash",
    "Lakshmi",
    "Mahadev",
    "Narmada",
    "Om",
    "Parvati",
    "Rudra",
    "Shiv",
    "Tapti",
    "Uma",
    "Vindhya",
)


def scale_site(j: int) -> dict[str, str]:
    """Site ``j`` of the bench catalogue: ten per kind and district, dissimilar names, 20 km apart
    (so no two are possible duplicates of each other)."""
    country, province = _PROVINCES[(j // 20) % len(_PROVINCES)]
    kind = ("quarry", "factory")[(j // 10) % 2]
    words = f"{_WORDS[j % 20]} {_WORDS[(j * 7 + 3) % 20]} {_WORDS[(j * 13 + 5) % 20]}"
    return {
        "site_kind": kind,
        "site_name": f"{words} {kind.title()} {j}",
        "country": country,
        "province": province,
        "district": f"District {j // 20}",
        "latitude": f"{10 + (j % 10) * 0.2:.4f}",
        "longitude": f"{70 + (j // 20) % 100 * 0.05:.4f}",
    }


def scale_report(company: int, sites: int) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for t in range(SCALE_LINKS):
        site = scale_site((company * 37 + t * 5) % sites)
        writer.writerow(
            {
                **site,
                "chain": f"C{t // 4}",
                "tier": 2 if site["site_kind"] == "quarry" else 1,
                "stone_type": "granite",
                "product": "slabs",
                "channel": "trader",
                "origin_confidence": "claimed",
                "volume": f"{100 + t}.5",
                "volume_unit": "m2",
                "price_eur_per_unit": f"{10 + t % 90}.25",
            }
        )
    return out.getvalue().encode()


def scale_run(
    scale: float, postgres_url: str | None, profile: str | None, lists: bool = True, progress: bool = False
) -> None:
    companies, sites = int(SCALE_COMPANIES * scale), int(SCALE_SITES * scale)
    files = [scale_report(c, sites) for c in range(companies)]
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        database_url = None
        if postgres_url:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            database_url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}schema={schema}"
        services = bootstrap(Settings(data_dir=Path(tmp), database_url=database_url))
        try:
            registry = services.registry
            for c in range(companies):
                registry.register_organisation(
                    f"bench-{c}", f"Bench Company {c}", OrganisationKind.MEMBER_COMPANY, "NL"
                )
                registry.join(f"bench-{c}", dt.date(2021, 1, 1), CompanyCategory.C, CompanySize.LARGE)
            services.catch_up()
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started = time.perf_counter()
            tenth = max(1, companies // 10)
            marks = []
            for c, data in enumerate(files):
                registry.import_report(f"bench-{c}", 2024, data, f"bench-{c}.csv", submitted_on=dt.date(2025, 3, 1))
                if (c + 1) % tenth == 0:
                    marks.append(time.perf_counter())
                    if progress:
                        done = len(marks)
                        seconds = marks[-1] - (marks[-2] if done > 1 else started)
                        print(
                            f"  tenth {done}: {tenth * SCALE_LINKS / seconds:.0f} links/s",
                            flush=True,
                        )
            imported = time.perf_counter()
            links = companies * SCALE_LINKS
            per_tenth = [tenth * SCALE_LINKS / (b - a) for a, b in zip([started, *marks], marks, strict=False)]
            print(
                f"scale {scale:g}x on {'PostgreSQL' if postgres_url else 'SQLite'}: {companies} companies x "
                f"{SCALE_LINKS} links over {sites} sites"
            )
            print(f"  import only        {links / (imported - started):10.0f} links/s")
            print("  per tenth (import) " + " ".join(f"{v:.0f}" for v in per_tenth), flush=True)
            if lists:
                services.catch_up()
                finished = time.perf_counter()
                print(
                    f"  end to end         {links / (finished - started):10.0f} links/s (lists caught up)", flush=True
                )
            if profiler is not None and profile:  # one is made exactly when the other is given
                profiler.disable()
                profiler.dump_stats(profile)
        finally:
            services.close()
            if schema and postgres_url:  # a schema is made only on PostgreSQL
                import psycopg

                with psycopg.connect(postgres_url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=float, help="run the growing-catalogue bench at this scale instead")
    parser.add_argument("--postgres", help="PostgreSQL URL for --scale (a throwaway schema is made in it)")
    parser.add_argument("--profile", help="write cProfile stats of the --scale imports to this file")
    parser.add_argument("--no-lists", action="store_true", help="--scale: imports only, the lists not caught up")
    parser.add_argument("--progress", action="store_true", help="--scale: print each tenth as it is done")
    args = parser.parse_args()
    if args.scale:
        scale_run(args.scale, args.postgres, args.profile, lists=not args.no_lists, progress=args.progress)
        return
    data = report_csv(args.links)
    baseline = timed(lambda: parse_report_file(data, "bench.csv"), args.repeat)
    sealed = timed(lambda: import_once(data, sealed=True), args.repeat)
    plain = timed(lambda: import_once(data, sealed=False), args.repeat)
    read = read_back(data, args.repeat)
    print(f"report of {args.links} links, median of {args.repeat} runs; 1.00 = parsing the file")
    for label, seconds in (
        ("parse (baseline)", baseline),
        ("import, sealed", sealed),
        ("import, plain mapper", plain),
        ("read back through the filter", read),
    ):
        print(f"  {label:32s} {seconds / baseline:8.2f}x")
    print(f"  sealing overhead on import       {sealed / plain:8.2f}x of the plain import")


if __name__ == "__main__":
    main()
