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
_UNDECOMPOSABLE = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ḩ": "h",
        "Ḩ": "H",
    }
)

# English names people type for subdivisions that ISO 3166-2 lists under another name.
_ENGLISH_ALIASES: dict[str, dict[str, str]] = {
    "EG": {"minya": "MN", "red sea": "BA", "cairo": "C", "aswan": "ASN", "giza": "GZ", "sinai": "JS"},
    "IT": {"tuscany": "52", "apulia": "75", "sicily": "82", "sardinia": "88", "lombardy": "25", "piedmont": "21"},
    "CN": {"tibet": "XZ", "inner mongolia": "NM", "guangxi": "GX", "xinjiang": "XJ"},
}


# Characters a person cannot see, or that change how the text around them is shown, refused in names
# and regions: U+202A-202E and U+2066-2069 reorder text (a name can show its letters backwards), a
# zero-width space makes two spellings look alike to a person but differ to the duplicate check, and
# C0/C1 control characters have no place in a name (a terminal or a spreadsheet may act on them).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")


def refuse_hidden_characters(value: str, field: str, *, allow_line_breaks: bool = False) -> str:
    """``value`` unchanged, or a ValidationError naming ``field`` and the character (by code point,
    never the text: a name may be confidential where it is typed).

    Refused: C0 and C1 control characters (tab and newline only where ``allow_line_breaks``: free
    text), bidirectional overrides, embeddings, isolates and marks, zero-width characters, and the
    other invisible format characters (Unicode category Cf), line and paragraph separators.
    """
    for position, char in enumerate(value, start=1):
        if allow_line_breaks and char in "\t\n":
            continue
        category = unicodedata.category(char)
        if char in _BIDI_CONTROLS:
            kind = "a character that changes the direction of the text around it"
        elif char in _ZERO_WIDTH:
            kind = "an invisible (zero-width) character"
        elif category == "Cc":
            kind = "a control character"
        elif category in ("Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            kind = "an invisible, private or unassigned character"
        else:
            continue
        name = unicodedata.name(char, "")
        raise ValidationError(
            field,
            f"character {position} is {kind} (U+{ord(char):04X}{' ' + name if name else ''}):"
            " remove it and type the text again",
        )
    return value


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
    for sub in pycountry.subdivisions.get(country_code=country) or ():  # type: ignore[no-untyped-call]  # pycountry is untyped
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
        province = refuse_hidden_characters(" ".join((province or "").split()), "province")
        district = refuse_hidden_characters(" ".join((district or "").split()), "district")
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
        lat1, lon1, lat2, lon2 = map(math.radians, (self.latitude, self.longitude, other.latitude, other.longitude))
        a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _number(field: str, value: object, low: float, high: float) -> float:
    if isinstance(value, str) and not value.isascii():  # float() also reads full-width and other digits
        raise ValidationError(field, "must be a number written with the digits 0-9")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(field, "must be a number") from None
    if math.isnan(number) or not low <= number <= high:
        raise ValidationError(field, f"must be between {low:g} and {high:g}")
    return number
