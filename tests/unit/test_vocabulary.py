"""One name per value across the site (trustone/web/ui/vocabulary.py): every member of every enum
the pages show has a name, the name is the same in every language's environment, and no template
keeps a map of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grievance.domain.case import CaseType, MessageKind, Theme
from grievance.domain.deadlines import Deadline
from grievance.domain.stages import Stage, Step
from registry.domain.access_requests import Status as AccessStatus
from registry.domain.accounts import Role
from registry.domain.organisations import CompanySize, MembershipEnd, OrganisationKind
from registry.domain.reports import Channel, OriginConfidence
from registry.domain.sites import SiteKind
from trustone.web.ui import vocabulary
from trustone.web.ui.templating import environment

UI = Path(__file__).resolve().parents[2] / "trustone" / "web" / "ui"

NAMED_ENUMS = [
    ("site_kind", SiteKind),
    ("channel", Channel),
    ("origin_confidence", OriginConfidence),
    ("organisation_kind", OrganisationKind),
    ("role", Role),
    ("company_size", CompanySize),
    ("membership_end", MembershipEnd),
    ("access_status", AccessStatus),
    ("stage", Stage),
    ("step", Step),
    ("case_type", CaseType),
    ("theme", Theme),
    ("message_kind", MessageKind),
    ("deadline", Deadline),
]


@pytest.mark.parametrize(("kind", "enum"), NAMED_ENUMS, ids=[kind for kind, _ in NAMED_ENUMS])
def test_every_member_of_the_enum_has_a_name(kind, enum):
    names = vocabulary.VOCABULARY[kind]
    unnamed = [member.value for member in enum if not names.get(member.value)]
    assert not unnamed, f"{kind}: no name for {unnamed}"
    assert set(names) == {member.value for member in enum}, f"{kind}: a name for a value the enum lacks"


def test_a_declarations_status_has_a_name():
    # registry/domain/declarations.py status_on: valid, not_yet_valid, expired or revoked
    assert set(vocabulary.VOCABULARY["declaration_status"]) == {"valid", "not_yet_valid", "expired", "revoked"}


def _render(language: str, source: str) -> str:
    return environment(language).from_string(source).render()


def test_a_value_is_named_in_the_pages_language():
    assert _render("en", '{{ "quarry"|named("site_kind") }}') == "quarry"
    assert _render("nl", '{{ "quarry"|named("site_kind") }}') == "groeve"
    assert _render("nl", '{{ "factory"|named("site_kind") }}') == "fabriek"
    assert _render("en", '{{ "referred"|named("stage") }}') == "Sent to the complaints committee"
    assert _render("en", '{{ "child_labour"|named("theme") }}') == "child labour"


def test_an_enum_member_is_named_as_its_value():
    template = environment("en").from_string('{{ kind|named("site_kind") }}')
    assert template.render(kind=SiteKind.COBBLE_YARD) == "cobble yard"


def test_a_capital_only_touches_the_first_letter():
    assert _render("en", '{{ "ngo_party"|named("organisation_kind", capital=True) }}') == "NGO party"
    assert _render("en", '{{ "health_and_safety"|named("theme", capital=True) }}') == "Health and safety"


def test_an_unknown_value_is_shown_as_it_is():
    assert _render("en", '{{ "lava_field"|named("site_kind") }}') == "lava_field"


def test_choices_for_a_select_keep_the_order_given():
    choices = environment("en").globals["named_choices"]("company_size", ["large", "small"])
    assert choices == [("large", "large"), ("small", "small")]


_ALL_VALUES = {m.value for _, enum in NAMED_ENUMS for m in enum} | {"not_yet_valid"}
_VALUES = "|".join(sorted(_ALL_VALUES, key=len, reverse=True))
# a dict entry ("quarry": _("...")) or a choice ( ("quarry", _("...")) ), not a field's name
_OWN_NAME = re.compile(rf"""(?:["']({_VALUES})["']\s*:|\(\s*["']({_VALUES})["']\s*,)\s*_\(["']([^"']*)["']""")


def _own_names(source: str) -> list[str]:
    """The values a template names itself. A message keyed by a value (a whole sentence:
    "withdrawn": _("The withdrawal is recorded.")) is no name."""
    return sorted({a or b for a, b, text in _OWN_NAME.findall(source) if not text.endswith(".")})


def test_the_map_check_sees_a_template_naming_values_itself():
    source = '{% set kinds = {"quarry": _("Quarry")} %}{% set c = [("", _("choose")), ("direct", _("direct"))] %}'
    assert _own_names(source) == ["direct", "quarry"]
    assert _own_names('{{ field(form, "company", _("Company")) }}{% set d = {"excluded": _("Done.")} %}') == []


def test_no_template_keeps_a_map_of_its_own():
    found = {
        str(path.relative_to(UI)): names
        for path in sorted((UI / "templates").rglob("*.html"))
        if (names := _own_names(path.read_text()))
    }
    assert not found, found


def test_a_volume_unit_has_a_name():
    # registry/reportfile.py _VOLUME_UNITS: m3, t, m2, pieces
    assert set(vocabulary.VOCABULARY["volume_unit"]) == {"m3", "t", "m2", "pieces"}
    assert _render("nl", '{{ "t"|named("volume_unit") }}') == "ton"


def test_no_value_is_named_as_nothing():
    assert environment("en").from_string('{{ none|named("channel") }}').render() == ""


def test_a_translated_label_can_be_capitalised_as_a_name_is():
    assert _render("nl", '{{ "child labour"|message|capital }}') == "Kinderarbeid"
    assert _render("en", '{{ "NGO party"|capital }}') == "NGO party"
