"""Every string of the pages is translated: the templates and the page code against the catalogues.

The strings are extracted here as ``pybabel extract -F babel.cfg -k N_`` extracts them (Babel's own
extractor, with the Jinja2 extractor for the templates), not by the project's catalogue tool, and
compared with the ``.po`` files as Babel reads them. English is the source language (the msgids);
Dutch must hold every msgid, with every plural form, and keep each ``%(name)s`` placeholder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

UI = Path(__file__).resolve().parents[2] / "trustone" / "web" / "ui"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted(only: set[str] | None = None) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for filename, _, message, _, _ in extract_from_dir(UI, METHODS, OPTIONS, KEYWORDS):
        if only is None or filename in only:
            forms = (message,) if isinstance(message, str) else tuple(message)
            found.setdefault(forms[0], forms)
    return found


def _catalogue(language: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for po in sorted((UI / "locale" / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as source:
            for message in read_po(source, locale=language):
                if message.id and not message.fuzzy:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
                    if all(strings):
                        found[msgid] = strings
    return found


def test_strings_are_found_in_the_templates_and_the_page_code():
    strings = _extracted()
    assert "Log in" in strings  # templates/base.html
    assert "the login or password is wrong" in strings  # routes/account.py, N_(...)
    assert strings["Too many failed logins. Try again in %(num)d minute."][1].endswith("minutes.")  # ngettext


@pytest.mark.parametrize("language", ["nl"])
def test_every_string_of_the_pages_is_translated(language):
    have = _catalogue(language)
    untranslated = sorted(msgid for msgid in _extracted() if msgid not in have)
    assert not untranslated, f"{len(untranslated)} string(s) without a {language} translation: {untranslated[:20]}"


@pytest.mark.parametrize("language", ["nl"])
def test_translations_keep_every_placeholder(language):
    extracted = _extracted()
    wrong = []
    for msgid, strings in _catalogue(language).items():
        forms = extracted.get(msgid)
        if forms is None:
            continue
        wanted = set(PLACEHOLDER.findall(forms[-1]))
        wrong += [
            f"{msgid!r} -> {s!r}"
            for s in strings
            if set(PLACEHOLDER.findall(s)) - wanted or (wanted - set(PLACEHOLDER.findall(s)) - {"num"})
        ]
    assert not wrong, wrong


ALLOWED_BARE = {"TruStone", "·", "|", ":", "(", ")", "%", "/", "-", "–", "×", "CSV", "JSON", "GeoJSON", "PDF", "XLSX"}
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.DOTALL | re.IGNORECASE)
_TEXT_ATTRIBUTES = re.compile(
    r"""\b(?:aria-label|title|alt|placeholder|aria-description)\s*=\s*["']([^"'{]+)["']""", re.IGNORECASE
)


def _bare_text(source: str) -> list[str]:
    """Words of a template that are neither markup, nor Jinja, nor inside a gettext call."""
    without_attrs = _JINJA.sub(" ", source)
    words = _TAGS.sub(" ", without_attrs).replace("&nbsp;", " ").split()
    words = [w for w in words if w not in ALLOWED_BARE and not re.fullmatch(r"[\W\d_]+|&\w+;", w)]
    return words + [m.group(1) for m in _TEXT_ATTRIBUTES.finditer(without_attrs) if m.group(1).strip()]


def test_no_template_shows_text_that_bypasses_the_catalogues():
    found = {
        str(path.relative_to(UI)): bare
        for path in sorted((UI / "templates").rglob("*.html"))
        if (bare := _bare_text(path.read_text()))
    }
    assert not found, found


def test_the_bare_text_check_sees_a_forgotten_string():
    assert _bare_text('<p>{{ _("Welcome") }}</p><p>Welkom terug</p>') == ["Welkom", "terug"]
    assert _bare_text('<a aria-label="Sluiten" href="/">{{ _("x") }}</a>') == ["Sluiten"]
