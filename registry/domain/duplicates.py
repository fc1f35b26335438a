"""Duplicate detection for production sites: normalised name + region + distance.

Companies report the same quarry under slightly different names ("Sri Balaji Granites Pvt. Ltd."
and "Shri Balaji Granite"). A certain match reuses the existing site; an uncertain one is registered
on hold for a person at the secretariat to confirm (never merged silently); anything else is new.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from registry.domain.geography import Coordinates, fold

CERTAIN_DISTANCE_KM = 1.0  # same name, this close: the same site
NEARBY_DISTANCE_KM = 10.0  # same or similar name within this distance: ask a person
SIMILAR_NAME_RATIO = 0.85

# Legal forms and filler that say nothing about which site it is.
_NOISE_WORDS = {
    "pvt",
    "private",
    "ltd",
    "limited",
    "llp",
    "llc",
    "inc",
    "co",
    "company",
    "corp",
    "corporation",
    "bv",
    "nv",
    "gmbh",
    "sa",
    "srl",
    "spa",
    "lda",
    "as",
    "sti",
    "ltda",
    "the",
    "and",
    "m/s",
    "ms",
}
# Common spelling variants in Indian and Chinese company names.
_VARIANTS = {
    "shri": "sri",
    "shree": "sri",
    "sree": "sri",
    "granites": "granite",
    "stones": "stone",
    "exports": "export",
    "quarries": "quarry",
    "industries": "industry",
}


class MatchVerdict(StrEnum):
    CERTAIN = "certain"
    UNCERTAIN = "uncertain"
    DISTINCT = "distinct"


@functools.lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Remembered: the same sites are described by report after report."""
    words = re.sub(r"[^\w\s]", " ", fold(name)).split()
    kept = [_VARIANTS.get(w, w) for w in words if w not in _NOISE_WORDS]
    return " ".join(kept)


@dataclass(frozen=True)
class SiteFingerprint:
    """What duplicate detection compares: public data only."""

    public_id: str
    kind: str
    name_key: str
    district_key: str
    coordinates: Coordinates | None


@dataclass(frozen=True)
class Match:
    verdict: MatchVerdict
    site: SiteFingerprint | None = None


def compare(new: SiteFingerprint, known: SiteFingerprint) -> MatchVerdict:
    """Both fingerprints are from the same country and province (the caller's index guarantees it)."""
    if new.kind != known.kind:
        return MatchVerdict.DISTINCT  # one owner often runs a quarry and a factory under one name
    if new.district_key and known.district_key and new.district_key != known.district_key:
        return MatchVerdict.DISTINCT
    same_name = new.name_key == known.name_key
    if (
        not same_name
        and new.coordinates is not None
        and known.coordinates is not None
        and new.coordinates.distance_km(known.coordinates) > NEARBY_DISTANCE_KM
    ):
        return MatchVerdict.DISTINCT  # too far apart whatever the names (cheaper than comparing them)
    if not (same_name or similar_names(new.name_key, known.name_key)):
        return MatchVerdict.DISTINCT
    if new.coordinates is None and known.coordinates is None and same_name and new.district_key:
        # The very same description (name, kind, district): the registry cannot tell them apart,
        # and treating it as new would make every re-import of a report add a site.
        return MatchVerdict.CERTAIN
    if new.coordinates is None or known.coordinates is None:
        # Without a position, even an identical name could be a namesake: a person decides.
        return MatchVerdict.UNCERTAIN
    distance = new.coordinates.distance_km(known.coordinates)
    if same_name and distance <= CERTAIN_DISTANCE_KM:
        return MatchVerdict.CERTAIN
    if distance <= NEARBY_DISTANCE_KM:
        return MatchVerdict.UNCERTAIN
    return MatchVerdict.DISTINCT


def similar_names(a: str, b: str) -> bool:
    """``SequenceMatcher.ratio() >= SIMILAR_NAME_RATIO``, after its two cheap upper bounds (lengths,
    then letters in common), which settle most pairs of different names without the full match."""
    total = len(a) + len(b)
    if not total:
        return True  # two empty names: ratio() is 1.0
    if 2 * min(len(a), len(b)) / total < SIMILAR_NAME_RATIO:  # real_quick_ratio(), without building a matcher
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= SIMILAR_NAME_RATIO and matcher.ratio() >= SIMILAR_NAME_RATIO


_RANK = {MatchVerdict.CERTAIN: 0, MatchVerdict.UNCERTAIN: 1, MatchVerdict.DISTINCT: 2}


def best_match(new: SiteFingerprint, known: list[SiteFingerprint]) -> Match:
    """The strongest verdict over all known sites; ties go to the nearest, then the lowest id."""
    best: Match = Match(MatchVerdict.DISTINCT)
    best_key: tuple[int, float, str] | None = None
    for site in known:
        verdict = compare(new, site)
        if verdict == MatchVerdict.DISTINCT:
            continue
        distance = (
            new.coordinates.distance_km(site.coordinates) if new.coordinates and site.coordinates else float("inf")
        )
        key = (_RANK[verdict], distance, site.public_id)
        if best_key is None or key < best_key:
            best, best_key = Match(verdict, site), key
    return best
