"""The demo data set: loaded through the registry's own commands, read back through the application.

Everything is checked by reading the store (organisations, sites by public id, reports through the
filter as the secretariat), not by trusting the counts that ``load_demo`` reports. A test that takes
``demo`` reads a copy of a store the demo was loaded into once (tests/demo_store.py); those that
call ``load_demo`` themselves load it into an empty store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import stat
from collections import Counter

import pyotp
import pytest

from keys.logins.passwords import verify_password
from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import MembershipEnd, OrganisationKind
from registry.domain.sites import SiteKind, SiteStatus
from tests.principals import of_account, secretariat
from trustone.bootstrap import bootstrap
from trustone.demo import DECLARATION_TITLE, DECLARATION_VERSION, LOGINS_FILE, load_demo
from trustone.settings import Settings

ROLES = ("secretariat", "ngo", "union", "company", "committee", "auditor", "buyer")


def _sites(registry, demo):
    return [registry.site(public_id) for public_id in demo.site_ids]


def test_the_demo_has_the_covenant_parties_and_at_least_25_member_companies(registry, demo):
    kinds = Counter(registry.organisation(ref).kind for ref in demo.organisation_refs)
    assert kinds[OrganisationKind.SECRETARIAT] == 1
    assert kinds[OrganisationKind.NGO_PARTY] >= 3 and kinds[OrganisationKind.UNION_PARTY] >= 3
    assert kinds[OrganisationKind.COMPLAINTS_COMMITTEE] == 1 and kinds[OrganisationKind.AUDITOR] == 1
    assert kinds[OrganisationKind.PUBLIC_BUYER] >= 2
    for ref, country in (
        ("arisa", "NL"),
        ("actionaid-nl", "NL"),
        ("wsm", "BE"),
        ("fnv", "NL"),
        ("cnv", "NL"),
        ("acv-bie", "BE"),
        ("gemeente-utrecht", "NL"),
    ):
        assert registry.organisation(ref).country == country

    companies = [registry.company(ref) for ref in demo.company_refs]
    assert len(companies) >= 25
    assert {c.country for c in companies} == {"NL", "BE"}
    assert {p.category.value for c in companies for p in c.periods} == {"A", "B", "C"}
    assert {p.size.value for c in companies for p in c.periods} == {"small", "medium", "large"}
    joined = [c.periods[0].joined_on for c in companies]
    assert all(2021 <= day.year <= 2025 for day in joined)
    assert sum(day.year < 2024 for day in joined) > len(joined) / 2
    ends = Counter(c.periods[-1].end_reason for c in companies if c.periods[-1].ended_on)
    assert 1 <= ends[MembershipEnd.WITHDRAWN] <= 2 and ends[MembershipEnd.EXCLUDED] == 1


def test_the_demo_has_400_sites_in_8_countries_in_real_regions_with_region_codes(registry, demo):
    sites = _sites(registry, demo)
    assert len(sites) >= 400 and len({s.public_id for s in sites}) == len(sites)
    countries = Counter(s.region.country for s in sites)
    assert len(countries) >= 8
    assert {"IN", "CN", "VN", "ZW", "TR", "BR", "EG", "PT", "IT"} <= set(countries)
    provinces = {(s.region.country, s.region.province) for s in sites}
    assert {
        ("IN", "Rajasthan"),
        ("IN", "Telangana"),
        ("CN", "Fujian"),
        ("CN", "Shandong"),
        ("ZW", "Mashonaland East"),
        ("BR", "Espírito Santo"),
    } <= provinces
    # region codes resolve: most ids carry a real ISO 3166-2 code, not XX
    with_code = [s for s in sites if s.region.subdivision and s.public_id.split("-")[1] == s.region.subdivision]
    assert len(with_code) >= 0.95 * len(sites)
    assert {s.kind for s in sites} >= {
        SiteKind.QUARRY,
        SiteKind.FACTORY,
        SiteKind.COBBLE_YARD,
        SiteKind.EXPORTER,
        SiteKind.TRADER,
        SiteKind.STONE_MARKET,
    }
    # realistic kinds per region: cobble yards in Rajasthan only, Carrara trades and processes
    assert {s.region.province for s in sites if s.kind == SiteKind.COBBLE_YARD} == {"Rajasthan"}
    assert {s.kind for s in sites if s.region.district == "Carrara"} <= {
        SiteKind.TRADER,
        SiteKind.EXPORTER,
        SiteKind.FACTORY,
    }
    assert all(s.coordinates is not None for s in sites)
    jalore = [s.coordinates for s in sites if s.region.district == "Jalore"]
    assert all(24.9 < c.latitude < 25.8 and 72.2 < c.longitude < 73.1 for c in jalore)


def test_two_or_three_near_duplicates_wait_for_review_and_every_other_site_is_distinct(registry, demo):
    held = registry.sites_awaiting_review()
    assert 2 <= len(held) <= 3
    assert {public_id for public_id, _ in held} == set(demo.held_for_review)
    statuses = Counter(registry.site(public_id).status for public_id in demo.site_ids)
    assert statuses[SiteStatus.PENDING_REVIEW] == len(held)
    assert statuses[SiteStatus.ACTIVE] == len(demo.site_ids) - len(held)
    for public_id, candidate in held:
        assert registry.site(public_id).kind == registry.site(candidate).kind


def test_members_report_for_2024_and_2025_with_realistic_content(registry, demo, content_of):
    by_year = Counter(year for _, year in demo.reports)
    assert by_year[2024] >= 20 and by_year[2025] >= 20
    unknown = circular = with_terms = changed = 0
    for ref, year in demo.reports:
        assert any(
            p.joined_on.year <= year and (p.ended_on is None or p.ended_on.year >= year)
            for p in registry.company(ref).periods
        )
        content = content_of(ref, year)
        assert 3 <= len(content.links) <= 25
        assert 2 <= len(content.action_plan) <= 4 and content.questionnaire
        chains = {link.chain for link in content.links}
        assert len(chains) >= 1
        for link in content.links:
            if link.site_id is None:
                unknown += 1
                assert link.origin_confidence is None
            else:
                assert registry.site(link.site_id).kind == link.site_kind
        circular += any(link.circular for link in content.links)
        with_terms += sum(1 for t in content.terms if t.price_eur_per_unit is not None)
        if year == 2025 and (ref, 2024) in demo.reports:
            before = {(link.chain, link.site_id) for link in content_of(ref, 2024).links}
            after = {(link.chain, link.site_id) for link in content.links}
            changed += before != after
            assert len(before & after) >= len(after) / 3  # 2025 mostly repeats 2024
    assert unknown > 0 and circular > 0 and with_terms > 0 and changed > 0
    # a late joiner reports 2025 only; a company that left during 2025 reports 2024 only
    reported = set(demo.reports)
    for ref in demo.company_refs:
        period = registry.company(ref).periods[-1]
        if period.joined_on.year == 2025:
            assert (ref, 2024) not in reported and (ref, 2025) in reported
        elif period.ended_on and period.ended_on.year == 2025:
            assert (ref, 2024) in reported and (ref, 2025) not in reported
        else:
            assert (ref, 2025) in reported


def test_assessments_give_levels_0_to_5_and_most_2024_reports_are_assessed(registry, demo):
    levels = Counter()
    assessed = Counter()
    for ref, year in demo.reports:
        report = registry.report(ref, year)
        assessed[year] += bool(report.assessments)
        levels.update(record.level for record in report.assessments)
    assert set(levels) == {0, 1, 2, 3, 4, 5}
    reports = Counter(year for _, year in demo.reports)
    assert assessed[2024] >= 0.75 * reports[2024]
    assert 0 < assessed[2025] < reports[2025]
    statuses = [registry.member_status_on(ref, dt.date(2026, 10, 1)) for ref in demo.company_refs]
    assert any(s.member and s.level is not None for s in statuses)


def test_demo_logins_are_one_per_role_private_and_usable(registry, demo, services):
    path = services.settings.data_dir / LOGINS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = json.loads(path.read_text())
    assert sorted(logins) == sorted(ROLES)
    expected_organisation = {
        "secretariat": "trustone-secretariaat",
        "ngo": "arisa",
        "union": "fnv",
        "company": demo.company_refs[0],
        "committee": "klachtencommissie-trustone",
        "auditor": "van-dam-audit",
        "buyer": "gemeente-utrecht",
    }
    for role, entry in logins.items():
        needs_totp = Role(role) in ROLES_REQUIRING_TOTP
        assert set(entry) == ({"login", "password", "totp_secret"} if needs_totp else {"login", "password"})
        assert len(entry["password"]) >= 12
        account = registry.account(entry["login"])
        assert account.role == Role(role) and account.active
        assert account.organisation_id == registry.organisation(expected_organisation[role]).id
        assert verify_password(account.password_hash, entry["password"])
        assert not verify_password(account.password_hash, entry["password"] + "x")
        if needs_totp:
            assert registry.totp_secret_for(entry["login"]) == entry["totp_secret"]
            totp = pyotp.TOTP(entry["totp_secret"])
            assert totp.verify(totp.now())
        else:
            assert registry.totp_secret_for(entry["login"]) is None
    assert {"secretariat", "auditor"} == {r for r, e in logins.items() if "totp_secret" in e}


def test_the_demo_ngo_user_has_a_valid_signed_declaration(registry, demo):
    login = demo.logins["ngo"]
    assert registry.valid_declaration(login, dt.date.today())
    (declaration,) = registry.declarations(login)
    assert (declaration.document_title, declaration.document_version) == (DECLARATION_TITLE, DECLARATION_VERSION)
    assert declaration.document_sha256 == hashlib.sha256(DECLARATION_TITLE.encode()).hexdigest()
    assert (declaration.signed_on, declaration.valid_until) == (dt.date(2025, 3, 1), dt.date(2027, 3, 1))
    assert declaration.organisation_id == registry.organisation("arisa").id
    assert not registry.valid_declaration(login, dt.date(2027, 3, 1))
    assert not registry.valid_declaration(demo.logins["union"], dt.date.today())


def test_two_demo_companies_buy_from_the_rajasthan_quarry_in_2025_and_the_third_does_not(
    registry, demo, services, content_of
):
    quarry = registry.site(demo.rajasthan_quarry)
    assert quarry.kind == SiteKind.QUARRY and quarry.status == SiteStatus.ACTIVE
    assert (quarry.region.country, quarry.region.province) == ("IN", "Rajasthan")
    assert quarry.region.district in ("Jalore", "Bundi")
    assert quarry.public_id.startswith("IN-RJ-")
    assert demo.rajasthan_quarry in demo.summary

    trio = [*demo.rajasthan_buyers, demo.rajasthan_non_buyer]
    assert trio == list(demo.company_refs[:3]) and len(set(trio)) == 3
    buyers_2025 = {
        ref
        for ref, year in demo.reports
        if year == 2025 and any(link.site_id == quarry.public_id for link in content_of(ref, 2025).links)
    }
    assert buyers_2025 == set(demo.rajasthan_buyers)  # exactly these two, no other company either
    for ref in trio:
        assert registry.member_status_on(ref, dt.date(2025, 12, 31)).member


def test_no_file_in_the_data_directory_pairs_a_company_with_the_quarry(services, demo):
    for path in services.settings.data_dir.iterdir():
        if path.is_file() and path.suffix == ".json":
            text = path.read_text()
            assert not (demo.rajasthan_buyers[0] in text and demo.rajasthan_quarry in text), path.name


def test_two_loads_into_fresh_stores_give_the_same_data_set(registry, demo, tmp_path, content_of):
    other = bootstrap(Settings(data_dir=tmp_path / "second-store"))
    try:
        second = load_demo(other)
        assert second.loaded
        assert second.organisation_refs == demo.organisation_refs and second.reports == demo.reports

        def organisations(reg, refs):
            return [(o.ref, o.name, o.kind, o.country, o.periods) for o in map(reg.organisation, refs)]

        def sites(reg, ids):
            return [(s.kind, s.name, s.region, s.coordinates, s.address, s.stone_types) for s in map(reg.site, ids)]

        assert organisations(registry, demo.organisation_refs) == organisations(
            other.registry, second.organisation_refs
        )
        assert sites(registry, demo.site_ids) == sites(other.registry, second.site_ids)
        assert demo.site_ids != second.site_ids  # public ids are random, the rest is not

        # the same reports, up to the random site ids
        position = {public_id: i for i, public_id in enumerate(demo.site_ids)}
        position_2 = {public_id: i for i, public_id in enumerate(second.site_ids)}
        for ref, year in demo.reports[:6]:
            first = content_of(ref, year)
            again = other.registry.read_report(secretariat(), ref, year, purpose="test")
            assert [position.get(link.site_id) for link in first.links] == [
                position_2.get(link.site_id) for link in again.links
            ]
            assert first.terms == again.terms and first.action_plan == again.action_plan
            assert registry.report(ref, year).assessments == other.registry.report(ref, year).assessments
    finally:
        other.close()


def test_a_second_load_changes_nothing(services, demo):
    path = services.settings.data_dir / LOGINS_FILE
    before = path.read_bytes()
    last = services.registry.recorder.max_notification_id()
    again = load_demo(services)
    assert not again.loaded and "already loaded" in again.summary
    assert str(again) == again.summary
    assert services.registry.recorder.max_notification_id() == last
    assert path.read_bytes() == before


def test_the_summary_and_the_log_name_no_supplier_link_volume_or_price(services, caplog):
    caplog.set_level(logging.DEBUG)
    result = load_demo(services)
    prices, volumes, notes = set(), set(), set()
    for ref, year in result.reports:
        content = services.registry.read_report(secretariat(), ref, year, purpose="test")
        for terms in content.terms:
            if terms.price_eur_per_unit is not None:
                prices.add(f"{terms.price_eur_per_unit:.2f}")
            if terms.volume is not None:
                volumes.update({f"{terms.volume} {terms.volume_unit}", f"{terms.volume}{terms.volume_unit}"})
            if terms.contract_notes:
                notes.add(terms.contract_notes)
    assert prices and volumes and notes
    text = result.summary + "\n" + "\n".join(record.getMessage() for record in caplog.records)
    # prices (two decimals) standing on their own, not inside a site id or the data directory's path
    bare = text.replace(str(services.settings.data_dir), "<data dir>")
    assert not prices & set(re.findall(r"(?<![\w.])\d+\.\d\d(?![\w.])", bare))
    assert not [volume for volume in volumes if volume in bare]
    assert not [note for note in notes if note in text]
    for ref in result.company_refs:  # no company named at all, so no company-site pair either
        assert ref not in result.summary
    assert result.rajasthan_buyers[0] not in text or result.rajasthan_quarry not in text
    assert "password" not in text.lower()
    with open(services.settings.data_dir / LOGINS_FILE) as logins:
        for entry in json.load(logins).values():
            assert entry["password"] not in text


def test_a_declaration_is_checked_when_recorded_and_stops_counting_once_revoked(registry):
    from registry.domain.errors import NotFoundError, ValidationError

    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.create_account("ngo.tester", Role.NGO, "arisa", "Tester", "not-a-real-hash", None)
    digest = hashlib.sha256(b"verklaring").hexdigest()
    signed, until = dt.date(2025, 3, 1), dt.date(2027, 3, 1)
    with pytest.raises(ValidationError, match="document_sha256"):
        registry.record_declaration("ngo.tester", "Verklaring", "1", "abc", signed, until)
    with pytest.raises(ValidationError, match="valid_until"):
        registry.record_declaration("ngo.tester", "Verklaring", "1", digest, signed, signed)
    with pytest.raises(NotFoundError):
        registry.record_declaration("nobody.here", "Verklaring", "1", digest, signed, until)
    assert not registry.valid_declaration("ngo.tester", dt.date(2026, 1, 1))

    declaration_id = registry.record_declaration("ngo.tester", "Verklaring", "1", digest.upper(), signed, until)
    assert not registry.valid_declaration("ngo.tester", dt.date(2025, 2, 28))
    assert registry.valid_declaration("ngo.tester", dt.date(2026, 1, 1))
    registry.revoke_declaration(declaration_id, dt.date(2026, 2, 1), "left the organisation")
    assert registry.valid_declaration("ngo.tester", dt.date(2026, 1, 31))
    assert not registry.valid_declaration("ngo.tester", dt.date(2026, 2, 1))
    assert registry.declarations("ngo.tester")[0].document_sha256 == digest


def test_the_demo_publishes_its_completed_years_quarry_region_list(services, demo):
    document = services.quarry_regions.require(2024)
    assert document["regions"] and document["k"] == services.settings.publish_k
    assert services.quarry_regions.years() == [2024]
    assert "quarry-region list 2024 published" in demo.summary


def test_the_demo_has_a_published_round_a_round_under_way_and_a_frozen_one(services, demo):
    """Issue 16: something to look at on every verification page (trustone/demo_verification.py)."""
    verification, today = services.verification, dt.date.today()
    staff = of_account(services, demo.logins["secretariat"])
    rounds = {round_.status.value: round_ for round_ in verification.rounds(staff)}
    assert len(verification.rounds(staff)) == 3 and sorted(rounds) == ["drawn", "frozen", "published"]

    # the completed year's round: every check done, its figures public (a country cell of >= 3 companies)
    published = rounds["published"]
    assert (published.year, published.sample_size, published.dimensions) == (2024, 8, ("country",))
    assert dict(published.by_status) == {"checked": 7, "maintained": 1}
    (figures,) = verification.public_statistics()
    assert (figures.year, figures.round_id) == (2024, published.id)
    assert (figures.total.sampled, figures.total.checked, figures.total.confirmed) == (8, 8, 6)
    assert (figures.total.not_confirmed, figures.total.unclear) == (1, 1)
    assert any(cell.sampled is not None for cell in figures.by_country)
    assert not [ref for ref in demo.company_refs if ref in str(figures)]

    # the latest year's round: drawn from an announced beacon, checks in every state
    drawn = rounds["drawn"]
    assert (drawn.year, drawn.sample_size, drawn.checks) == (2025, 10, 10)
    assert drawn.beacon_source.startswith("EuroJackpot-trekking van vrijdag ") and drawn.beacon_value
    assert drawn.opened_on < drawn.beacon_on <= drawn.drawn_on < today
    assert dict(drawn.by_status) == {"drawn": 2, "assigned": 4, "checked": 3, "correction_requested": 1}
    checks = verification.checks(staff, round_id=drawn.id)
    assert {check.party_ref for check in checks} == {None, "arisa", "fnv"}
    for role, party in (("ngo", "arisa"), ("union", "fnv")):
        own = verification.checks(of_account(services, demo.logins[role]), round_id=drawn.id)
        assert own and {check.party_ref for check in own} == {party}
        assert {check.status.value for check in own} >= {"assigned", "checked"}
    outcomes = sorted(check.findings.link for check in checks if check.findings)
    assert outcomes == ["confirmed", "confirmed", "not_confirmed", "unclear"]
    evidence = [verification.check(staff, check.id).findings for check in checks if check.findings]
    assert sorted(name for found in evidence for name in found.attachments) == ["terreinfoto.png", "vrachtbrieven.txt"]
    photo = next(
        check
        for check, found in zip([c for c in checks if c.findings], evidence)
        if found.attachments == ("terreinfoto.png",)
    )
    assert verification.attachment(staff, photo.id, 0).data.startswith(b"\x89PNG")

    # the correction request is the demo company's, whose login is in demo-logins.json
    (requested,) = [check for check in checks if check.status.value == "correction_requested"]
    assert requested.company_ref == demo.company_refs[0]
    company = of_account(services, demo.logins["company"])
    assert company.organisation_ref == demo.company_refs[0]
    mine = verification.checks(company, round_id=drawn.id)
    assert requested.id in {check.id for check in mine}

    # the latest year again: opened today, the beacon's day still to come (the draw form)
    frozen = rounds["frozen"]
    assert (frozen.year, frozen.sample_size, frozen.opened_on) == (2025, 12, today)
    assert frozen.beacon_on > today and frozen.beacon_value is None and frozen.checks == 0
