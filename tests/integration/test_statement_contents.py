"""Issue 15's property: no evidence statement, for any company and date, contains a site id, a site
name, a supplier's country or another company's name.

The demo data holds thirty companies, their reports and five hundred sites in a dozen countries.
For companies and dates drawn by hypothesis (before, during and after membership, in either
language) the statement as issued (its signed text and every field the API returns) is searched for
every site's public id and name, every site country's ISO code (as a word) and its name in Dutch and
English, and every other company's name. A country named in the company's own name is its name, not
a supplier's (none is in the demo; the exception is there so that the property says what it means).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest
from babel import Locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.accounts import Role
from tests.principals import of_account
from trustone.bootstrap import bootstrap
from trustone.demo import load_demo
from trustone.settings import Settings

SIGNATURE = "-----BEGIN TRUSTONE SIGNATURE-----"


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory):
    services = bootstrap(Settings(data_dir=tmp_path_factory.mktemp("statements")))
    demo = load_demo(services)
    services.registry.create_account("inkoper", Role.BUYER, _buyer_ref(services), "Inkoper", "not-used-here", None)
    sites = [services.registry.site(site_id) for site_id in demo.site_ids]
    countries = {site.region.country for site in sites}
    names = {ref: services.registry.company(ref).name for ref in demo.company_refs}
    assert len(sites) >= 500 and len(countries) >= 5 and len(names) >= 20  # the demo as described
    yield services, demo, sites, countries, names
    services.close()


def _buyer_ref(services) -> str:
    return next(org.ref for org in services.registry.organisations() if org.kind.value == "public_buyer")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(company=st.integers(min_value=0, max_value=29), days_back=st.integers(0, 6 * 365), dutch=st.booleans())
def test_no_statement_names_a_site_a_supplier_country_or_another_company(demo_world, company, days_back, dutch):
    services, demo, sites, countries, names = demo_world
    ref = demo.company_refs[company % len(demo.company_refs)]
    on = dt.date.today() - dt.timedelta(days=days_back)
    statement = services.statements.issue(of_account(services, "inkoper"), ref, on, "nl" if dutch else "en")
    fields = {**dataclasses.asdict(statement), "document": statement.document.partition(SIGNATURE)[0]}
    # the random code and the signature's base64 are letters by chance, no name: left out of the search
    text = json.dumps(fields, default=str, ensure_ascii=False).replace(statement.code, "")
    own_name = names[ref]
    assert own_name in text  # the statement is about this company

    for site in sites:
        assert site.public_id not in text
        assert site.name not in text
    words = _words(text)
    for country in countries:
        assert country.upper() not in words, country
        for language in ("en", "nl"):
            country_name = Locale.parse(language).territories[country.upper()]
            if country_name.lower() not in own_name.lower():
                assert country_name.lower() not in text.lower(), country_name
    for other_ref, other_name in names.items():
        if other_ref != ref:
            assert other_name not in text, other_name
