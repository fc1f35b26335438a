"""Two secretariat users take a step on the same case at the same moment (issue 12, item 7).

Real threads against the real store (SQLite and PostgreSQL through the ``settings`` fixture). Both
saw the case as filed and say so (``seen_stage``); one step wins, the other is refused with a
conflict (409 over HTTP, with a message saying the case changed meanwhile) and nothing of it is
recorded: no lost update, no step applied on top of a state its user did not see. Whichever way the
threads interleave: when both load the case before either saves, the store refuses the second save
(before the fix that was the event store's own ``IntegrityError``, HTTP 500, in nearly every round
on PostgreSQL); when one runs after the other, the case is no longer in the stage its user saw.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from fastapi.testclient import TestClient

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.errors import ConflictError
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app

ROUNDS = 6
# From FILED the design allows exactly these two steps (docs/lifecycles.md): acknowledge, or refer to
# the committee. Each user takes a different one, so a lost update would show in the history.
STEPS = {"acknowledge": "acknowledged", "refer_to_committee": "referred"}


def _complaint() -> Filing:
    return Filing(
        case_type="complaint",
        description="Workers report unpaid overtime at the cutting yard.",
        themes=["living_wage"],
        country="IN",
        region="Rajasthan",
        reporter=Reporter("Pseudonym A"),
    )


def _ngo() -> Principal:
    return Principal("user.arisa", Role.NGO, uuid.uuid4(), "arisa")


def _secretariat(login: str) -> Principal:
    return Principal(login, Role.SECRETARIAT, uuid.uuid4(), "secretariat")


def _at_once(*calls) -> list[object]:
    """Run the calls in threads released together; each result is its return value or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at what each caller got
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_secretariat_users_stepping_on_one_case_at_once_one_wins_and_the_other_gets_a_conflict(services):
    app = services.grievance
    first, second = _secretariat("secretariat.one"), _secretariat("secretariat.two")
    for _ in range(ROUNDS):
        reference, _code = app.file(_ngo(), _complaint())
        results = _at_once(
            *(
                lambda who=who, step=step: app.advance(who, reference, step, "taken at once", seen_stage="filed")  # noqa: B023 - called within this iteration
                for who, step in zip((first, second), STEPS, strict=True)
            )
        )
        won = [result for result in results if isinstance(result, str)]
        lost = [result for result in results if not isinstance(result, str)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], ConflictError), f"{type(lost[0]).__module__}.{type(lost[0]).__name__}: {lost[0]}"
        case = app.case(reference)
        assert case.stage.value == won[0]
        # the history is the filing and the winner's step: the loser's step was not applied anywhere
        assert [stage.value for stage, *_ in case.history] == ["filed", won[0]]
        assert case.version == 2


def test_over_http_the_losing_step_is_a_409_saying_the_case_changed_meanwhile(services):
    app = services.grievance
    services.registry.register_organisation("secretariat", "Secretariaat TruStone", OrganisationKind.SECRETARIAT, "NL")
    for login in ("secretariat.one", "secretariat.two"):
        services.registry.create_account(login, Role.SECRETARIAT, "secretariat", login, "not-used-here", None)
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        sessions = client.app.state.authenticator._sessions  # noqa: SLF001
        headers = [
            {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=1))}"}
            for login in ("secretariat.one", "secretariat.two")
        ]
        for _ in range(ROUNDS):
            reference, _code = app.file(_ngo(), _complaint())
            answers = _at_once(
                *(
                    lambda h=h, step=step: client.post(
                        f"/api/v1/grievances/{reference}/steps",  # noqa: B023 - called within this iteration
                        json={"step": step, "reason": "taken at once", "seen_stage": "filed"},
                        headers=h,
                    )
                    for h, step in zip(headers, STEPS, strict=True)
                )
            )
            codes = tuple(sorted(answer.status_code for answer in answers))
            assert codes == (200, 409), [(answer.status_code, answer.text) for answer in answers]
            loser = next(answer for answer in answers if answer.status_code == 409).json()
            assert loser["detail"]  # a sentence: either the case changed meanwhile, or the step is not allowed now
            winner = next(answer for answer in answers if answer.status_code == 200).json()
            case = app.case(reference)
            assert [stage.value for stage, *_ in case.history] == ["filed", winner["stage"]]


def test_a_step_chosen_on_a_stage_the_case_has_left_is_refused_and_changes_nothing(services):
    """The same, one after the other: the second user still saw the case as filed."""
    app = services.grievance
    reference, _code = app.file(_ngo(), _complaint())
    assert (
        app.advance(_secretariat("secretariat.one"), reference, "acknowledge", "first", seen_stage="filed")
        == "acknowledged"
    )
    try:
        app.advance(_secretariat("secretariat.two"), reference, "refer_to_committee", "second", seen_stage="filed")
    except ConflictError as refused:
        assert "acknowledged" in str(refused) and "filed" in str(refused)  # says what it is now, and what was seen
        assert set(refused.allowed) == {"declare_inadmissible", "match", "refer_to_committee"}  # docs/lifecycles.md
    else:
        raise AssertionError("a step chosen on 'filed' was applied to an acknowledged case")
    case = app.case(reference)
    assert [stage.value for stage, *_ in case.history] == ["filed", "acknowledged"] and case.version == 2
