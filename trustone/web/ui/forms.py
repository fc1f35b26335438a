"""What a form page needs between the request and the template: the fields as typed, and the errors by field.

A form that fails validation is drawn again with what the person typed and each error next to its
field. An error is a message id and its values, translated when the page is drawn (the ``message``
filter). It comes from the page's own reading of a value (a date, a number) before the use case is
called, or from the use case (``ValidationError.field`` / ``.message``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.domain.errors import ValidationError
from trustone.web.ui.i18n import N_

Message = tuple[str, Mapping[str, Any]]


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Message] = field(default_factory=dict)

    def error(self, name: str, message: str, **values: Any) -> None:
        self.errors[name] = (message, values)

    def add(self, error: ValidationError) -> None:
        self.error(error.field, error.message)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


def parse_date(form: FormState, name: str, required: bool = True) -> dt.date | None:
    """The field as a date (YYYY-MM-DD, what ``<input type=date>`` sends), or an error on the form."""
    raw = form.values.get(name, "").strip()
    if not raw:
        if required:
            form.error(name, N_("required"))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        form.error(name, N_("write the date as YYYY-MM-DD (for example 2024-12-31)"))
        return None


def parse_int(form: FormState, name: str, low: int, high: int, required: bool = True) -> int | None:
    raw = form.values.get(name, "").strip()
    if not raw:
        if required:
            form.error(name, N_("required"))
        return None
    if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
        form.error(name, N_("a whole number from %(low)s to %(high)s"), low=low, high=high)
        return None
    return int(raw)
