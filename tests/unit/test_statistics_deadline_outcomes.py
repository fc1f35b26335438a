"""What each deadline's outcome is, on hand-built stage histories with literal dates (docs/statistics.md).

met: the event that ends the deadline happened on or before the due time; missed: it happened
after it, or the due time passed while the case was still waiting for it; not applicable: the case
left the deadline's path without the event before the due time; running: neither happened yet and
the due time is still ahead. The limits are the design brief's defaults (section 6), written here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from grievance.domain.deadlines import Deadline, Outcome, segments
from grievance.domain.stages import NEXT, Stage

S = Stage
UTC = dt.UTC
# docs/lifecycles.md: acknowledge 5 days, match and notify 10, first company response 20,
# committee admissibility 20, ruling 90.
LIMITS = {
    Deadline.ACKNOWLEDGE: 5,
    Deadline.MATCH_AND_NOTIFY: 10,
    Deadline.FIRST_RESPONSE: 20,
    Deadline.ADMISSIBILITY: 20,
    Deadline.RULING: 90,
}


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, 0, tzinfo=UTC)


def outcome_of(deadline: Deadline, history, now: dt.datetime, compliance: dt.date | None = None) -> Outcome:
    [found] = [s for s in segments(history, LIMITS, compliance) if s.deadline == deadline]
    return found.outcome(now)


FILED = [(S.FILED, at(3, 3))]  # acknowledge due 8 March 09:00
ACKED = [*FILED, (S.ACKNOWLEDGED, at(3, 4))]  # match and notify due 14 March 09:00
NOTIFIED = [*ACKED, (S.MATCHED, at(3, 6)), (S.COMPANIES_NOTIFIED, at(3, 10))]  # first response due 30 March
REFERRED = [(S.REFERRED, at(3, 3))]  # admissibility due 23 March
ADMITTED = [*REFERRED, (S.ADMITTED, at(3, 10))]  # ruling due 8 June 09:00
RULED = [*ADMITTED, (S.HEARING_SCHEDULED, at(4, 1)), (S.RULED, at(5, 1))]
COMPLIANCE_BY = dt.date(2025, 6, 1)  # the ruling's date: due at the end of that day

CASES = [
    # --- acknowledge -----------------------------------------------------------------------------
    ("acknowledged on day 4", Deadline.ACKNOWLEDGE, ACKED, at(4, 1), None, Outcome.MET),
    (
        "acknowledged exactly at the due time",
        Deadline.ACKNOWLEDGE,
        [*FILED, (S.ACKNOWLEDGED, at(3, 8))],
        at(4, 1),
        None,
        Outcome.MET,
    ),
    (
        "acknowledged one hour late",
        Deadline.ACKNOWLEDGE,
        [*FILED, (S.ACKNOWLEDGED, at(3, 8, 10))],
        at(4, 1),
        None,
        Outcome.MISSED,
    ),
    ("still unacknowledged after the due time", Deadline.ACKNOWLEDGE, FILED, at(3, 9), None, Outcome.MISSED),
    (
        "referred by the filer before acknowledgement, in time",
        Deadline.ACKNOWLEDGE,
        [*FILED, (S.REFERRED, at(3, 5))],
        at(4, 1),
        None,
        Outcome.NOT_APPLICABLE,
    ),
    (
        "referred by the filer after waiting past the due time",
        Deadline.ACKNOWLEDGE,
        [*FILED, (S.REFERRED, at(3, 12))],
        at(4, 1),
        None,
        Outcome.MISSED,
    ),
    ("not yet acknowledged, due time ahead", Deadline.ACKNOWLEDGE, FILED, at(3, 7), None, Outcome.RUNNING),
    # --- match and notify ------------------------------------------------------------------------
    ("companies notified on 10 March", Deadline.MATCH_AND_NOTIFY, NOTIFIED, at(4, 1), None, Outcome.MET),
    (
        "matching found no member buyer (the filer is told) on 6 March",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.NOT_IN_MEMBER_CHAINS, at(3, 6))],
        at(4, 1),
        None,
        Outcome.MET,
    ),
    (
        "companies notified on 20 March",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.MATCHED, at(3, 6)), (S.COMPANIES_NOTIFIED, at(3, 20))],
        at(4, 1),
        None,
        Outcome.MISSED,
    ),
    (
        "matched but not notified after the due time",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.MATCHED, at(3, 6))],
        at(3, 15),
        None,
        Outcome.MISSED,
    ),
    (
        "declared inadmissible on 5 March",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.INADMISSIBLE, at(3, 5))],
        at(4, 1),
        None,
        Outcome.NOT_APPLICABLE,
    ),
    (
        "referred to the committee after matching, in time",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.MATCHED, at(3, 6)), (S.REFERRED, at(3, 7))],
        at(4, 1),
        None,
        Outcome.NOT_APPLICABLE,
    ),
    (
        "declared inadmissible after the due time",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.INADMISSIBLE, at(3, 20))],
        at(4, 1),
        None,
        Outcome.MISSED,
    ),
    (
        "matched, due time ahead",
        Deadline.MATCH_AND_NOTIFY,
        [*ACKED, (S.MATCHED, at(3, 6))],
        at(3, 12),
        None,
        Outcome.RUNNING,
    ),
    # --- first response --------------------------------------------------------------------------
    (
        "a company responded on 20 March",
        Deadline.FIRST_RESPONSE,
        [*NOTIFIED, (S.IN_DIALOGUE, at(3, 20))],
        at(4, 1),
        None,
        Outcome.MET,
    ),
    (
        "a company responded on 15 April",
        Deadline.FIRST_RESPONSE,
        [*NOTIFIED, (S.IN_DIALOGUE, at(4, 15))],
        at(5, 1),
        None,
        Outcome.MISSED,
    ),
    ("no response after the due time", Deadline.FIRST_RESPONSE, NOTIFIED, at(4, 1), None, Outcome.MISSED),
    (
        "referred to the committee before any company responded, in time",
        Deadline.FIRST_RESPONSE,
        [*NOTIFIED, (S.REFERRED, at(3, 15))],
        at(5, 1),
        None,
        Outcome.NOT_APPLICABLE,
    ),
    (
        "referred to the committee after waiting past the due time",
        Deadline.FIRST_RESPONSE,
        [*NOTIFIED, (S.REFERRED, at(4, 5))],
        at(5, 1),
        None,
        Outcome.MISSED,
    ),
    ("no response yet, due time ahead", Deadline.FIRST_RESPONSE, NOTIFIED, at(3, 20), None, Outcome.RUNNING),
    # --- admissibility (the committee's decision either way ends it) -----------------------------
    ("admitted on 10 March", Deadline.ADMISSIBILITY, ADMITTED, at(4, 1), None, Outcome.MET),
    (
        "declared inadmissible on 10 March",
        Deadline.ADMISSIBILITY,
        [*REFERRED, (S.INADMISSIBLE, at(3, 10))],
        at(4, 1),
        None,
        Outcome.MET,
    ),
    (
        "admitted on 1 April",
        Deadline.ADMISSIBILITY,
        [*REFERRED, (S.ADMITTED, at(4, 1))],
        at(5, 1),
        None,
        Outcome.MISSED,
    ),
    ("no decision after the due time", Deadline.ADMISSIBILITY, REFERRED, at(3, 24), None, Outcome.MISSED),
    ("no decision, due time ahead", Deadline.ADMISSIBILITY, REFERRED, at(3, 20), None, Outcome.RUNNING),
    # --- ruling ------------------------------------------------------------------------------------
    ("ruled on 1 May", Deadline.RULING, RULED, at(6, 1), None, Outcome.MET),
    (
        "ruled on 10 June",
        Deadline.RULING,
        [*ADMITTED, (S.HEARING_SCHEDULED, at(4, 1)), (S.RULED, at(6, 10))],
        at(7, 1),
        None,
        Outcome.MISSED,
    ),
    (
        "hearing held, no ruling after the due time",
        Deadline.RULING,
        [*ADMITTED, (S.HEARING_SCHEDULED, at(4, 1))],
        at(6, 9),
        None,
        Outcome.MISSED,
    ),
    (
        "hearing scheduled, due time ahead",
        Deadline.RULING,
        [*ADMITTED, (S.HEARING_SCHEDULED, at(4, 1))],
        at(5, 1),
        None,
        Outcome.RUNNING,
    ),
    # --- compliance (a date the ruling sets) ----------------------------------------------------
    (
        "compliance recorded on 20 May",
        Deadline.COMPLIANCE,
        [*RULED, (S.CLOSED, at(5, 20))],
        at(7, 1),
        COMPLIANCE_BY,
        Outcome.MET,
    ),
    (
        "compliance recorded late on the due day",
        Deadline.COMPLIANCE,
        [*RULED, (S.CLOSED, at(6, 1, 23))],
        at(7, 1),
        COMPLIANCE_BY,
        Outcome.MET,
    ),
    (
        "compliance recorded after a reminder, on 10 June",
        Deadline.COMPLIANCE,
        [*RULED, (S.REMINDED, at(6, 2)), (S.CLOSED, at(6, 10))],
        at(7, 1),
        COMPLIANCE_BY,
        Outcome.MISSED,
    ),
    (
        "membership end proposed after the due date",
        Deadline.COMPLIANCE,
        [*RULED, (S.REMINDED, at(6, 2)), (S.MEMBERSHIP_END_PROPOSED, at(6, 20))],
        at(7, 1),
        COMPLIANCE_BY,
        Outcome.MISSED,
    ),
    (
        "reminded, still not complied after the due date",
        Deadline.COMPLIANCE,
        [*RULED, (S.REMINDED, at(6, 2))],
        at(6, 5),
        COMPLIANCE_BY,
        Outcome.MISSED,
    ),
    (
        "membership end proposed before the due date",
        Deadline.COMPLIANCE,
        [*RULED, (S.REMINDED, at(5, 10)), (S.MEMBERSHIP_END_PROPOSED, at(5, 20))],
        at(7, 1),
        COMPLIANCE_BY,
        Outcome.NOT_APPLICABLE,
    ),
    ("not yet complied, due date ahead", Deadline.COMPLIANCE, RULED, at(5, 15), COMPLIANCE_BY, Outcome.RUNNING),
]


@pytest.mark.parametrize(
    ("deadline", "history", "now", "compliance", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_deadline_is_met_missed_not_applicable_or_running_as_defined(deadline, history, now, compliance, expected):
    assert outcome_of(deadline, history, now, compliance) == expected


def test_every_deadline_kind_has_every_outcome_that_its_path_allows():
    seen = {(case[1], case[5]) for case in CASES}
    for deadline in Deadline:
        expected = {Outcome.MET, Outcome.MISSED, Outcome.RUNNING}
        if deadline not in (Deadline.ADMISSIBILITY, Deadline.RULING):
            expected.add(Outcome.NOT_APPLICABLE)
        assert {outcome for kind, outcome in seen if kind == deadline} == expected, deadline


def test_the_committee_deadlines_have_no_way_out_but_their_event_so_never_not_applicable():
    """Why admissibility and ruling have no 'not applicable' case: a referred case can only be
    decided (admitted or inadmissible), an admitted one only heard and ruled on."""
    assert {target for targets in NEXT[S.REFERRED].values() for target in targets} == {S.ADMITTED, S.INADMISSIBLE}
    assert {
        target for stage in (S.ADMITTED, S.HEARING_SCHEDULED) for targets in NEXT[stage].values() for target in targets
    } == {S.HEARING_SCHEDULED, S.RULED}


def test_a_case_with_no_deadline_started_has_no_outcome():
    assert [s.deadline for s in segments(FILED, LIMITS)] == [Deadline.ACKNOWLEDGE]
    assert segments([], LIMITS) == []
