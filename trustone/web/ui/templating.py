"""Rendering a page: one Jinja2 environment per language, each with that language's translations.

One environment per language (not one with translations swapped per request) keeps rendering free
of shared mutable state across the server's threads. Templates call ``_("...")``, ``gettext`` and
``ngettext`` (new-style: ``_("%(n)s rows", n=3)``) and format dates and numbers with the filters
below, in the page's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from trustone.web.ui import i18n, vocabulary
from trustone.web.ui.navigation import menu_for, queue_page

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,  # a missing value is an error in the tests, not an empty cell on a page
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    env.filters["date"] = functools.partial(_date, language=language)
    env.filters["datetime"] = functools.partial(_datetime, language=language)
    env.filters["number"] = functools.partial(_number, language=language)
    env.filters["percent"] = functools.partial(_percent, language=language)
    env.filters["message"] = functools.partial(_message, translations=i18n.translations(language))
    env.globals["language_name"] = i18n.language_name
    env.globals["isolated"] = _isolated
    env.globals["queue_page"] = queue_page
    vocabulary.install(env, i18n.translations(language))  # the ``named`` filter: one name per value, site-wide
    return env


def _date(value: dt.date | None, format: str = "long", *, language: str) -> str:  # noqa: A002 - Babel's name
    return "" if value is None else format_date(value, format=format, locale=language)


def _datetime(value: dt.datetime | None, format: str = "medium", *, language: str) -> str:  # noqa: A002 - Babel's name
    return "" if value is None else format_datetime(value, format=format, locale=language, tzinfo=dt.UTC)


def _number(value: float | Decimal | None, *, language: str) -> str:
    return "" if value is None else format_decimal(value, locale=language)


def _percent(value: float | Decimal | None, *, language: str) -> str:
    """``value`` is a percentage (87.5), not a fraction."""
    return "" if value is None else format_percent(Decimal(str(value)) / 100, format="#,##0.#%", locale=language)


def _message(message: tuple[str, Mapping[str, Any]] | str, *, translations: Any) -> str:
    """A message made in Python (a form error, a menu label): translated, then its values filled in.
    A message from the domain that no catalogue holds stays as it is (English)."""
    text, values = (message, {}) if isinstance(message, str) else message
    translated = translations.gettext(text)
    return translated % dict(values) if values else translated


def _isolated(text: str) -> Markup:
    """A value set apart from the sentence around it (``<bdi>``): a code such as 7KQ2-M8XD stays in
    its own order inside a right-to-left sentence. The value is escaped."""
    return Markup("<bdi>{}</bdi>").format(text)


def page_language(request: Request, offered: tuple[str, ...] = i18n.SITE_LANGUAGES) -> str:
    return i18n.chosen_language(
        request.cookies.get(i18n.LANGUAGE_COOKIE), request.headers.get("accept-language"), offered
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    languages: tuple[str, ...] = i18n.SITE_LANGUAGES,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page in the visitor's language. Every page gets: ``lang``, ``dir``, ``languages`` (the
    switch), ``principal`` (None for a visitor), ``menu``, ``csrf_token`` and ``path``."""
    language = page_language(request, languages)
    principal = getattr(request.state, "principal", None)
    csrf = request.scope.get("csrftoken")
    base: dict[str, Any] = {
        "lang": language,
        "dir": "rtl" if language in i18n.RIGHT_TO_LEFT else "ltr",
        "languages": languages,
        "principal": principal,
        "menu": menu_for(principal.role if principal else None),
        "csrf_token": csrf() if callable(csrf) else "",
        "path": request.url.path,
        "query": request.url.query,
    }
    html = environment(language).get_template(template).render({**base, **(context or {})})
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = "no-store"  # pages can hold confidential data: no shared or back-button copy
    return response
