"""Countries, quarry regions and coordinates: validated value objects.

A quarry region is a path country > province/state > district; the published list uses this
granularity (art. 6 lid 5). The province is matched to its ISO 3166-2 subdivision where one exists,
which gives site ids their region code.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from registry.domain.errors import ValidationError

# Suffixes that ISO 3166-2 adds to Chinese and some other subdivision names.
_ADMIN_SUFFIXES = (" sheng", " shi", " zizhiqu", " huizu zizhiqu", " zhuangzu zizhiqu", " uygur zizhiqu")


# Letters Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "Đ": "D", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
                                 "ß": "ss", "æ": "ae", "Æ": "AE", "ḩ": "h", "Ḩ": "H"})

# English names people type for subdivisions that ISO 3166-2 lists under another name.
_ENGLISH_ALIASES: dict[str, dict[str, str]] = {
    "EG": {"minya": "MN", "red sea": "BA", "cairo": "C", "aswan": "ASN", "giza": "GZ", "sinai": "JS"},
    "IT": {"tuscany": "52", "apulia": "75", "sicily": "82", "sardinia": "88", "lombardy": "25",
           "piedmont": "21"},
    "CN": {"tibet": "XZ", "inner mongolia": "NM", "guangxi": "GX", "xinjiang": "XJ"},
}


def fold_char(char: str) -> str:
    """One character's folded form (case and accents removed; may be empty or longer, "ß" -> "ss").
    ``fold`` of a text is these, with its whitespace collapsed; kept per character where a match
    on the folded text must be traced back to the characters written (projections/redaction.py)."""
    decomposed = unicodedata.normalize("NFKD", char.translate(_UNDECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Case-, accent- and whitespace-insensitive form of a name, for comparisons only."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def validate_country(code: str, field: str = "country") -> str:
    candidate = (code or "").strip().upper()
    if len(candidate) != 2 or pycountry.countries.get(alpha_2=candidate) is None:
        raise ValidationError(field, "not an ISO 3166-1 alpha-2 country code (e.g. IN, CN, ZW)")
    return candidate


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@lru_cache(maxsize=512)
def _subdivisions(country: str) -> dict[str, str]:
    """Folded name (with and without administrative suffix) and code suffix -> code suffix."""
    index: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        suffix = sub.code.split("-", 1)[1]
        name = fold(sub.name)
        index[name] = suffix
        for tail in _ADMIN_SUFFIXES:
            if name.endswith(tail):
                index[name[: -len(tail)]] = suffix
        index[fold(suffix)] = suffix
        index[fold(sub.code)] = suffix
    for alias, suffix in _ENGLISH_ALIASES.get(country, {}).items():
        index.setdefault(alias, suffix)
    return index


def subdivision_code(country: str, province: str) -> str | None:
    """ISO 3166-2 code suffix (``RJ`` for Rajasthan) or None when the province is not listed."""
    if not province:
        return None
    return _subdivisions(country).get(fold(province))


@dataclass(frozen=True, order=True)
class RegionPath:
    """country > province/state > district. Province and district may be empty when not known."""

    country: str
    province: str = ""
    district: str = ""

    @classmethod
    def create(cls, country: str, province: str = "", district: str = "") -> RegionPath:
        code = validate_country(country)
        province = " ".join((province or "").split())
        district = " ".join((district or "").split())
        if district and not province:
            raise ValidationError("province", "needed when a district is given")
        for field, value in (("province", province), ("district", district)):
            if len(value) > 80:
                raise ValidationError(field, "at most 80 characters")
        return cls(code, province, district)

    @property
    def key(self) -> str:
        """Comparison key: folded, so 'Rājasthān' and 'rajasthan' are the same region."""
        return "/".join((self.country, fold(self.province), fold(self.district)))

    @property
    def subdivision(self) -> str | None:
        return subdivision_code(self.country, self.province)

    def label(self) -> str:
        parts = [country_name(self.country), self.province, self.district]
        return " > ".join(p for p in parts if p)


@dataclass(frozen=True)
class Coordinates:
    latitude: float
    longitude: float

    @classmethod
    def create(cls, latitude: object, longitude: object) -> Coordinates:
        lat = _number("latitude", latitude, -90.0, 90.0)
        lon = _number("longitude", longitude, -180.0, 180.0)
        return cls(round(lat, 6), round(lon, 6))

    def distance_km(self, other: Coordinates) -> float:
        """Great-circle (haversine) distance."""
        lat1, lon1, lat2, lon2 = map(
            math.radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _number(field: str, value: object, low: float, high: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(field, "must be a number") from None
    if math.isnan(number) or not low <= number <= high:
        raise ValidationError(field, f"must be between {low:g} and {high:g}")
    return number
