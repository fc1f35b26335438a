"""Data-access requests on the demo data (docs/access.md and docs/lifecycles.md, covenant art. 6 lid 4a).

A local partner gets exactly the part of the aggregated list its request covers, watermarked with
the request id; every step is decided by the policy and logged; illegal steps name the allowed
ones; the request expires with its clause or a year after approval; the partner's name is sealed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid

import pytest

from keys.access.accesslog import open_details
from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal
from registry.domain.access_requests import IllegalStepError
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.usecases.data_access import DataAccess, FirstRelease, LocalPartner

TODAY = dt.date(2026, 1, 12)
PARTNER = {"name": "Kishanpura Khan Mazdoor Sangathan", "contact": "+91 94140 77123"}
PURPOSE = "Monitoring child labour at sandstone quarries in Rajasthan with our partner."
CLAUSE = {
    "title": "TruStone geheimhoudingsclausule lokale partner",
    "version": "2025-2",
    "sha256": hashlib.sha256(b"clause 2025-2").hexdigest(),
    "signed_on": TODAY - dt.timedelta(days=10),
    "valid_until": TODAY + dt.timedelta(days=200),
}
SCOPE = {"country": "IN", "region": "Rajasthan", "stone_type": "sandstone"}


class Day:
    """The service's clock, moved by hand."""

    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


class World:
    def __init__(self, services, demo):
        self.svc = services
        self.reg = services.registry
        self.day = Day(TODAY)
        self.access = DataAccess(
            services.registry, services.filter, services.aggregated_list, services.projections.wait, clock=self.day
        )
        self.S, self.N, self.U, self.C, self.K, self.A, self.B = (
            self.demo_principal(demo.logins[role])
            for role in ("secretariat", "ngo", "union", "company", "committee", "auditor", "buyer")
        )
        self.other_ngo = Principal(
            "user.actionaid", self.N.role, self.reg.organisation_id("actionaid-nl"), "actionaid-nl"
        )

    def demo_principal(self, login: str) -> Principal:
        account = self.reg.account(login)
        return Principal(
            account.login, account.role, account.organisation_id, self.reg.repository.get(account.organisation_id).ref
        )

    def requested(self, by: Principal | None = None, **scope) -> str:
        return str(self.access.request(by or self.N, PARTNER, **{**SCOPE, **scope}, purpose=PURPOSE).id)

    def approved(self, by: Principal | None = None, clause: dict | None = None, **scope) -> str:
        access_id = self.requested(by, **scope)
        self.access.record_clause(by or self.N, access_id, **(clause or CLAUSE))
        assert self.access.decide(self.S, access_id, True, "scope fits the stated purpose").status == "approved"
        return access_id

    def people_entries(self, after: int) -> list:
        return [
            e for e in self.svc.access_log.entries(limit=100_000, after_seq=after) if not e.actor.startswith("system:")
        ]

    def last_seq(self) -> int:
        entries = self.svc.access_log.entries(limit=100_000)
        return entries[-1].seq if entries else 0

    def expected_rows(self, **scope) -> list[str]:
        self.svc.projections.catch_up()
        scope = {**SCOPE, **scope}
        _, sites = self.svc.aggregated_list.sites(None, scope["country"], scope["region"], scope["stone_type"], None)
        return [site.site_id for site in sites]


@pytest.fixture
def world(services, demo) -> World:
    return World(services, demo)


def read_csv(content: bytes) -> tuple[str, list[dict[str, str]]]:
    text = content.decode()
    first, rest = text.split("\n", 1)
    return first, list(csv.DictReader(io.StringIO(rest)))


# --- the lifecycle ------------------------------------------------------------------------------


def test_the_lifecycle_releases_exactly_the_scoped_rows_watermarked_with_the_request_id(world):
    access_id = world.requested()
    assert world.access.get(world.N, access_id).status == "requested"
    assert world.access.record_clause(world.N, access_id, **CLAUSE).status == "clause_signed"
    assert world.access.decide(world.S, access_id, True, "scope fits the stated purpose").status == "approved"

    media_type, content = world.access.release(world.N, access_id, "csv")
    assert media_type.startswith("text/csv")
    watermark, rows = read_csv(content)
    assert watermark == (
        f"# TruStone data-access release {access_id} for {PARTNER['name']} on {TODAY.isoformat()}:"
        " confidential, for the stated purpose only"
    )
    expected = world.expected_rows()
    assert expected and [row["site_id"] for row in rows] == expected
    assert len(expected) < len(world.expected_rows(region=None, stone_type=None))  # a part, not the whole country
    assert all(
        row["country"] == "IN" and row["province"] == "Rajasthan" and "sandstone" in row["stone_types"] for row in rows
    )
    assert list(rows[0]) == [
        "site_id",
        "kind",
        "name",
        "country",
        "province",
        "district",
        "latitude",
        "longitude",
        "stone_types",
    ]

    media_type, content = world.access.release(world.N, access_id, "json")
    body = json.loads(content)
    assert media_type == "application/json"
    assert body["release"] == access_id and access_id in body["watermark"]
    assert [site["site_id"] for site in body["sites"]] == expected

    seen = world.access.get(world.N, access_id)
    assert seen.status == "released" and seen.local_partner == LocalPartner(**PARTNER)
    assert seen.first_released == FirstRelease(on=TODAY, by=world.N.login)
    assert seen.expires_on == CLAUSE["valid_until"]


def test_only_the_first_download_is_recorded_as_an_event(world):
    access_id = world.approved()
    world.access.release(world.N, access_id)
    version = world.reg.repository.get(uuid.UUID(access_id)).version
    world.access.release(world.N, access_id)
    world.access.release(world.N, access_id, "json")
    assert world.reg.repository.get(uuid.UUID(access_id)).version == version


def test_each_kind_of_scope_releases_what_the_aggregated_list_shows_for_it(world):
    for scope in (
        {"region": None, "stone_type": None},
        {"country": "CN", "region": "Fujian", "stone_type": None},
        {"region": None, "stone_type": "granite"},
        {"region": "Kota", "stone_type": None},
    ):
        access_id = world.approved(**scope)
        _, content = world.access.release(world.N, access_id)
        expected = world.expected_rows(**scope)
        assert expected and [row["site_id"] for row in read_csv(content)[1]] == expected, scope


# --- illegal steps ------------------------------------------------------------------------------


def test_illegal_steps_are_conflicts_naming_the_allowed_steps(world):
    access_id = world.requested()
    with pytest.raises(IllegalStepError) as error:
        world.access.release(world.N, access_id)
    assert error.value.allowed == ["record_clause", "refuse"] and "allowed next: record_clause, refuse" in str(
        error.value
    )
    with pytest.raises(IllegalStepError) as error:
        world.access.decide(world.S, access_id, True, "looks fine")  # no clause yet
    assert error.value.allowed == ["record_clause", "refuse"]

    world.access.record_clause(world.N, access_id, **CLAUSE)
    world.access.decide(world.S, access_id, True, "looks fine")
    with pytest.raises(IllegalStepError) as error:
        world.access.decide(world.S, access_id, False, "changed my mind")
    assert error.value.allowed == ["release", "revoke"]
    with pytest.raises(IllegalStepError):
        world.access.record_clause(world.N, access_id, **CLAUSE)

    refused = world.requested()
    world.access.record_clause(world.N, refused, **CLAUSE)
    assert world.access.decide(world.S, refused, False, "the scope is wider than the purpose").status == "refused"
    for attempt in (
        lambda: world.access.record_clause(world.N, refused, **CLAUSE),
        lambda: world.access.release(world.N, refused),
        lambda: world.access.revoke(world.S, refused, "no"),
    ):
        with pytest.raises(IllegalStepError) as error:
            attempt()
        assert error.value.allowed == [] and "allowed next: none (the request is refused)" in str(error.value)


def test_the_secretariat_cannot_approve_on_a_clause_that_has_lapsed(world):
    access_id = world.requested()
    world.access.record_clause(world.N, access_id, **CLAUSE)
    world.day.day = CLAUSE["valid_until"]
    with pytest.raises(ConflictError, match="clause is not valid"):
        world.access.decide(world.S, access_id, True, "fine")


def test_an_unknown_request_is_not_found(world):
    with pytest.raises(NotFoundError):
        world.access.get(world.N, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError):
        world.access.get(world.N, "not-an-id")
    with pytest.raises(NotFoundError):  # an id of some other aggregate
        world.access.get(world.S, str(world.reg.organisation_id("arisa")))


# --- who may ------------------------------------------------------------------------------------


def test_another_party_cannot_read_record_or_download_someone_elses_request(world):
    access_id = world.requested()
    for outsider in (world.other_ngo, world.U):
        for attempt in (
            lambda: world.access.get(outsider, access_id),  # noqa: B023 - called within this iteration
            lambda: world.access.record_clause(outsider, access_id, **CLAUSE),  # noqa: B023 - called within this iteration
            lambda: world.access.release(outsider, access_id),  # noqa: B023 - called within this iteration
        ):
            before = world.last_seq()
            with pytest.raises(AccessDeniedError):
                attempt()
            [entry] = world.people_entries(before)
            assert (entry.actor, entry.action, str(entry.outcome)) == (outsider.login, "request_release", "denied")
        assert world.access.list_for(outsider) == []
    world.access.record_clause(world.N, access_id, **CLAUSE)
    world.access.decide(world.S, access_id, True, "fine")
    with pytest.raises(AccessDeniedError):
        world.access.release(world.other_ngo, access_id)
    assert [str(r.id) for r in world.access.list_for(world.N)] == [access_id]


def test_a_union_party_may_request_and_download_its_own_release(world):
    access_id = world.approved(by=world.U)
    _, content = world.access.release(world.U, access_id)
    assert access_id in content.decode().splitlines()[0]
    assert world.access.get(world.U, access_id).requester == "fnv"
    with pytest.raises(AccessDeniedError):
        world.access.release(world.N, access_id)


def test_the_secretariat_approves_refuses_and_revokes_and_sees_every_request(world):
    approved, refused = world.approved(), world.requested(by=world.U)
    assert world.access.decide(world.S, refused, False, "purpose too vague").status == "refused"
    assert world.access.get(world.S, refused).decision.reason == "purpose too vague"
    assert world.access.get(world.S, approved).local_partner == LocalPartner(**PARTNER)
    assert {str(r.id) for r in world.access.list_for(world.S)} == {approved, refused}
    assert not any(hasattr(r, "local_partner") for r in world.access.list_for(world.S))
    assert world.access.revoke(world.S, approved, "the partner left the project").status == "revoked"
    with pytest.raises(AccessDeniedError):  # the approver does not download
        world.access.release(world.S, approved)


def test_no_one_but_the_secretariat_decides_or_revokes(world):
    access_id = world.requested()
    world.access.record_clause(world.N, access_id, **CLAUSE)
    for who in (world.N, world.U, world.C, world.K, world.A, world.B):
        with pytest.raises(AccessDeniedError):
            world.access.decide(who, access_id, True, "fine")
        with pytest.raises(AccessDeniedError):
            world.access.revoke(who, access_id, "no")
    assert world.access.get(world.S, access_id).status == "clause_signed"


def test_companies_committee_auditor_and_buyers_are_denied_every_step(world):
    access_id = world.approved()
    for who in (world.C, world.K, world.A, world.B):
        for attempt in (
            lambda: world.access.request(who, PARTNER, **SCOPE, purpose=PURPOSE),  # noqa: B023 - called within this iteration
            lambda: world.access.list_for(who),  # noqa: B023 - called within this iteration
            lambda: world.access.get(who, access_id),  # noqa: B023 - called within this iteration
            lambda: world.access.record_clause(who, access_id, **CLAUSE),  # noqa: B023 - called within this iteration
            lambda: world.access.release(who, access_id),  # noqa: B023 - called within this iteration
        ):
            before = world.last_seq()
            with pytest.raises(AccessDeniedError):
                attempt()
            assert [(e.actor, str(e.outcome)) for e in world.people_entries(before)] == [(who.login, "denied")]


# --- expiry and revocation ----------------------------------------------------------------------


def test_a_release_expires_with_the_local_partners_clause(world):
    access_id = world.approved()
    world.day.day = CLAUSE["valid_until"] - dt.timedelta(days=1)
    world.access.release(world.N, access_id)
    world.day.day = CLAUSE["valid_until"]
    assert world.access.get(world.N, access_id).status == "expired"
    with pytest.raises(IllegalStepError) as error:
        world.access.release(world.N, access_id)
    assert error.value.allowed == []


def test_a_release_expires_a_year_after_approval_however_long_the_clause(world):
    long_clause = {**CLAUSE, "valid_until": TODAY + dt.timedelta(days=3 * 365)}
    access_id = world.approved(clause=long_clause)
    assert world.access.get(world.N, access_id).expires_on == TODAY + dt.timedelta(days=365)
    world.day.day = TODAY + dt.timedelta(days=364)
    world.access.release(world.N, access_id)
    world.day.day = TODAY + dt.timedelta(days=365)
    assert world.access.get(world.S, access_id).status == "expired"
    with pytest.raises(IllegalStepError):
        world.access.release(world.N, access_id)


def test_after_a_revocation_the_download_is_refused(world):
    access_id = world.approved()
    world.access.release(world.N, access_id)
    world.access.revoke(world.S, access_id, "the clause was breached")
    with pytest.raises(IllegalStepError, match="revoked"):
        world.access.release(world.N, access_id)
    assert world.access.get(world.N, access_id).revocation.reason == "the clause was breached"


# --- the access log -----------------------------------------------------------------------------


def test_every_download_is_one_access_log_entry_naming_the_release(world):
    access_id = world.approved()
    for fmt in ("csv", "json", "csv"):
        before = world.last_seq()
        world.access.release(world.N, access_id, fmt, request_id=f"req-{fmt}")
        [entry] = world.people_entries(before)
        assert (entry.actor, entry.action, str(entry.outcome), entry.request_id) == (
            world.N.login,
            "request_release",
            "granted",
            f"req-{fmt}",
        )
        details = open_details(world.svc.datakeys, entry)
        assert details["purpose"] == f"data access release {access_id}"
        assert details["subject_ref"] == access_id
    before = world.last_seq()
    with pytest.raises(AccessDeniedError):
        world.access.release(world.other_ngo, access_id)
    [denied] = world.people_entries(before)
    assert str(denied.outcome) == "denied"
    assert open_details(world.svc.datakeys, denied)["purpose"] == f"data access release {access_id}"


# --- confidentiality at rest ----------------------------------------------------------------------


def test_the_local_partner_is_not_in_plaintext_in_the_database(world, services):
    from tests.integration.test_database_dump import postgres_dump, sqlite_dump, sqlite_raw_text

    access_id = world.approved()
    world.access.release(world.N, access_id)
    services.catch_up()
    if services.settings.backend == "sqlite":
        text = "\n".join(sqlite_dump(services.settings)) + sqlite_raw_text(services.settings)
    else:
        text = "\n".join(postgres_dump(services))
    assert access_id in text  # the request is there, in clear where it may be
    assert PURPOSE in text
    assert PARTNER["name"] not in text and PARTNER["contact"] not in text
    assert world.access.get(world.N, access_id).local_partner == LocalPartner(**PARTNER)  # and it still opens


# --- input (no demo needed) ---------------------------------------------------------------------


@pytest.fixture
def bare(services) -> tuple[DataAccess, Principal, Principal]:
    """The service on an empty store, with an NGO and a secretariat principal (no accounts needed)."""
    from registry.domain.accounts import Role

    access = DataAccess(
        services.registry, services.filter, services.aggregated_list, services.projections.wait, clock=Day(TODAY)
    )
    return (
        access,
        Principal("ngo-test", Role.NGO, uuid.uuid4(), "arisa"),
        Principal("secretariat-test", Role.SECRETARIAT, uuid.uuid4(), "secretariaat"),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": ""}, "country"),
        ({"local_partner": {"name": " ", "contact": "+31 6"}}, "local_partner.name"),
        ({"local_partner": {"name": "Sangathan"}}, "local_partner.contact"),
        ({"region": "r" * 81}, "region"),
        ({"stone_type": "s" * 41}, "stone_type"),
        ({"purpose": "short"}, "purpose"),
    ],
)
def test_a_bad_request_names_the_field_and_logs_nothing(services, bare, change, field):
    access, ngo, _ = bare
    arguments = {"local_partner": PARTNER, **SCOPE, "purpose": PURPOSE, **change}
    with pytest.raises(ValidationError) as error:
        access.request(ngo, **arguments)
    assert error.value.field == field
    assert services.access_log.entries(actor=ngo.login) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sha256": "abc"}, "sha256"),
        ({"title": ""}, "title"),
        ({"version": "v" * 41}, "version"),
        ({"signed_on": TODAY + dt.timedelta(days=1)}, "signed_on"),
        ({"valid_until": CLAUSE["signed_on"]}, "valid_until"),
        ({"signed_on": "2026-01-01"}, "signed_on"),
    ],
)
def test_a_bad_clause_names_the_field(bare, change, field):
    access, ngo, _ = bare
    access_id = access.request(ngo, PARTNER, **SCOPE, purpose=PURPOSE).id
    with pytest.raises(ValidationError) as error:
        access.record_clause(ngo, access_id, **{**CLAUSE, **change})
    assert error.value.field == field


def test_a_decision_and_a_revocation_need_a_reason(bare):
    access, ngo, secretariat = bare
    access_id = access.request(ngo, PARTNER, **SCOPE, purpose=PURPOSE).id
    access.record_clause(ngo, access_id, **CLAUSE)
    for attempt in (
        lambda: access.decide(secretariat, access_id, True, "  "),
        lambda: access.revoke(secretariat, access_id, ""),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.field == "reason"
