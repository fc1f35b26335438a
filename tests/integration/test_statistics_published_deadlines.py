"""The published statistics count deadlines as docs/statistics.md defines them, on both stores.

A case referred to the committee before any notified company responded did not meet the first
response deadline: it is not applicable (the case left the dialogue path in time), not met.
"""

from __future__ import annotations

import pytest

from grievance.domain.stages import Step
from projections.cases import CaseBoard, CaseView
from projections.runner import view_recorder
from tests.integration.test_case_view import Feed, day, notified


@pytest.fixture
def recorder(settings):
    return view_recorder(settings, CaseView())


@pytest.fixture
def feed(recorder):
    return Feed(recorder)


@pytest.fixture
def board(recorder):
    return CaseBoard(recorder)


def test_a_case_referred_before_any_company_responded_has_not_met_the_first_response_deadline(feed, board):
    referred = notified(1, ["tag-a"])  # notified on day 4: first response due day 24
    referred.advance(Step.REFER_TO_COMMITTEE, "filer.user", "no answer from the buyers", at=day(10))
    answered = notified(2, ["tag-b"])
    answered.company_writes("tag-b", "response", {"text": "we look into it"}, "company.user", at=day(9))
    waiting = notified(3, ["tag-c"])  # still waiting, due day 24
    feed(referred, answered, waiting)

    figures = board.statistics(day(12))["deadlines"]

    assert figures["first_response"] == {"met": 1, "missed": 0, "not_applicable": 1, "running": 1, "share_on_time": 1.0}
    # the referral started the committee's admissibility deadline (due day 30): running
    assert figures["admissibility"] == {"met": 0, "missed": 0, "not_applicable": 0, "running": 1, "share_on_time": None}
    # all three were acknowledged on day 1 and notified on day 4: met, whatever came after
    assert figures["acknowledge"]["met"] == 3
    assert figures["match_and_notify"]["met"] == 3


def test_after_the_due_time_a_case_still_waiting_for_a_response_is_missed_and_the_referred_one_stays_not_applicable(
    feed, board
):
    referred = notified(1, ["tag-a"])
    referred.advance(Step.REFER_TO_COMMITTEE, "filer.user", "no answer from the buyers", at=day(10))
    waiting = notified(2, ["tag-b"])
    feed(referred, waiting)

    figures = board.statistics(day(25))["deadlines"]["first_response"]

    assert figures == {"met": 0, "missed": 1, "not_applicable": 1, "running": 0, "share_on_time": 0.0}
