"""The filter's cache of opened reports (issue 12 item 4), on both stores.

A repeated search does not decrypt again what it opened before; but every search is still decided
by the policy and logged before anything is released, and a company whose key was shredded is never
served from the cache, in this process or in another one that shredded it.
"""

from __future__ import annotations

import uuid

import pytest

import keys.access.filter
import keys.encryption.datakeys
from keys.access.accesslog import company_key_owner
from keys.access.filter import AccessDeniedError, Audit, ConfidentialFilter, IntegrityError
from keys.access.policy import Action, Facts
from keys.access.principal import Principal
from keys.encryption.datakeys import DataKeyStore
from keys.encryption.sealing import SealedField
from registry.domain.accounts import Role
from tests.integration.test_filter_access_log import _sealed

NGO = Principal(login="ngo-user-1", role=Role.NGO, organisation_id=uuid.uuid4(), organisation_ref="arisa")
GRANTED, DENIED = Facts(valid_declaration=True), Facts()
AUDIT = Audit(subject_kind="linked_list", purpose="linked list search")


def every_site(company, sites):
    return [(company, site) for site in sites]


@pytest.fixture
def items(services) -> list[tuple[str, SealedField]]:
    return [
        (company, _sealed(services, company_key_owner(company), [f"SITE-{company}"], f"x/{company}"))
        for company in ("company-a", "company-b")
    ]


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The contexts of the values actually decrypted (the real ``unseal`` still runs)."""
    calls: list[str] = []
    real = keys.access.filter.unseal

    def counting(datakeys, sealed):
        calls.append(sealed.context)
        return real(datakeys, sealed)

    monkeypatch.setattr(keys.access.filter, "unseal", counting)
    return calls


def search(confidential_filter, items, facts=GRANTED, request_id="r"):
    return confidential_filter.open_many(
        NGO, Action.READ_LINKED_LIST, facts, Audit(**{**AUDIT.__dict__, "request_id": request_id}), items, every_site
    )


def test_a_repeated_search_decrypts_nothing_again_but_is_logged_again(services, items, opened):
    first = search(services.filter, items, request_id="r-1")
    second = search(services.filter, items, request_id="r-2")
    assert first == second == [("company-a", "SITE-company-a"), ("company-b", "SITE-company-b")]
    assert opened == ["x/company-a", "x/company-b"]  # once each, by the first search
    assert [(e.request_id, e.company) for e in services.access_log.entries()] == [
        ("r-1", "company-a"),
        ("r-1", "company-b"),
        ("r-2", "company-a"),
        ("r-2", "company-b"),
    ]


def test_a_refused_search_is_refused_even_when_the_values_are_cached(services, items, opened):
    search(services.filter, items)
    with pytest.raises(AccessDeniedError):
        search(services.filter, items, facts=DENIED, request_id="r-denied")
    assert [(e.request_id, str(e.outcome)) for e in services.access_log.entries()][-1] == ("r-denied", "denied")


def test_a_shredded_company_is_never_served_from_the_cache(services, items, opened):
    search(services.filter, items)
    services.datakeys.shred(company_key_owner("company-a"))
    assert search(services.filter, items, request_id="after") == [("company-b", "SITE-company-b")]
    assert [e.company for e in services.access_log.entries() if e.request_id == "after"] == ["company-b"]


def test_a_company_shredded_by_another_process_is_not_served_once_its_key_is_checked_again(
    services, items, opened, monkeypatch
):
    """Another process (its own key store and filter) shreds; this one notices when it next reads the
    key's row, as it would for a value it had not cached (keys.encryption.datakeys.CACHE_SECONDS, here 0)."""
    search(services.filter, items)
    elsewhere = DataKeyStore(services.sql, services.keyring)
    elsewhere.shred(company_key_owner("company-a"))
    monkeypatch.setattr(keys.encryption.datakeys, "CACHE_SECONDS", 0.0)
    assert search(services.filter, items, request_id="after") == [("company-b", "SITE-company-b")]


def test_a_rotation_empties_the_cache_and_the_values_still_open(services, items, opened):
    search(services.filter, items)
    services.keyring.rotate()  # as `trustone keys rotate` does (keys.encryption.administration.rotate_master_key)
    services.datakeys.rewrap_all()
    assert search(services.filter, items) == [("company-a", "SITE-company-a"), ("company-b", "SITE-company-b")]
    assert opened == ["x/company-a", "x/company-b"] * 2  # opened anew after the rotation


def test_a_cached_ciphertext_moved_to_another_row_still_does_not_open(services, items, opened):
    search(services.filter, items)
    company, sealed = items[0]
    moved = SealedField(sealed.blob, "x/company-b", sealed.owner)  # same bytes, another row
    with pytest.raises(IntegrityError):
        search(services.filter, [(company, moved)])


def test_a_value_handed_out_from_the_cache_cannot_change_the_cache(services, items):
    links = [{"site_id": "S1"}]
    sealed = _sealed(services, company_key_owner("company-a"), links, "x/links")
    got = services.filter.open_many(
        NGO, Action.READ_LINKED_LIST, GRANTED, AUDIT, [("company-a", sealed)], lambda company, value: [value]
    )[0]
    with pytest.raises(TypeError):
        got[0]["site_id"] = "S2"
    again = services.filter.open_many(
        NGO, Action.READ_LINKED_LIST, GRANTED, AUDIT, [("company-a", sealed)], lambda company, value: [value]
    )[0]
    assert again[0]["site_id"] == "S1"


def test_the_cache_is_bounded(services, monkeypatch):
    monkeypatch.setattr(keys.access.filter, "OPENED_CACHE_BYTES", 12 * 1024)  # two or three opened values of ~1 kB
    confidential_filter = ConfidentialFilter(services.access_log, services.datakeys)
    owner = company_key_owner("company-a")
    values = [("company-a", _sealed(services, owner, ["S" * 1000 + str(n)], f"x/{n}")) for n in range(10)]
    confidential_filter.open_many(NGO, Action.READ_LINKED_LIST, GRANTED, AUDIT, values, every_site)
    assert 0 < confidential_filter.opened_cache_bytes() <= 12 * 1024


def test_an_opened_value_is_weighed_at_four_times_its_ciphertext(services):
    """docs/confidentiality.md: an opened value takes about four times its ciphertext in memory
    (measured), and the cache's bound counts it so."""
    confidential_filter = ConfidentialFilter(services.access_log, services.datakeys)
    sealed = _sealed(services, company_key_owner("company-a"), ["S" * 1000], "x/weighed")
    confidential_filter.open_many(NGO, Action.READ_LINKED_LIST, GRANTED, AUDIT, [("company-a", sealed)], every_site)
    assert confidential_filter.opened_cache_bytes() == 4 * len(sealed.blob)
