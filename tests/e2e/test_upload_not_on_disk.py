"""An uploaded report is never written to the server's disk in clear (review of issue 14).

Starlette spools an uploaded file to a temporary file on disk once it is over 1 MiB: a report's
prices and supply-chain pairs, in clear, on a disk whose holder the threat model counts among the
attackers (docs/confidentiality.md). Uploads are held in memory, up to the largest request the app
takes. The test watches the spooled file for a rollover to disk (the library's temporary file, not
the database, is what is watched)."""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

import starlette.formparsers

from registry.domain.accounts import Role
from tests.e2e.test_access_matrix import OWN, client, tokens, world  # noqa: F401  (fixtures)
from tests.integration.report_files import csv_bytes, factory_row, quarry_row


def test_a_report_of_several_mebibytes_is_not_spooled_to_disk(client, tokens, monkeypatch):
    rolled: list[int] = []

    class Watched(SpooledTemporaryFile):
        def rollover(self) -> None:
            rolled.append(1)
            super().rollover()

    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", Watched)
    rows = [quarry_row(contract_notes="n" * 3000), factory_row(contract_notes="n" * 3000)] * 500  # about 3 MiB
    data = csv_bytes(rows)
    assert len(data) > 2 * 1024 * 1024
    answer = client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        headers={"Authorization": f"Bearer {tokens[Role.COMPANY]}"},
        files={"file": ("r.csv", data, "text/csv")},
    )
    assert answer.status_code in (200, 422), answer.text[:300]
    assert rolled == []
