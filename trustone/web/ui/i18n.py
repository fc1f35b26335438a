"""Languages: which one a page is in, and its translations (gettext catalogues read with Babel).

The site is in Dutch and English. The follow-up page, where a local partner checks its report
without a login, is also in the languages of the covenant's production countries. A visitor's
choice is a cookie; without one, the first offered language in ``Accept-Language``; else Dutch.

The catalogues are the ``.po`` files under ``locale/<language>/LC_MESSAGES/``, one per area of the
site (``base.po``, ``company.po``, ...), merged per language when the app starts: there is no
compiled ``.mo`` to fall out of step with its source. ``scripts/i18n.sh`` extracts the strings
(``pybabel extract`` over the Python code and the templates) and updates the catalogues.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
SITE_LANGUAGES: tuple[str, ...] = ("nl", "en")
# The production countries of the covenant's quarry regions (India, China, Vietnam, Turkey, Brazil,
# Portugal, Egypt, Zimbabwe and the francophone partners): the follow-up page only.
FOLLOW_UP_LANGUAGES: tuple[str, ...] = (*SITE_LANGUAGES, "fr", "hi", "ta", "zh", "tr", "vi", "pt", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "trustone_lang"
SOURCE_LANGUAGE = "en"  # the msgids are English: English needs no catalogue entry


def N_(message: str) -> str:
    """Marks a message for extraction where it is made (a menu label, a form error); the template
    translates it when the page is drawn, in the page's language."""
    return message


def accepted_languages(header: str | None) -> list[str]:
    """The primary language tags of an ``Accept-Language`` header, best first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().replace("_", "-").split("-")[0]
        if primary and primary != "*" and quality > 0:
            weighted.append((-quality, index, primary))
    return [tag for _, _, tag in sorted(weighted)]


def chosen_language(cookie: str | None, accept_language: str | None, offered: Iterable[str] = SITE_LANGUAGES) -> str:
    offered = tuple(offered)
    if cookie in offered:
        return str(cookie)
    for tag in accepted_languages(accept_language):
        if tag in offered:
            return tag
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in offered else offered[0]


def language_name(code: str) -> str:
    """The language's own name for itself ("Nederlands", "हिन्दी"), for the language switch."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """All of a language's catalogues merged; English (the msgids) and unknown languages translate to themselves."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    merged: gettext.NullTranslations | None = None
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        part = gettext.GNUTranslations(compiled)
        if merged is None:
            merged = part
        else:
            merged.add_fallback(part)  # a message not in the first catalogue is looked up in the next
    return merged or gettext.NullTranslations()
