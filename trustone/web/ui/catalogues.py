"""The translators' tool: which strings of the pages each language's catalogues still miss.

``python -m trustone.web.ui.catalogues missing LANG [PREFIX]`` lists them (of the files whose path
under trustone/web/ui starts with PREFIX, e.g. ``templates/company``); ``... add AREA LANG [PREFIX]``
appends them, untranslated, to ``locale/LANG/LC_MESSAGES/AREA.po`` for a translator to fill in. The strings
are found as ``pybabel extract`` finds them (babel.cfg): ``_``, ``N_``, ``gettext`` and ``ngettext``
in the Python code under ``trustone/web/ui`` and in the templates.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

UI = Path(__file__).parent
LOCALE = UI / "locale"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extracted(folder: Path = UI, only: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
    """msgid -> its forms (one, or singular and plural), from every file (or the files named in ``only``)."""
    wanted = set(only) if only is not None else None
    found: dict[str, tuple[str, ...]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        folder, METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        if wanted is not None and filename not in wanted:
            continue
        forms = (message,) if isinstance(message, str) else tuple(message)
        found.setdefault(forms[0], forms)
    return found


def translated(language: str) -> dict[str, tuple[str, ...]]:
    """msgid -> its translations, over every catalogue of the language (empty ones left out)."""
    found: dict[str, tuple[str, ...]] = {}
    for po in sorted((LOCALE / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as source:
            for message in read_po(source, locale=language):
                if not message.id or message.fuzzy:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
                if all(strings):
                    found[msgid] = strings
    return found


def missing(language: str, prefix: str = "") -> list[tuple[str, ...]]:
    """The strings without a translation, of the files whose path (under trustone/web/ui) starts with ``prefix``."""
    have = translated(language)
    files = [str(p.relative_to(UI)) for p in UI.rglob("*") if str(p.relative_to(UI)).startswith(prefix)]
    return [forms for msgid, forms in extracted(only=files).items() if msgid not in have]


def add(area: str, language: str, prefix: str = "") -> Path:
    path = LOCALE / language / "LC_MESSAGES" / f"{area}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
    else:
        catalog = Catalog(locale=language, project="TruStone", domain=area)
    for forms in missing(language, prefix):
        catalog.add(forms if len(forms) > 1 else forms[0], string=("", "") if len(forms) > 1 else "")
    with path.open("wb") as out:
        write_po(out, catalog, width=120, omit_header=False, sort_output=True)
    return path


def main(argv: list[str]) -> int:
    if argv[:1] == ["missing"] and len(argv) in (2, 3):
        found = missing(argv[1], *argv[2:])
        for forms in found:
            print(f"{argv[1]}\t{forms[0]}")
        return 1 if found else 0
    if argv[:1] == ["add"] and len(argv) in (3, 4):
        print(add(argv[1], argv[2], *argv[3:]))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
