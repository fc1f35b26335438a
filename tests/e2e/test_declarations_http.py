"""Signed confidentiality declarations over HTTP (docs/lifecycles.md, "Declarations").

The secretariat records an NGO party user's declaration with its signed document (multipart), lists,
reads, downloads and revokes; an NGO party reads its own organisation's. Rights tied to a
declaration end on the *next request* of a user who is already logged in: after a revocation, and
after the expiry date (the use case's clock moved by hand, tests/clock.py)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import client, tokens, world  # noqa: F401  (fixtures)

TODAY = dt.date.today()
PDF = b"%PDF-1.7\n% signed by R. Sharma, Arisa, on 2025-03-01\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def auth(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def record(client, tokens, **changes):
    form = {
        "login": "ngo.user",
        "document_title": "TruStone verklaring gekoppelde lijst",
        "document_version": "2025-2",
        "signed_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        "valid_until": (TODAY + dt.timedelta(days=400)).isoformat(),
    }
    content = changes.pop("content", PDF)
    form.update(changes)
    files = {"file": ("verklaring.pdf", content, "application/pdf")}
    return client.post("/api/v1/declarations", data=form, files=files, headers=auth(tokens, Role.SECRETARIAT))


def people(world, before: int) -> list[tuple[str, str, str]]:
    entries = world.access_log.entries(limit=100_000)[before:]
    return [(e.actor, e.action, str(e.outcome)) for e in entries if not e.actor.startswith("system:")]


def log_length(world) -> int:
    return len(world.access_log.entries(limit=100_000))


def declaration_ids(client, tokens) -> list[str]:
    response = client.get("/api/v1/declarations?organisation=arisa", headers=auth(tokens, Role.SECRETARIAT))
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


def test_a_declaration_is_recorded_with_its_document_and_the_document_comes_back_as_signed(client, tokens):
    response = record(client, tokens)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["login"] == "ngo.user"
    assert body["organisation"] == "arisa"
    assert body["document_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["document_media_type"] == "application/pdf"
    assert body["status"] == "valid"
    for role in (Role.SECRETARIAT, Role.NGO):
        download = client.get(f"/api/v1/declarations/{body['id']}/document", headers=auth(tokens, role))
        assert download.status_code == 200, download.text
        assert download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest()
        assert "attachment" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": b"just some text, not a signed document"}, "file"),
        ({"content": b""}, "file"),
        ({"content": b"%PDF-" + b"0" * (5 * 1024 * 1024)}, "file"),  # one byte over 5 MiB
        ({"valid_until": (TODAY - dt.timedelta(days=2)).isoformat()}, "valid_until"),  # = signed_on
        ({"valid_until": (TODAY + dt.timedelta(days=5 * 366)).isoformat()}, "valid_until"),  # > 5 years
        ({"signed_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "signed_on"),  # not signed yet
        ({"signed_on": "01-03-2025"}, "signed_on"),
        ({"login": "union.user"}, "login"),  # art. 6 lid 3: NGO parties only
        ({"login": "company.user"}, "login"),
        ({"document_title": "   "}, "document_title"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_recorded(client, world, tokens, changes, field):
    before_ids, before = declaration_ids(client, tokens), log_length(world)
    response = record(client, tokens, **changes)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert declaration_ids(client, tokens) == before_ids
    # a refusal for the input leaves no granted entry (only the list read just above)
    assert [entry for entry in people(world, before) if entry[1] == "manage_declarations"] == []


def test_a_png_is_kept_as_an_image(client, tokens):
    response = record(client, tokens, content=PNG)
    assert response.status_code == 201, response.text
    assert response.json()["document_media_type"] == "image/png"


def test_a_declaration_for_an_unknown_login_is_404(client, tokens):
    assert record(client, tokens, login="nobody.here").status_code == 404


def test_the_list_filters_by_organisation_validity_and_expiry_soonest_ending_first(client, world, tokens):
    later = record(client, tokens, valid_until=(TODAY + dt.timedelta(days=20)).isoformat()).json()
    soon = record(client, tokens, valid_until=(TODAY + dt.timedelta(days=10)).isoformat()).json()
    headers = auth(tokens, Role.SECRETARIAT)
    everything = client.get("/api/v1/declarations", headers=headers).json()
    assert [row["id"] for row in everything][:2] == [soon["id"], later["id"]]
    assert len(everything) == 3  # with the world's, valid for a year
    expiring = client.get("/api/v1/declarations?expiring_within_days=15", headers=headers).json()
    assert [row["id"] for row in expiring] == [soon["id"]]
    on_day_12 = (TODAY + dt.timedelta(days=12)).isoformat()
    valid_then = client.get(f"/api/v1/declarations?valid_on={on_day_12}", headers=headers).json()
    assert soon["id"] not in [row["id"] for row in valid_then]
    assert later["id"] in [row["id"] for row in valid_then]
    assert client.get("/api/v1/declarations?organisation=fnv", headers=headers).json() == []
    assert client.get("/api/v1/declarations?organisation=no-such-org", headers=headers).status_code == 404
    assert client.get("/api/v1/declarations?expiring_within_days=-1", headers=headers).status_code == 422


def test_an_ngo_party_reads_its_own_organisations_declarations_only(client, world, tokens):
    own = client.get("/api/v1/declarations?organisation=arisa", headers=auth(tokens, Role.NGO))
    assert own.status_code == 200
    assert {row["organisation"] for row in own.json()} == {"arisa"}
    before = log_length(world)
    everything = client.get("/api/v1/declarations", headers=auth(tokens, Role.NGO))
    assert everything.status_code == 403
    assert "not your organisation's declaration" in everything.json()["detail"]
    assert people(world, before) == [("ngo.user", "read_declarations", "denied")]


def test_a_revocation_is_refused_twice_and_for_a_bad_date(client, tokens):
    (declaration,) = declaration_ids(client, tokens)
    path, headers = f"/api/v1/declarations/{declaration}/revocation", auth(tokens, Role.SECRETARIAT)
    too_early = (TODAY - dt.timedelta(days=400)).isoformat()
    assert client.post(path, json={"on": too_early, "reason": "left"}, headers=headers).status_code == 422
    assert client.post(path, json={"on": TODAY.isoformat(), "reason": ""}, headers=headers).status_code == 422
    first = client.post(path, json={"on": TODAY.isoformat(), "reason": "left the NGO"}, headers=headers)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["revocation_reason"]) == ("revoked", "left the NGO")
    again = client.post(path, json={"on": TODAY.isoformat(), "reason": "left the NGO"}, headers=headers)
    assert again.status_code == 409


def test_an_unknown_declaration_is_404(client, tokens):
    missing = "/api/v1/declarations/00000000-0000-4000-8000-000000000000"
    assert client.get(missing, headers=auth(tokens, Role.SECRETARIAT)).status_code == 404
    assert client.get(missing + "/document", headers=auth(tokens, Role.SECRETARIAT)).status_code == 404


def test_a_declaration_recorded_without_its_document_has_nothing_to_download(client, tokens):
    (declaration,) = declaration_ids(client, tokens)  # the world's: recorded before documents were kept
    response = client.get(f"/api/v1/declarations/{declaration}/document", headers=auth(tokens, Role.SECRETARIAT))
    assert response.status_code == 404


def test_a_revocation_ends_the_linked_list_on_the_next_request_of_a_logged_in_ngo_user(client, world, tokens):
    ngo = auth(tokens, Role.NGO)
    assert client.get("/api/v1/linked-list", headers=ngo).status_code == 200
    (declaration,) = declaration_ids(client, tokens)
    revoked = client.post(
        f"/api/v1/declarations/{declaration}/revocation",
        json={"on": TODAY.isoformat(), "reason": "left the NGO"},
        headers=auth(tokens, Role.SECRETARIAT),
    )
    assert revoked.status_code == 200, revoked.text
    before = log_length(world)
    refused = client.get("/api/v1/linked-list", headers=ngo)  # the same token
    assert refused.status_code == 403
    assert "valid signed confidentiality declaration" in refused.json()["detail"]
    assert people(world, before) == [("ngo.user", "read_linked_list", "denied")]


def test_an_expiry_ends_the_linked_list_on_the_next_request_of_a_logged_in_ngo_user(client, world, tokens):
    clock = FakeClock(dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC))
    world.clock.set(clock)  # the services' one clock (trustone/bootstrap.py)
    ngo = auth(tokens, Role.NGO)
    assert client.get("/api/v1/linked-list", headers=ngo).status_code == 200
    clock.advance(days=364)  # the world's declaration is valid until today + 365 (exclusive)
    assert client.get("/api/v1/linked-list", headers=ngo).status_code == 200
    clock.advance(days=1)
    before = log_length(world)
    refused = client.get("/api/v1/linked-list", headers=ngo)  # the same token, still a live session
    assert refused.status_code == 403
    assert people(world, before) == [("ngo.user", "read_linked_list", "denied")]
    (row,) = client.get("/api/v1/declarations", headers=auth(tokens, Role.SECRETARIAT)).json()
    assert row["status"] == "expired"
