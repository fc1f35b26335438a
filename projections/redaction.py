"""Removing suppliers from a published action plan (art. 6 lid 6).

A plan is free text written by people, so a supplier is not always written the way the catalogue
spells it: a non-breaking space, the space left out, other capitals, accents added or dropped, a
line break inside the name, a site id with spaces or hyphens where it has none. Matching the
catalogue's spelling exactly lets every one of those through to the public member listing.

So the plan text and the names are compared in a folded form (``registry.domain.geography.fold_char``:
case and accents removed, every kind of whitespace a space, invisible format characters such as a
zero-width space dropped), with any run of spaces and punctuation allowed, or none, between any two
of a name's letters and digits: a name may lose a space ("KotaStone") or gain one ("Kota Stone" for
the catalogue's "KotaStone"), a site id may be written "IN RJ 7KQ2 M9XH S". Each match is
traced back to the characters as written, and those are replaced: the rest of the text is published
as the company wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from registry.domain.geography import fold_char

PLACEHOLDER = "[supplier]"
_SEPARATORS = r"[\W_]*"  # spaces (of every kind) and punctuation, or nothing
_MIN_LENGTH = 3  # a name shorter than this (folded, without separators) would redact ordinary words


def redact_item(item: dict, names: Iterable[str]) -> dict:
    """The plan item with every string value redacted of every name."""
    patterns = [pattern for pattern in map(_pattern, set(names)) if pattern is not None]
    return {key: redact_text(value, patterns) if isinstance(value, str) else value for key, value in item.items()}


def redact_text(text: str, patterns: list[re.Pattern[str]]) -> str:
    folded, origin = _folded(text)
    spans = sorted(
        (origin[match.start()], origin[match.end() - 1] + 1)
        for pattern in patterns
        for match in pattern.finditer(folded)
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + PLACEHOLDER + text[end:]
    return text


def _folded(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the character written."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf":  # zero-width and direction marks: invisible
            continue
        folded = " " if char.isspace() else fold_char(char)
        chars.extend(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _pattern(name: str) -> re.Pattern[str] | None:
    units = [char for char in _folded(name)[0] if char.isalnum()]
    if len(units) < _MIN_LENGTH:
        return None
    return re.compile(_SEPARATORS.join(re.escape(unit) for unit in units))
