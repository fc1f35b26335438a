"""Declarations as use cases (registry/usecases/declarations.py), on both stores.

The secretariat records an NGO party user's signed declaration with its document; the document's
bytes are sealed under the organisation's data key (not in the database files in clear, gone after
shredding), its SHA-256 kept in clear. Every attempt, granted or denied, is one access-log entry. A
list across accounts reads the ``DeclarationIndex``, which a store of before gets started with the
declarations it already holds. The "waiting for me" summary's method lists those ending within 30
days, the one ending first first.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import os
import subprocess
import sys
import uuid

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role
from registry.domain.declarations import Declaration, DeclarationIndex, DeclarationRegister, IndexEntry
from registry.domain.errors import ConflictError, GoneError, NotFoundError, ValidationError
from registry.domain.organisations import OrganisationKind
from tests.integration.test_database_dump import postgres_dump, sqlite_dump, sqlite_raw_text

TODAY = dt.date(2025, 6, 2)
# A document with words that must never be found in a database file: the signer's name and address.
SIGNER_WORDS = "Signed by Meera Krishnaswamy, 14 Lotus Lane, Jaipur"
PDF = b"%PDF-1.4\n% " + SIGNER_WORDS.encode() + b"\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def person(services, login: str) -> Principal:
    account = services.registry.account(login)
    organisation = services.registry.repository.get(account.organisation_id)
    return Principal(account.login, account.role, account.organisation_id, organisation.ref)


@pytest.fixture
def world(services):
    registry = services.registry
    for ref, kind in (
        ("secretariaat", OrganisationKind.SECRETARIAT),
        ("arisa", OrganisationKind.NGO_PARTY),
        ("actionaid", OrganisationKind.NGO_PARTY),
        ("fnv", OrganisationKind.UNION_PARTY),
    ):
        registry.register_organisation(ref, ref.title(), kind, "NL")
    for login, role, ref in (
        ("secretariat.user", Role.SECRETARIAT, "secretariaat"),
        ("ngo.arisa", Role.NGO, "arisa"),
        ("ngo.arisa2", Role.NGO, "arisa"),
        ("ngo.actionaid", Role.NGO, "actionaid"),
        ("union.fnv", Role.UNION, "fnv"),
    ):
        registry.create_account(login, role, ref, login, "not-used-here", None)
    services.declarations.clock = lambda: TODAY
    return services


def record(world, login="ngo.arisa", until=TODAY + dt.timedelta(days=365), document=PDF, by=None, **kwargs):
    return world.declarations.record(
        by or person(world, "secretariat.user"),
        login,
        kwargs.get("title", "TruStone verklaring gekoppelde lijst"),
        kwargs.get("version", "2025-1"),
        kwargs.get("signed_on", TODAY - dt.timedelta(days=1)),
        until,
        document,
        request_id=kwargs.get("request_id", ""),
    )


def entries_since(world, before: int) -> list[tuple[str, str, str]]:
    return [
        (e.actor, e.action, str(e.outcome))
        for e in world.access_log.entries(limit=100_000)[before:]
        if not e.actor.startswith("system:projection")
    ]


def log_length(world) -> int:
    return len(world.access_log.entries(limit=100_000))


# --- recording ----------------------------------------------------------------------------------


def test_a_recorded_declaration_keeps_the_documents_digest_in_clear_and_its_bytes_sealed(world):
    view = record(world)
    assert view.document_sha256 == hashlib.sha256(PDF).hexdigest()
    assert (view.login, view.organisation, view.status) == ("ngo.arisa", "arisa", "valid")
    assert view.document_media_type == "application/pdf"
    document = world.registry.declaration_document(view.id)
    assert not isinstance(document.content, (str, bytes))  # sealed, opened by the filter only
    opened = world.declarations.document(person(world, "ngo.arisa"), view.id)
    assert opened.content == PDF
    assert opened.sha256 == hashlib.sha256(PDF).hexdigest()


def test_the_documents_bytes_are_not_in_the_database_files_in_clear(world):
    record(world)
    encoded = base64.b64encode(PDF).decode()
    if world.settings.backend == "sqlite":
        texts = ["\n".join(sqlite_dump(world.settings)), sqlite_raw_text(world.settings)]
    else:
        texts = ["\n".join(postgres_dump(world))]
    for text in texts:
        assert SIGNER_WORDS not in text
        assert encoded[:200] not in text
    assert hashlib.sha256(PDF).hexdigest() in texts[0]  # the digest is kept in clear, on purpose


def test_shredding_the_organisations_keys_makes_the_document_gone_and_keeps_the_record(world):
    view = record(world)
    world.datakeys.shred(world.registry.organisation("arisa").id)
    with pytest.raises(GoneError):
        world.declarations.document(person(world, "secretariat.user"), view.id)
    assert world.declarations.get(person(world, "secretariat.user"), view.id).document_sha256 == view.document_sha256


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document": b"GIF89a not a declaration"}, "file"),
        ({"document": b""}, "file"),
        ({"document": b"%PDF-" + b"x" * (5 * 1024 * 1024)}, "file"),
        ({"until": TODAY - dt.timedelta(days=1)}, "valid_until"),
        ({"until": dt.date(2030, 6, 2)}, "valid_until"),  # signed 2025-06-01: five years is 2030-06-01
        ({"signed_on": TODAY + dt.timedelta(days=1)}, "signed_on"),
        ({"login": "union.fnv"}, "login"),
        ({"login": "secretariat.user"}, "login"),
        ({"version": ""}, "document_version"),
    ],
)
def test_bad_input_is_refused_naming_the_field_with_no_granted_entry_and_nothing_saved(world, changes, field):
    before = log_length(world)
    with pytest.raises(ValidationError) as refused:
        record(world, **changes)
    assert refused.value.field == field
    assert entries_since(world, before) == []
    assert world.registry.declaration_index().entries == {}


def test_five_years_is_the_longest_a_declaration_runs(world):
    assert record(world, until=dt.date(2030, 6, 1)).valid_until == dt.date(2030, 6, 1)


def test_an_unknown_login_is_not_found(world):
    with pytest.raises(NotFoundError):
        record(world, login="nobody.here")


def test_only_the_secretariat_records_and_each_attempt_is_one_entry(world):
    for login in ("ngo.arisa", "union.fnv"):
        before = log_length(world)
        with pytest.raises(AccessDeniedError):
            record(world, by=person(world, login))
        assert entries_since(world, before) == [(login, "manage_declarations", "denied")]
    before = log_length(world)
    record(world, request_id="r-1")
    assert entries_since(world, before) == [("secretariat.user", "manage_declarations", "granted")]
    assert world.access_log.entries(limit=100_000)[-1].request_id == "r-1"


def test_the_command_line_principal_records_and_reads(world):
    cli = SystemPrincipal("secretariat-cli:" + getpass.getuser())
    view = record(world, by=cli)
    assert world.declarations.get(cli, view.id).id == view.id


# --- reading ------------------------------------------------------------------------------------


def test_an_ngo_party_reads_its_own_organisations_declarations_and_not_anothers(world):
    own, other = record(world), record(world, login="ngo.actionaid")
    reader = person(world, "ngo.arisa2")  # a colleague: the same organisation
    assert world.declarations.get(reader, own.id).id == own.id
    assert world.declarations.document(reader, own.id).content == PDF
    assert [view.id for view in world.declarations.search(reader, organisation="arisa")] == [own.id]
    for attempt in (
        lambda: world.declarations.get(reader, other.id),
        lambda: world.declarations.document(reader, other.id),
        lambda: world.declarations.search(reader, organisation="actionaid"),
        lambda: world.declarations.search(reader),
        lambda: world.declarations.expiring(reader),
    ):
        before = log_length(world)
        with pytest.raises(AccessDeniedError):
            attempt()
        assert entries_since(world, before) == [("ngo.arisa2", "read_declarations", "denied")]
    union = person(world, "union.fnv")
    with pytest.raises(AccessDeniedError):
        world.declarations.search(union, organisation="fnv")


def test_a_look_up_or_download_of_an_unknown_declaration_is_not_found_and_not_logged(world):
    before = log_length(world)
    for reference in (uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(NotFoundError):
            world.declarations.get(person(world, "secretariat.user"), reference)
    assert entries_since(world, before) == []


def test_the_list_filters_and_orders_soonest_ending_first(world):
    a = record(world, until=TODAY + dt.timedelta(days=200))
    b = record(world, login="ngo.actionaid", until=TODAY + dt.timedelta(days=20))
    c = record(world, login="ngo.arisa2", until=TODAY + dt.timedelta(days=40))
    secretariat = person(world, "secretariat.user")
    assert [v.id for v in world.declarations.search(secretariat)] == [b.id, c.id, a.id]
    assert [v.id for v in world.declarations.search(secretariat, organisation="arisa")] == [c.id, a.id]
    assert [v.id for v in world.declarations.search(secretariat, expiring_within_days=30)] == [b.id]
    later = TODAY + dt.timedelta(days=30)
    assert [v.id for v in world.declarations.search(secretariat, valid_on=later)] == [c.id, a.id]
    with pytest.raises(NotFoundError):
        world.declarations.search(secretariat, organisation="nobody-here")
    with pytest.raises(ValidationError, match="organisation"):
        world.declarations.search(secretariat, organisation="Not A Ref!")


# --- revocation and expiry ----------------------------------------------------------------------


def test_a_revoked_or_expired_declaration_grants_nothing(world):
    view = record(world, until=TODAY + dt.timedelta(days=10))
    assert world.registry.valid_declaration("ngo.arisa", TODAY + dt.timedelta(days=9))
    assert not world.registry.valid_declaration(
        "ngo.arisa", TODAY + dt.timedelta(days=10)
    )  # the first day it does not count
    world.declarations.clock = lambda: TODAY + dt.timedelta(days=10)
    assert world.declarations.get(person(world, "secretariat.user"), view.id).status == "expired"
    world.declarations.clock = lambda: TODAY
    revoked = world.declarations.revoke(person(world, "secretariat.user"), view.id, TODAY, "left the organisation")
    assert (revoked.status, revoked.revoked_on, revoked.revocation_reason) == (
        "revoked",
        TODAY,
        "left the organisation",
    )
    assert not world.registry.valid_declaration("ngo.arisa", TODAY)
    assert world.declarations.search(person(world, "secretariat.user"), valid_on=TODAY) == []


def test_a_revocation_is_checked_before_its_grant_is_logged(world):
    view = record(world)
    secretariat = person(world, "secretariat.user")
    before = log_length(world)
    with pytest.raises(ValidationError, match="on"):
        world.declarations.revoke(secretariat, view.id, TODAY - dt.timedelta(days=30), "too early")
    with pytest.raises(ValidationError, match="reason"):
        world.declarations.revoke(secretariat, view.id, TODAY, "   ")
    with pytest.raises(AccessDeniedError):
        world.declarations.revoke(person(world, "ngo.arisa"), view.id, TODAY, "by myself")
    assert entries_since(world, before) == [("ngo.arisa", "manage_declarations", "denied")]
    world.declarations.revoke(secretariat, view.id, TODAY, "left")
    with pytest.raises(ConflictError):
        world.declarations.revoke(secretariat, view.id, TODAY, "left again")


# --- the "waiting for me" summary ---------------------------------------------------------------


def test_declarations_expiring_within_30_days_come_ending_first_as_plain_values(world):
    late = record(world, until=TODAY + dt.timedelta(days=30))
    soon = record(world, login="ngo.actionaid", until=TODAY + dt.timedelta(days=3))
    record(world, login="ngo.arisa2", until=TODAY + dt.timedelta(days=31))  # just outside
    gone = record(world, until=TODAY + dt.timedelta(days=5))
    world.declarations.revoke(person(world, "secretariat.user"), gone.id, TODAY, "left")
    before = log_length(world)
    expiring = world.declarations.expiring(person(world, "secretariat.user"), TODAY)
    assert [(e.id, e.login, e.organisation, e.days_left) for e in expiring] == [
        (soon.id, "ngo.actionaid", "actionaid", 3),
        (late.id, "ngo.arisa", "arisa", 30),
    ]
    assert entries_since(world, before) == [("secretariat.user", "read_declarations", "granted")]
    own = world.declarations.expiring(person(world, "ngo.arisa"), TODAY, organisation="arisa")
    assert [e.id for e in own] == [late.id]


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    ends=st.lists(st.integers(min_value=1, max_value=90), min_size=1, max_size=6),
    revoked=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_the_index_answers_as_the_declarations_themselves_would(ends, revoked):
    """Whatever was recorded and revoked, the index's "expiring within 30 days" is exactly the
    declarations valid today that end within 30 days, soonest first."""
    index = DeclarationIndex(entries=[])
    truths = []
    for n, days in enumerate(ends):
        declaration = Declaration.sign(
            uuid.uuid4(),
            uuid.uuid4(),
            "T",
            "1",
            "a" * 64,
            TODAY - dt.timedelta(days=1),
            TODAY + dt.timedelta(days=days),
            signer_role=Role.NGO,
        )
        index.add(
            IndexEntry(
                declaration.id,
                f"user{n}",
                declaration.organisation_id,
                "org",
                declaration.signed_on,
                declaration.valid_until,
            )
        )
        if revoked[n]:
            declaration.revoke(TODAY, "left", today=TODAY)
            index.revoke(declaration_id=declaration.id, on=TODAY)
        truths.append(declaration)
    expected = sorted(
        (d for d in truths if d.is_valid_on(TODAY) and d.valid_until <= TODAY + dt.timedelta(days=30)),
        key=lambda d: d.valid_until,
    )
    chosen = index.select(valid_on=TODAY, expiring_by=TODAY + dt.timedelta(days=30))
    assert [e.valid_until for e in chosen] == [d.valid_until for d in expected]
    assert {e.declaration_id for e in chosen} == {d.id for d in expected}


# --- a store of before --------------------------------------------------------------------------


def test_a_store_of_before_gets_its_declarations_into_the_index_and_the_per_account_register_stays(world):
    """Declarations saved as the registry did before the index (declaration and register only)."""
    registry = world.registry
    account = registry.account("ngo.arisa")
    old = Declaration.sign(
        account.id,
        account.organisation_id,
        "Oude verklaring",
        "2024-1",
        "b" * 64,
        dt.date(2024, 3, 1),
        dt.date(2026, 3, 1),
        signer_role=Role.NGO,
    )
    register = DeclarationRegister(account_id=account.id)
    register.add(declaration_id=old.id)
    registry.save(old, register)
    assert registry.valid_declaration("ngo.arisa", TODAY)  # the per-account register, as before
    views = world.declarations.search(person(world, "secretariat.user"))
    assert [(v.id, v.login, v.organisation, v.document_media_type) for v in views] == [
        (old.id, "ngo.arisa", "arisa", None)
    ]
    with pytest.raises(NotFoundError, match="no document"):
        world.declarations.document(person(world, "secretariat.user"), old.id)
    new = record(world, login="ngo.actionaid")
    assert {v.id for v in world.declarations.search(person(world, "secretariat.user"))} == {old.id, new.id}


# --- the command line ---------------------------------------------------------------------------


def run(settings, *args):
    env = {**os.environ, "TRUSTONE_DATA_DIR": str(settings.data_dir)}
    env.pop("TRUSTONE_DATABASE_URL", None)
    if settings.database_url:
        env["TRUSTONE_DATABASE_URL"] = settings.database_url
    return subprocess.run(  # noqa: PLW1510 - the tests read the return code
        [sys.executable, "-m", "trustone.cli", "declarations", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_records_lists_shows_and_revokes_as_the_operator(world, tmp_path):
    path = tmp_path / "verklaring.pdf"
    path.write_bytes(PDF)
    today = dt.date.today()
    signed, until = (today - dt.timedelta(days=1)).isoformat(), (today + dt.timedelta(days=90)).isoformat()
    recorded = run(
        world.settings, "record", str(path), "--login", "ngo.arisa", "--title", "Verklaring", "--version", "2025-1",
        "--signed-on", signed, "--valid-until", until,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    assert hashlib.sha256(PDF).hexdigest() in recorded.stdout
    declaration_id = recorded.stdout.split()[2]
    listed = run(world.settings, "list", "--organisation", "arisa")
    assert listed.returncode == 0 and declaration_id in listed.stdout and "valid" in listed.stdout
    out = tmp_path / "copy.pdf"
    shown = run(world.settings, "show", declaration_id, "--document-to", str(out))
    assert shown.returncode == 0, shown.stderr
    assert out.read_bytes() == PDF
    revoked = run(world.settings, "revoke", declaration_id, "--reason", "left the organisation")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked today" in revoked.stdout
    again = run(world.settings, "revoke", declaration_id, "--reason", "again")
    assert again.returncode == 1 and "revoked already" in again.stderr
    bad = run(
        world.settings, "record", str(path), "--login", "union.fnv", "--title", "V", "--version", "1",
        "--signed-on", signed, "--valid-until", until,
    )  # fmt: skip
    assert bad.returncode == 1 and "NGO party" in bad.stderr
    operator = f"system:secretariat-cli:{getpass.getuser()}"
    actions = [
        (e.actor, e.action, str(e.outcome)) for e in world.access_log.entries(limit=100_000) if e.actor == operator
    ]
    assert actions == [
        (operator, "manage_declarations", "granted"),
        (operator, "read_declarations", "granted"),
        (operator, "read_declarations", "granted"),  # show
        (operator, "read_declarations", "granted"),  # its document
        (operator, "manage_declarations", "granted"),
    ]
