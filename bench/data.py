"""The bench's data set: companies, sites and their yearly reports, made up and deterministic.

1x is 50 companies x 100 links over 500 sites; a scale multiplies companies and sites, never the
links per report. Every site is DISTINCT under the registry's duplicate rules (a district of its
own), so nothing is held for review. Sites are described by name and place, never by id, the way a
company reports a supplier: the registry finds a described site in its catalogue, or keeps it
waiting in the site intake (registry/domain/site_intake.py) until the waiting reports of k companies
describe new sites. Each of the first companies has a site nobody described before it, so every one
of them has new sites; their number is a multiple of k, so the last release registers every site,
and the companies after them report only sites described before.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass

COLUMNS = [
    "chain",
    "tier",
    "site_kind",
    "site_id",
    "site_name",
    "country",
    "province",
    "district",
    "address",
    "latitude",
    "longitude",
    "stone_type",
    "product",
    "channel",
    "origin_confidence",
    "circular",
    "volume",
    "volume_unit",
    "price_eur_per_unit",
    "contract_notes",
]

YEAR = 2024
# (country, province, base latitude, base longitude, stone) - provinces the registry knows
_PLACES = (
    ("IN", "Rajasthan", 24.0, 72.0, "sandstone"),
    ("CN", "Shandong", 35.0, 115.0, "granite"),
    ("PT", "Evora", 37.5, -8.5, "marble"),
)
_WORDS = (
    "Amber",
    "Basalt",
    "Cedar",
    "Dune",
    "Ember",
    "Flint",
    "Garnet",
    "Heron",
    "Iris",
    "Jasper",
    "Kestrel",
    "Lotus",
    "Mica",
    "Nimbus",
    "Onyx",
    "Pebble",
    "Quartz",
    "Raven",
    "Slate",
    "Topaz",
)


@dataclass(frozen=True)
class Site:
    index: int
    kind: str
    name: str
    country: str
    province: str
    district: str
    latitude: str
    longitude: str
    stone: str


@dataclass(frozen=True)
class DataSet:
    scale: float
    companies: list[str]  # refs
    sites: list[Site]
    links_per_company: int
    chosen: dict[str, list[int]]  # company ref -> its sites' indexes, in link order
    seed: int

    @property
    def links(self) -> int:
        return sum(len(indexes) for indexes in self.chosen.values())

    def rows(self, ref: str) -> list[dict[str, str]]:
        """A company's report rows, made when asked (at 100x all of them would not fit in memory)."""
        rng = random.Random(f"{self.seed}-{ref}")  # noqa: S311 - not for security
        return [_row(rng, n, self.sites[index]) for n, index in enumerate(self.chosen[ref], start=1)]

    def csv(self, ref: str) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows(ref))
        return out.getvalue().encode()

    def all_rows(self) -> Iterator[tuple[str, ...]]:
        """Every link as a tuple (company, year, the report's columns), for the plain baseline."""
        for ref in self.companies:
            for row in self.rows(ref):
                yield (ref, str(YEAR), *row.values())


def _site(index: int) -> Site:
    country, province, lat, lon, stone = _PLACES[index % len(_PLACES)]
    kind = "quarry" if index % 2 == 0 else "factory"
    cell = index // len(_PLACES)
    word = _WORDS[index % len(_WORDS)]
    return Site(
        index=index,
        kind=kind,
        name=f"{word} {kind.title()} Works {index}",
        country=country,
        province=province,
        district=f"Bench District {index:06d}",
        latitude=f"{lat + (cell % 100) * 0.05:.4f}",
        longitude=f"{lon + (cell // 100) * 0.05:.4f}",
        stone=stone,
    )


def _row(rng: random.Random, chain: int, site: Site) -> dict[str, str]:
    return {
        "chain": f"C{chain}",
        "tier": "2" if site.kind == "quarry" else "1",
        "site_kind": site.kind,
        "site_id": "",
        "site_name": site.name,
        "country": site.country,
        "province": site.province,
        "district": site.district,
        "address": "",
        "latitude": site.latitude,
        "longitude": site.longitude,
        "stone_type": site.stone,
        "product": "paving",
        "channel": "direct",
        "origin_confidence": "claimed",
        "circular": "",
        "volume": f"{rng.randint(10, 9000)}.{rng.randint(0, 9)}",
        "volume_unit": "m2",
        "price_eur_per_unit": f"{rng.randint(5, 400)}.{rng.randint(10, 99)}",
        "contract_notes": "",
    }


def company_count(scale: float, k: int = 3, companies_1x: int = 50) -> int:
    return max(k, round(companies_1x * scale))


def make(
    scale: float, k: int = 3, companies_1x: int = 50, links: int = 100, sites_1x: int = 500, seed: int = 12
) -> DataSet:
    """``scale`` 1 is the 1x data set; a smaller one (the smoke test) keeps at least k companies."""
    rng = random.Random(seed)  # noqa: S311 - not for security
    n_companies = company_count(scale, k, companies_1x)
    n_sites = max(2 * k, round(sites_1x * scale))
    links = min(links, n_sites)
    sites = [_site(i) for i in range(n_sites)]
    refs = [f"bench-{i:05d}" for i in range(n_companies)]
    # Each of the first ``introducers`` companies (a multiple of k) has one site of its own that no
    # one describes before it, so each of them has new sites and the last release registers all.
    introducers = n_companies - n_companies % k
    reserved = sites[:introducers] if introducers <= n_sites // 2 else sites[: n_sites // 2]
    pool = sites[len(reserved) :]
    described: list[Site] = []
    seen: set[int] = set()
    chosen_by_company = {}
    for i, ref in enumerate(refs):
        if i < introducers:
            own = [reserved[i % len(reserved)]] if i < len(reserved) else []
            chosen = own + rng.sample(pool, min(links - len(own), len(pool)))
        else:
            chosen = rng.sample(described, min(links, len(described)))
        for site in chosen:
            if site.index not in seen:
                seen.add(site.index)
                described.append(site)
        chosen_by_company[ref] = [site.index for site in chosen]
    return DataSet(
        scale=scale, companies=refs, sites=sites, links_per_company=links, chosen=chosen_by_company, seed=seed
    )
