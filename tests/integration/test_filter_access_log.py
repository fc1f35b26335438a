"""What the filter writes in the access log, and what it releases, on both stores.

The expected entries are written out: who (actor, role, organisation) for a person, a system
principal and an anonymous visitor; granted and denied; and what an auditor reads of an entry whose
sealed details cannot be opened.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import replace

import pytest

from keys.access.filter import UNREADABLE, AccessDeniedError, Audit, IntegrityError
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.encryption.envelope import seal
from keys.encryption.sealing import SealedField
from registry.domain.accounts import Role

NGO = Principal(login="ngo-user-1", role=Role.NGO, organisation_id=uuid.uuid4(), organisation_ref="arisa")
AUDITOR = Principal(login="auditor-1", role=Role.AUDITOR, organisation_id=uuid.uuid4(), organisation_ref="audit-bv")
PROJECTION = SystemPrincipal("projection:linked-list")
AUDIT = Audit(
    subject_kind="linked_list", subject_ref="IN-RJ-SITE1", company="stenen-bv", purpose="case 7", request_id="req-1"
)


def last_entry(services):
    return services.access_log.entries(limit=10_000)[-1]


def clear_columns(stored) -> dict:
    return {
        "actor": stored.actor,
        "role": stored.role,
        "organisation": stored.organisation,
        "action": stored.action,
        "company": stored.company,
        "outcome": stored.outcome,
        "request_id": stored.request_id,
    }


@pytest.mark.parametrize(
    ("who", "action", "facts", "expected"),
    [
        (
            NGO,
            Action.READ_LINKED_LIST,
            Facts(valid_declaration=True),
            {"actor": "ngo-user-1", "role": "ngo", "organisation": "arisa", "outcome": "granted"},
        ),
        (
            PROJECTION,
            Action.READ_LINKED_LIST,
            Facts(),
            {"actor": "system:projection:linked-list", "role": "system", "organisation": "", "outcome": "granted"},
        ),
        (
            None,
            Action.READ_PUBLIC,
            Facts(),
            {"actor": "anonymous", "role": "anonymous", "organisation": "", "outcome": "granted"},
        ),
    ],
    ids=["person", "system", "anonymous"],
)
def test_a_granted_request_is_logged_with_who_asked(services, who, action, facts, expected):
    services.filter.authorise(who, action, facts, AUDIT)
    assert clear_columns(last_entry(services)) == {
        **expected,
        "action": action.value,
        "company": "stenen-bv",
        "request_id": "req-1",
    }


@pytest.mark.parametrize(
    ("who", "action", "expected", "anonymous"),
    [
        (NGO, Action.READ_LINKED_LIST, {"actor": "ngo-user-1", "role": "ngo", "organisation": "arisa"}, False),
        (
            PROJECTION,
            Action.NOTIFY_COMPANIES,
            {"actor": "system:projection:linked-list", "role": "system", "organisation": ""},
            False,
        ),
        (None, Action.READ_LINKED_LIST, {"actor": "anonymous", "role": "anonymous", "organisation": ""}, True),
    ],
    ids=["person", "system", "anonymous"],
)
def test_a_denied_request_is_logged_and_refused(services, who, action, expected, anonymous):
    with pytest.raises(AccessDeniedError) as refused:
        services.filter.authorise(who, action, Facts(), AUDIT)
    assert refused.value.anonymous is anonymous and not refused.value.decision.allowed
    assert clear_columns(last_entry(services)) == {
        **expected,
        "action": action.value,
        "company": "stenen-bv",
        "request_id": "req-1",
        "outcome": "denied",
    }


def test_a_request_without_an_id_gets_a_fresh_one(services):
    services.filter.authorise(NGO, Action.READ_PUBLIC, Facts(), Audit(subject_kind="public"))
    services.filter.authorise(NGO, Action.READ_PUBLIC, Facts(), Audit(subject_kind="public"))
    first, second = services.access_log.entries(limit=10_000)[-2:]
    assert len(first.request_id) == 32 and int(first.request_id, 16) >= 0
    assert first.request_id != second.request_id


def _sealed(services, owner: uuid.UUID, value, context: str) -> SealedField:
    ref, key = services.datakeys.current_key(owner)
    return SealedField(seal(key, ref, json.dumps(value).encode(), context), context)


def test_open_releases_sealed_values_after_logging_and_shredded_ones_as_unreadable(services):
    kept, shredded = uuid.uuid4(), uuid.uuid4()
    fields = {
        "links": _sealed(services, kept, ["IN-RJ-SITE1"], "registry/a/1/links"),
        "terms": _sealed(services, shredded, {"price": 10}, "registry/b/1/terms"),
        "year": 2024,
    }
    services.datakeys.shred(shredded)
    opened = services.filter.open(PROJECTION, Action.READ_REPORT, Facts(), fields, AUDIT)
    assert opened == {"links": ["IN-RJ-SITE1"], "terms": UNREADABLE, "year": 2024}
    assert repr(UNREADABLE) == "UNREADABLE"
    assert last_entry(services).action == "read_report" and last_entry(services).outcome == "granted"


def test_open_many_logs_one_entry_per_company_in_the_result_only(services):
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    items = [
        ("company-b", _sealed(services, b, ["S1"], "x/b")),
        ("company-a", _sealed(services, a, ["S1", "S2"], "x/a")),
        ("company-c", _sealed(services, c, ["S3"], "x/c")),
        ("company-gone", _sealed(services, c, ["S1"], "x/z")),
    ]
    services.datakeys.shred(c)  # company-gone's and company-c's data: skipped, not an error
    before = len(services.access_log.entries(limit=10_000))
    found = services.filter.open_many(
        NGO,
        Action.READ_LINKED_LIST,
        Facts(valid_declaration=True),
        AUDIT,
        items,
        lambda company, sites: [(company, s) for s in sites if s == "S1"],
    )
    assert found == [("company-b", "S1"), ("company-a", "S1")]
    new = services.access_log.entries(limit=10_000)[before:]
    assert [(e.company, e.outcome, e.actor) for e in new] == [
        ("company-a", "granted", "ngo-user-1"),
        ("company-b", "granted", "ngo-user-1"),
    ]


def test_open_many_with_an_empty_result_logs_one_entry_about_no_company(services):
    before = len(services.access_log.entries(limit=10_000))
    assert (
        services.filter.open_many(
            NGO, Action.READ_LINKED_LIST, Facts(valid_declaration=True), AUDIT, [], lambda company, value: [value]
        )
        == []
    )
    new = services.access_log.entries(limit=10_000)[before:]
    assert [(e.company, e.outcome) for e in new] == [(None, "granted")]


def test_open_many_refused_logs_the_denial_once_and_opens_nothing(services):
    opened = []
    before = len(services.access_log.entries(limit=10_000))
    with pytest.raises(AccessDeniedError):
        services.filter.open_many(
            NGO,
            Action.READ_LINKED_LIST,
            Facts(),
            AUDIT,
            [("company-a", _sealed(services, uuid.uuid4(), ["S1"], "x/a"))],
            lambda company, value: opened.append(company) or [value],
        )
    new = services.access_log.entries(limit=10_000)[before:]
    assert [(e.company, e.outcome) for e in new] == [("stenen-bv", "denied")] and opened == []


def test_an_auditor_reads_entries_with_their_details_and_an_unreadable_one_marked(services):
    services.filter.authorise(NGO, Action.READ_LINKED_LIST, Facts(valid_declaration=True), AUDIT)
    services.filter.authorise(
        PROJECTION,
        Action.READ_REPORT,
        Facts(),
        Audit(subject_kind="report", subject_ref="r-2", company="graniet-nv", purpose="rebuild", request_id="req-2"),
    )
    first, second = services.access_log.rows(limit=10_000)[-2:]
    moved = replace(second, details=first.details)  # a sealed detail moved to another row does not open
    out = services.filter.read_access_log(
        AUDITOR, Facts(), Audit(subject_kind="access_log", request_id="req-3"), [first, moved]
    )
    assert out[0]["at"] == services.access_log.entries(limit=1, after_seq=first.seq - 1)[0].at
    assert out == [
        {
            "seq": first.seq,
            "at": out[0]["at"],
            "actor": "ngo-user-1",
            "role": "ngo",
            "organisation": "arisa",
            "action": "read_linked_list",
            "company": "stenen-bv",
            "outcome": "granted",
            "request_id": "req-1",
            "subject_kind": "linked_list",
            "subject_ref": "IN-RJ-SITE1",
            "purpose": "case 7",
        },
        {
            "seq": second.seq,
            "at": None,
            "actor": "system:projection:linked-list",
            "role": "system",
            "organisation": "",
            "action": None,
            "company": None,
            "outcome": "granted",
            "request_id": None,
            "subject_kind": None,
            "subject_ref": None,
            "purpose": None,
            "unreadable": True,
        },
    ]
    # the auditor's own read is logged first
    own = last_entry(services)
    assert (own.actor, own.role, own.action, own.request_id) == ("auditor-1", "auditor", "read_access_log", "req-3")


def test_an_audit_without_subject_ref_or_purpose_logs_them_empty(services):
    services.filter.authorise(NGO, Action.READ_PUBLIC, Facts(), Audit(subject_kind="public", request_id="req-9"))
    entry = services.access_log.rows(limit=10_000)[-1]
    out = services.filter.read_access_log(AUDITOR, Facts(), Audit(subject_kind="access_log"), [entry])
    assert (out[0]["subject_kind"], out[0]["subject_ref"], out[0]["purpose"], out[0]["company"]) == (
        "public",
        "",
        "",
        None,
    )


def test_an_audit_cannot_be_changed_on_its_way_through():
    with pytest.raises(dataclasses.FrozenInstanceError):
        AUDIT.company = "another-company"


@pytest.mark.parametrize(
    ("who", "action", "text"),
    [
        (
            NGO,
            Action.READ_LINKED_LIST,
            "an NGO party needs a valid signed confidentiality declaration to read the linked list",
        ),
        (
            Principal(login="b", role=Role.BUYER, organisation_id=uuid.uuid4(), organisation_ref="gemeente"),
            Action.READ_LINKED_LIST,
            "not allowed for your role",
        ),
        (None, Action.READ_LINKED_LIST, "login required"),
    ],
    ids=["missing-condition", "role-not-in-row", "anonymous"],
)
def test_the_refusal_says_what_is_missing_or_that_the_role_may_not(services, who, action, text):
    with pytest.raises(AccessDeniedError) as refused:
        services.filter.authorise(who, action, Facts(), AUDIT)
    assert str(refused.value) == text


# --- integrity failures (docs/confidentiality.md, threat model: a writer to the database) -------


def _flipped(sealed: SealedField) -> SealedField:
    blob = bytearray(sealed.blob)
    blob[-1] ^= 0x01
    return replace(sealed, blob=bytes(blob))


def test_a_value_that_does_not_open_is_refused_logged_and_recorded_as_an_integrity_failure(services, caplog):
    owner = uuid.uuid4()
    broken = _flipped(_sealed(services, owner, ["IN-RJ-SITE1"], "registry/r-1/3/links"))
    with caplog.at_level("ERROR", logger="trustone.filter"), pytest.raises(IntegrityError) as refused:
        services.filter.open(NGO, Action.READ_LINKED_LIST, Facts(valid_declaration=True), {"links": broken}, AUDIT)
    assert refused.value.where == "registry/r-1/3/links"
    assert "IN-RJ-SITE1" not in str(refused.value)
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        (
            "trustone.filter",
            (
                "integrity failure: read_linked_list refused: sealed field 'links' of registry does not "
                "open although its key was not shredded; run `trustone verify`"
            ),
        )
    ]
    granted, failure = services.access_log.entries(limit=10_000)[-2:]
    assert clear_columns(granted) == {
        "actor": "ngo-user-1",
        "role": "ngo",
        "organisation": "arisa",
        "action": "read_linked_list",
        "company": "stenen-bv",
        "outcome": "granted",
        "request_id": "req-1",
    }
    assert clear_columns(failure) == {**clear_columns(granted), "outcome": "integrity_failure"}
    assert (failure.subject_kind, failure.subject_ref, failure.purpose) == (
        "linked_list",
        "registry/r-1/3/links",
        "case 7",
    )


def test_an_integrity_failure_of_a_system_reader_without_a_request_id_gets_a_fresh_one(services):
    broken = _flipped(_sealed(services, uuid.uuid4(), ["S1"], "registry/r-2/1/terms"))
    with pytest.raises(IntegrityError):
        services.filter.open(
            PROJECTION,
            Action.READ_REPORT,
            Facts(),
            {"terms": broken},
            Audit(subject_kind="report", company="graniet-nv"),
        )
    failure = last_entry(services)
    assert (failure.actor, failure.role, failure.organisation, failure.company, str(failure.outcome)) == (
        "system:projection:linked-list",
        "system",
        "",
        "graniet-nv",
        "integrity_failure",
    )
    assert len(failure.request_id) == 32 and int(failure.request_id, 16) >= 0


def test_a_search_over_a_broken_value_is_refused_whole_naming_no_company(services):
    good = _sealed(services, uuid.uuid4(), ["S1"], "x/a")
    broken = _flipped(_sealed(services, uuid.uuid4(), ["S1"], "x/b"))
    with pytest.raises(IntegrityError):
        services.filter.open_many(
            NGO,
            Action.READ_LINKED_LIST,
            Facts(valid_declaration=True),
            AUDIT,
            [("company-a", good), ("company-b", broken)],
            lambda company, value: [value],
        )
    failure = last_entry(services)
    assert (failure.company, str(failure.outcome), failure.subject_ref) == (None, "integrity_failure", "x/b")


def test_check_sealed_tells_ok_shredded_and_broken_apart_and_logs_nothing(services):
    kept, gone = uuid.uuid4(), uuid.uuid4()
    good = _sealed(services, kept, ["S1"], "x/a")
    shredded = _sealed(services, gone, ["S2"], "x/b")
    services.datakeys.shred(gone)
    before = len(services.access_log.entries(limit=10_000))
    assert [services.filter.check_sealed(value) for value in (good, shredded, _flipped(good))] == [
        "ok",
        "shredded",
        "broken",
    ]
    assert len(services.access_log.entries(limit=10_000)) == before
