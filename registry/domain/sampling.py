"""The verification sample: which reported links a round checks, drawn so that nobody can steer it.

The secretariat freezes the frame (every reported link of the year, each as an opaque token with its
country, site kind and origin confidence, no company) and records its digest. Only then does a
public random value appear that nobody knew in advance (the beacon: e.g. a lottery draw announced
beforehand). The seed binds the two, and the draw is a pure function of the frame, the
stratification, the sample size and the seed. Anyone holding the round record can redraw it:
``scripts/redraw_sample.py`` does so without this module, from docs/verification.md alone.

Every hash here is SHA-256 over a list of texts, each written as a netstring (``<UTF-8 byte
length>:<bytes>,``), the first always ``FORMAT`` and the second a label saying what is hashed
("frame", "seed", "stratum", "rank"): no two lists give the same bytes, and no hash of one kind can
stand in for another.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from registry.domain.errors import ValidationError

FORMAT = "trustone-sample/1"
_SEED = re.compile(r"[0-9a-f]{64}")


class Dimension(StrEnum):
    """What a round may stratify by: each a field of the frame entry of the same name."""

    COUNTRY = "country"
    SITE_KIND = "site_kind"
    ORIGIN_CONFIDENCE = "origin_confidence"


@dataclass(frozen=True, order=True)
class FrameEntry:
    """One reported link in the frozen frame: a random token for it, and what a round stratifies by."""

    token: str
    country: str
    site_kind: str
    origin_confidence: str  # "" when the report left it empty

    def as_list(self) -> list[str]:
        return [self.token, self.country, self.site_kind, self.origin_confidence]

    @classmethod
    def from_list(cls, values: Sequence[str]) -> FrameEntry:
        if len(values) != 4:
            raise ValidationError("frame", "an entry is four values: token, country, site kind, origin confidence")
        token, country, site_kind, origin_confidence = values
        return cls(token, country, site_kind, origin_confidence)


def _hash(label: str, *values: str) -> str:
    data = bytearray()
    for value in (FORMAT, label, *values):
        encoded = value.encode("utf-8")
        data += b"%d:%s," % (len(encoded), encoded)
    return hashlib.sha256(data).hexdigest()


def _checked_frame(entries: Iterable[FrameEntry]) -> list[FrameEntry]:
    """The entries in token order (by the UTF-8 bytes of the token); a token missing or twice is refused."""
    ordered = sorted(entries, key=lambda entry: entry.token.encode("utf-8"))
    for before, after in itertools.pairwise(ordered):
        if before.token == after.token:
            raise ValidationError("frame", "a token appears twice")
    if ordered and not ordered[0].token:
        raise ValidationError("frame", "an entry has no token")
    return ordered


def _checked_seed(seed: str) -> str:
    if not _SEED.fullmatch(seed):
        raise ValidationError("seed", "a seed is 64 lowercase hexadecimal characters")
    return seed


def frame_digest(entries: Iterable[FrameEntry]) -> str:
    """SHA-256 of FORMAT, "frame", then each entry's four values, the entries in token order."""
    return _hash("frame", *(value for entry in _checked_frame(entries) for value in entry.as_list()))


def draw_seed(frame_digest: str, beacon_value: str) -> str:
    """SHA-256 of FORMAT, "seed", the frame digest and the beacon value exactly as published."""
    if not beacon_value.strip():
        raise ValidationError("beacon", "the beacon value is empty")
    return _hash("seed", frame_digest, beacon_value)


def sample_size(frame_size: int, *, size: int | None = None, share: Decimal | None = None) -> int:
    """How many links a round draws: a number of them, or a share of the frame rounded half up."""
    if frame_size < 0:
        raise ValidationError("frame", "a frame has no negative size")
    if (size is None) == (share is None):
        raise ValidationError("size", "give either a sample size or a share of the frame, not both")
    if size is not None:
        if not 1 <= size <= frame_size:
            raise ValidationError("size", f"the sample size is between 1 and the {frame_size} links of the frame")
        return size
    assert share is not None  # one of the two, checked above
    if not share.is_finite() or not 0 < share <= 1:
        raise ValidationError("share", "the share is more than 0 and at most 1")
    if frame_size == 0:
        return 0
    rounded = int((share * frame_size).to_integral_value(rounding=ROUND_HALF_UP))
    return max(rounded, 1)


def stratum_of(entry: FrameEntry, dimensions: Sequence[Dimension]) -> tuple[str, ...]:
    """The entry's values for the dimensions, in the round's order; () when the round has none."""
    try:
        names = [Dimension(dimension).value for dimension in dimensions]
    except ValueError:
        raise ValidationError("dimensions", "a round stratifies by country, site kind or origin confidence") from None
    return tuple(getattr(entry, name) for name in names)


def allocate(stratum_sizes: Mapping[tuple[str, ...], int], total: int, seed: str) -> dict[tuple[str, ...], int]:
    """Share ``total`` over the strata in proportion to their sizes, by largest remainder (Hamilton).

    Each stratum first gets the whole part of total * size / N; the units left go one each to the
    strata with the largest fractional parts. Equal fractions are ordered by the stratum's hash
    with the seed, so no country or site kind wins every tie by its name.
    """
    _checked_seed(seed)
    if any(size < 0 for size in stratum_sizes.values()):
        raise ValidationError("frame", "a stratum has no negative size")
    frame_size = sum(stratum_sizes.values())
    if not 0 <= total <= frame_size:
        raise ValidationError("size", f"the sample size is between 0 and the {frame_size} links of the frame")
    if frame_size == 0:
        return {stratum: 0 for stratum in stratum_sizes}
    whole = {stratum: total * size // frame_size for stratum, size in stratum_sizes.items()}
    remainder = {stratum: total * size % frame_size for stratum, size in stratum_sizes.items()}
    left = total - sum(whole.values())
    order = sorted(stratum_sizes, key=lambda stratum: (-remainder[stratum], _hash("stratum", seed, *stratum)))
    return {stratum: whole[stratum] + (1 if stratum in order[:left] else 0) for stratum in stratum_sizes}


def draw(entries: Sequence[FrameEntry], dimensions: Sequence[Dimension], total: int, seed: str) -> list[FrameEntry]:
    """The sample: per stratum its allocation, the entries with the lowest hash of seed and token.

    Returns the sample in token order. The same frame, dimensions, total and seed give the same
    sample, whatever the order of ``entries``.
    """
    _checked_seed(seed)
    strata: dict[tuple[str, ...], list[FrameEntry]] = {}
    for entry in _checked_frame(entries):
        strata.setdefault(stratum_of(entry, dimensions), []).append(entry)
    counts = allocate({stratum: len(members) for stratum, members in strata.items()}, total, seed)
    sample: list[FrameEntry] = []
    for stratum, members in strata.items():
        ranked = sorted(members, key=lambda entry: _hash("rank", seed, entry.token))
        sample.extend(ranked[: counts[stratum]])
    return sorted(sample, key=lambda entry: entry.token.encode("utf-8"))
