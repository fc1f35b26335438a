"""Public production-site ids: ``IN-RJ-7KQ2M9XHS``.

Country (ISO 3166-1 alpha-2), subdivision code (ISO 3166-2 suffix, or ``XX`` when not known), then
eight random Crockford base32 characters and one check character. The body is random, never derived
from the name or from who reported the site.

The check character is the Damm algorithm over the 36 letters and digits, prefix included. Damm
needs a totally anti-symmetric quasigroup of order 36; the direct product of GF(4) and GF(9) with
``x * y = a.x + y`` (a not 0 or 1) is one. That catches every single mistyped character and every
swap of two neighbours. (ISO 7064 MOD 37,36 was tried first: it misses some swaps.)
"""

from __future__ import annotations

import re
import secrets

from registry.domain.errors import ValidationError

BODY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BODY_LENGTH = 8
UNKNOWN_SUBDIVISION = "XX"

_ID_PATTERN = re.compile(rf"^([A-Z]{{2}})-([A-Z0-9]{{1,3}})-([0-9A-Z]{{{BODY_LENGTH}}})([0-9A-Z])$")

# Symbol value v = 9*u + w: u in GF(4) (0, 1, x, x+1), w = 3*p + q is p*x + q in GF(9) = GF(3)[x]/(x^2+1).
_GF4_TIMES_A = (0, 2, 3, 1)  # multiplication by a = x in GF(4)


def _gf9_times_a(w: int) -> int:
    p, q = divmod(w, 3)
    return 3 * q + (-p % 3)  # x * (p*x + q) = q*x - p


def _gf9_add(w1: int, w2: int) -> int:
    (p1, q1), (p2, q2) = divmod(w1, 3), divmod(w2, 3)
    return 3 * ((p1 + p2) % 3) + (q1 + q2) % 3


def _step(interim: int, value: int) -> int:
    """interim * value = a.interim + value, componentwise."""
    (u1, w1), (u2, w2) = divmod(interim, 9), divmod(value, 9)
    return 9 * (_GF4_TIMES_A[u1] ^ u2) + _gf9_add(_gf9_times_a(w1), w2)


def _interim(chars: str) -> int:
    interim = 0
    for char in chars:
        interim = _step(interim, CHECK_ALPHABET.index(char))
    return interim


def check_character(payload: str) -> str:
    """The character c with interim * c = 0 for the letters and digits of ``payload``."""
    u, w = divmod(_interim(payload.replace("-", "").upper()), 9)
    minus_a_u = _GF4_TIMES_A[u]  # in GF(4), -y = y
    p, q = divmod(_gf9_times_a(w), 3)
    return CHECK_ALPHABET[9 * minus_a_u + 3 * (-p % 3) + (-q % 3)]


def has_valid_check(text: str) -> bool:
    chars = text.replace("-", "").upper()
    if not chars or any(c not in CHECK_ALPHABET for c in chars):
        return False
    return _interim(chars) == 0


def new_site_id(country: str, subdivision: str | None, random_body: str | None = None) -> str:
    body = random_body or "".join(secrets.choice(BODY_ALPHABET) for _ in range(BODY_LENGTH))
    prefix = f"{country.upper()}-{(subdivision or UNKNOWN_SUBDIVISION).upper()}-{body}"
    return prefix + check_character(prefix)


def parse_site_id(text: str, field: str = "site_id") -> str:
    """Normalise a typed-in site id (case, surrounding blanks) or say exactly what is wrong with it."""
    candidate = (text or "").strip().upper()
    if not _ID_PATTERN.match(candidate):
        raise ValidationError(field, "not a site id: expected the form CC-SUB-XXXXXXXXC, e.g. IN-RJ-7KQ2M9XHS")
    if not has_valid_check(candidate):
        raise ValidationError(field, "check character does not match: a character is mistyped")
    return candidate
