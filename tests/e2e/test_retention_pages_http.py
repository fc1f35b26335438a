"""The retention pages over HTTP (issue 16; docs/retention.md): the secretariat's page (the schedule,
what expires with an extend form each, the erasures, the last run, running the job now) and the
auditor's read-only page. Each role: 200 where the policy allows (read: secretariat and auditor;
manage: the secretariat), a 403 page elsewhere, anonymous sent to the login page. A form: 422 naming
the field and keeping what was typed, else 303 (post/redirect/get).

The world is the access-matrix walk's (tests/e2e/matrix.py), with one case closed on 3 March 2025:
its period is 730 days, so it expires on 3 March 2027 and enters the 30-day window on 1 February 2027."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)
from tests.e2e.test_access_matrix_retention import a_closed_case

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

CLOSED_AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
PAGES = {  # the policy's cells (keys/access/policy.py), written out
    "/secretariat/retention": {Role.SECRETARIAT},  # MANAGE_RETENTION
    "/auditor/retention": {Role.SECRETARIAT, Role.AUDITOR},  # READ_RETENTION
}


def as_(client, who: str | None, language: str = "en"):
    """The client as a session of ``who`` (a token), with the CSRF cookie a page sets."""
    client.cookies.clear()
    client.follow_redirects = False
    client.cookies.set("trustone_lang", language)
    if who is not None:
        client.cookies.set("trustone_session", who)
    client.get("/login")
    return client


def fresh(client, role: Role) -> str:
    """A new session: a run deletes the sessions issued on the real day once the clock is in 2027."""
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return sessions.issue(f"{role.value}.user", dt.timedelta(hours=1))


def form(client, **fields):
    return {"csrftoken": client.cookies["csrftoken"], **fields}


@pytest.fixture
def expiring(client, tokens, world):
    """A closed case within the warning window: the clock on 10 February 2027."""
    clock = FakeClock(CLOSED_AT)
    world.clock.set(clock)
    reference = a_closed_case(world)["ref"]
    clock.now = dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC)
    return clock, reference


def test_each_role_gets_its_page_and_403_elsewhere_and_anonymous_is_sent_to_log_in(client, tokens):
    wrong = []
    for path, allowed in PAGES.items():
        for role in Role:
            answer = as_(client, tokens[role]).get(path)
            if answer.status_code != (200 if role in allowed else 403) or "Traceback" in answer.text:
                wrong.append((path, role.value, answer.status_code))
        anonymous = as_(client, None).get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert not wrong, wrong


def test_the_pages_show_the_schedule_in_plain_words_and_the_empty_states(client, tokens):
    page = as_(client, tokens[Role.SECRETARIAT]).get("/secretariat/retention").text
    assert "Closed grievance case" in page and "730 days" in page and "yes, by the daily job" in page
    assert "Access-log details" in page and "no: never" in page
    assert "An erasure cannot be undone." in page and page.count("cannot be undone") == 1
    assert "No record expires within the warning window, and none is past due." in page
    assert "Nothing has been erased yet." in page and "Last run:" in page and "never" in page
    dutch = as_(client, tokens[Role.AUDITOR], "nl").get("/auditor/retention").text
    assert "Gesloten klachtzaak" in dutch and "730 dagen" in dutch
    assert "retention: erase &lt;kind&gt; &lt;reference&gt;" in dutch  # the log's own words, not translated
    assert "<form" not in dutch.split("<main", 1)[1].split("</main>", 1)[0]  # read-only


def test_an_expiring_case_is_extended_with_a_reason_and_a_missing_reason_is_named(client, tokens, expiring):
    _clock, reference = expiring
    as_(client, tokens[Role.SECRETARIAT])
    page = client.get("/secretariat/retention").text
    assert reference in page and "Mar 3, 2027" in page and "expiring soon" in page
    action = f"/secretariat/retention/records/closed_case/{reference}/extend"
    assert f'action="{action}"' in page
    key = f"closed_case-{reference}"

    missing = client.post(action, data=form(client, days="90", reason=""))
    assert missing.status_code == 422
    assert f'id="error-reason-{key}"' in missing.text and f'href="#field-reason-{key}"' in missing.text
    assert f'id="field-days-{key}" name="days" type="text" value="90"' in missing.text  # what was typed is kept

    both = client.post(action, data=form(client, days="90", until="2027-09-01", reason="a related case is open"))
    assert both.status_code == 422 and f'id="error-until-{key}"' in both.text
    assert "a related case is open" in both.text

    reason = "a related case about the same site is open"
    session = client.post(
        f"/secretariat/retention/records/session/{reference}/extend", data=form(client, days="9", reason=reason)
    )
    assert (
        session.status_code == 422
        and "cannot be extended" in session.text
        and "<form" not in session.text.split("<main", 1)[1]
    )
    unknown = client.post(
        "/secretariat/retention/records/closed_case/TS-2020-0999/extend", data=form(client, days="9", reason=reason)
    )
    assert unknown.status_code == 404

    made = client.post(action, data=form(client, days="90", reason=reason))
    assert made.status_code == 303
    assert made.headers["location"] == "/secretariat/retention?done=extended&until=2027-06-01"
    after = client.get(made.headers["location"]).text
    assert "it now expires on June 1, 2027" in after and reference not in after  # out of the window now


def test_the_auditor_may_not_extend_or_run(client, tokens, expiring):
    _clock, reference = expiring
    as_(client, tokens[Role.AUDITOR])
    action = f"/secretariat/retention/records/closed_case/{reference}/extend"
    assert client.post(action, data=form(client, days="", reason="")).status_code == 403  # before any input
    assert client.post("/secretariat/retention/run", data=form(client)).status_code == 403
    assert reference in client.get("/auditor/retention").text


def test_running_the_job_warns_then_erases_and_the_page_says_how_many(client, tokens, expiring):
    """The counts: one warning on the first run; the case erased on a run after its expiry and a whole
    warning window after the warning (13 March 2027). Sessions issued by the test on the real day may
    be erased too (by count), so the number of erasures is read from the redirect."""
    clock, reference = expiring
    as_(client, fresh(client, Role.SECRETARIAT))
    ran = client.post("/secretariat/retention/run", data=form(client))
    assert ran.status_code == 303
    found = re.fullmatch(r"/secretariat/retention\?done=run&warned=1&erased=(\d+)", ran.headers["location"])
    assert found, ran.headers["location"]
    erased = int(found.group(1))
    page = as_(client, fresh(client, Role.SECRETARIAT)).get(ran.headers["location"]).text  # the run ended its session
    assert f"The job ran: 1 warning, {erased} erasure" in page
    assert reference not in page.split("Erasures so far", 1)[-1]  # warned, not erased

    clock.now = dt.datetime(2027, 3, 13, 9, 0, tzinfo=dt.UTC)
    as_(client, fresh(client, Role.SECRETARIAT))
    ran = client.post("/secretariat/retention/run", data=form(client))
    assert re.fullmatch(r"/secretariat/retention\?done=run&warned=0&erased=\d+", ran.headers["location"])
    as_(client, fresh(client, Role.AUDITOR))
    audit = client.get("/auditor/retention").text
    erasures = audit.split("Erasures so far, oldest first", 1)[1]
    assert f"<code>{reference}</code>" in erasures and "Mar 13, 2027" in erasures and "secretariat.user" in erasures
    assert 'href="/auditor/access-log?action=manage_retention&amp;from=2027-03-13&amp;to=2027-03-13"' in erasures
    log = client.get("/auditor/access-log?action=manage_retention").text  # the log's own clock is the wall's
    assert f"retention: erase closed_case {reference}" in log  # the entry the page tells the auditor to look for
