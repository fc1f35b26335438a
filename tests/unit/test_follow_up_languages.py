"""The follow-up page is in ten languages (issue 14, item 1): every string it can show is translated.

A local partner (often a quarry workers' union in India, China, Vietnam, Turkey, Brazil, Portugal,
Egypt or Zimbabwe) checks a report's status without a login. What that page can show: its template,
the page frame (base.html) and the form macros it uses (forms.html), the public menu, the stage
names (trustone/web/ui/vocabulary.py, the site's one name per stage) and its error messages
(trustone/web/ui/follow_up.py). The strings are extracted with
Babel's own extractor and the catalogues read with ``read_po``, as tests/unit/test_page_catalogues.py
does; Dutch is checked there, for every page.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from trustone.web.ui.vocabulary import STAGE

UI = Path(__file__).resolve().parents[2] / "trustone" / "web" / "ui"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

FOLLOW_UP_FILES = {"templates/public/follow_up.html", "templates/base.html", "templates/forms.html", "follow_up.py"}
# The public menu (navigation.py PUBLIC_MENU), shown in the page's header.
PUBLIC_MENU = ("Quarry regions", "Members", "Grievance statistics", "Follow up a report")
EXTRA_LANGUAGES = ("fr", "hi", "ta", "zh", "tr", "vi", "pt", "ar")
# Scripts other than Latin: a translation in these holds letters of its own script.
SCRIPTS = {"hi": r"[\u0900-\u097f]", "ta": r"[\u0b80-\u0bff]", "zh": r"[\u4e00-\u9fff]", "ar": r"[\u0600-\u06ff]"}


@functools.cache
def _follow_up_strings() -> frozenset[str]:
    found = {
        (message if isinstance(message, str) else message[0])
        for filename, _, message, _, _ in extract_from_dir(UI, METHODS, OPTIONS, KEYWORDS)
        if filename in FOLLOW_UP_FILES
    }
    return frozenset(found | set(PUBLIC_MENU) | set(STAGE.values()))  # the page names its case's stage


def _catalogue(language: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for po in sorted((UI / "locale" / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as source:
            for message in read_po(source, locale=language):
                if message.id and not message.fuzzy and isinstance(message.string, str) and message.string:
                    found[str(message.id)] = message.string
    return found


def test_the_strings_of_the_follow_up_page_are_found():
    strings = _follow_up_strings()
    assert "Follow-up code" in strings  # the page's template
    assert "Skip to content" in strings  # base.html
    assert "Please correct the following" in strings  # forms.html's error summary
    assert "No report has this code. Check the code and try again." in strings  # follow_up.py
    assert "Sent to the complaints committee" in strings  # a stage's name, vocabulary.py
    assert len(strings) > 40


@pytest.mark.parametrize("language", EXTRA_LANGUAGES)
def test_every_string_of_the_follow_up_page_is_translated(language):
    have = _catalogue(language)
    missing = sorted(msgid for msgid in _follow_up_strings() if msgid not in have)
    assert not missing, f"{len(missing)} string(s) without a {language} translation: {missing[:10]}"


@pytest.mark.parametrize("language", EXTRA_LANGUAGES)
def test_a_translation_keeps_its_placeholders_and_is_not_the_english(language):
    have = _catalogue(language)
    wrong = []
    for msgid in _follow_up_strings():
        text = have.get(msgid)
        if text is None:
            continue
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid)):
            wrong.append(f"placeholders: {msgid!r} -> {text!r}")
        if text == msgid:
            wrong.append(f"left in English: {msgid!r}")
        if language in SCRIPTS and not re.search(SCRIPTS[language], text):
            wrong.append(f"not in the {language} script: {msgid!r} -> {text!r}")
    assert not wrong, wrong
