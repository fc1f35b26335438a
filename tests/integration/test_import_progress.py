"""``trustone import-report`` tells a person at a terminal which step a large import is in, and
prints nothing extra elsewhere (issue 12 item 6)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rich.console import Console

from registry.reportfile import ReportFileError
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.cli import import_stages


def test_the_import_names_its_steps_in_order(registry, member):
    stages: list[str] = []
    registry.import_report(
        member,
        2024,
        csv_bytes([quarry_row(), factory_row()]),
        "report.csv",
        submitted_on=dt.date(2025, 3, 1),
        stage=stages.append,
    )
    assert stages == ["checking the file", "matching sites and recording"]


def test_a_bad_file_stops_at_the_check(registry, member):
    stages: list[str] = []
    with pytest.raises(ReportFileError):
        registry.import_report(
            member, 2024, b"not,a,report\n1,2,3\n", "report.csv", submitted_on=dt.date(2025, 3, 1), stage=stages.append
        )
    assert stages == ["checking the file"]


def test_on_a_terminal_the_step_is_shown_with_the_file_name():
    out = io.StringIO()
    with import_stages("big.xlsx", Console(file=out, force_terminal=True, width=100)) as stage:
        stage("checking the file")
    assert "big.xlsx: checking the file" in out.getvalue()


def test_not_on_a_terminal_nothing_is_printed():
    out = io.StringIO()
    with import_stages("big.xlsx", Console(file=out, force_terminal=False)) as stage:
        stage("checking the file")
    assert out.getvalue() == ""
