"""Issue 10 item 2 over HTTP: the upload takes decimal_separator and says how the numbers were read;
volumes come back in plain decimal."""

from registry.domain.accounts import Role
from tests.e2e.test_access_matrix import OWN, client, tokens, world  # noqa: F401  (fixtures)
from tests.integration.report_files import csv_bytes, factory_row, quarry_row


def upload(client, token, data: bytes, **params):
    return client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("r.csv", data, "text/csv")},
    )


def test_an_ambiguous_volume_is_refused_then_read_by_the_given_separator_and_returned_plain(client, tokens):
    token = tokens[Role.COMPANY]
    data = csv_bytes([quarry_row(volume="4.200", price_eur_per_unit="320"), factory_row()])
    refused = upload(client, token, data)
    assert refused.status_code == 422
    assert "4.200" not in refused.text
    accepted = upload(client, token, data, decimal_separator="comma")
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["decimal_separator"], accepted.json()["decimal_separator_decided"]) == (
        "comma",
        "decimal separator ',' (comma), as given with the upload",
    )
    read = client.get(f"/api/v1/companies/{OWN}/reports/2025", headers={"Authorization": f"Bearer {token}"})
    assert (read.json()["terms"][0]["volume"], read.json()["terms"][0]["price_eur_per_unit"]) == ("4200", "320")
    assert upload(client, token, data, decimal_separator="semicolon").status_code == 422


def test_a_report_in_parts_over_http_is_submitted_when_the_last_part_is_in(client, tokens):
    """Issue 10 item 3 over HTTP: ?part=N&of=M; the answer lists the parts still to come."""
    token = tokens[Role.COMPANY]
    first = upload(client, token, csv_bytes([factory_row(chain="P1")]), part=1, of=2)
    assert first.status_code == 200, first.text
    assert (first.json()["changed"], first.json()["parts_missing"]) == (False, [2])
    lonely = upload(client, token, csv_bytes([factory_row(chain="P2")]), part=2)
    assert lonely.status_code == 422 and "part and of go together" in lonely.text
    last = upload(client, token, csv_bytes([factory_row(chain="P2")]), part=2, of=2)
    assert last.status_code == 200, last.text
    assert (last.json()["changed"], last.json()["parts_missing"]) == (True, [])
    read = client.get(f"/api/v1/companies/{OWN}/reports/2025", headers={"Authorization": f"Bearer {token}"})
    assert [link["chain"] for link in read.json()["links"]] == ["P1", "P2"]
