"""Builders for report files used by the integration and end-to-end tests."""

from __future__ import annotations

import csv
import io

COLUMNS = [
    "chain",
    "tier",
    "site_kind",
    "site_id",
    "site_name",
    "country",
    "province",
    "district",
    "address",
    "latitude",
    "longitude",
    "stone_type",
    "product",
    "channel",
    "origin_confidence",
    "circular",
    "volume",
    "volume_unit",
    "price_eur_per_unit",
    "contract_notes",
]

# Distinctive values so tests can search for them in stored bytes, ids, topics and logs.
SECRET_PRICE = "4321.77"
SECRET_VOLUME = "98765.4"
SECRET_NOTE = "exclusive-deal-zeta-71"
SITE_NAME = "Mahadev Sandstone Quarry Bijolia"


def row(**values: str) -> dict[str, str]:
    base = {column: "" for column in COLUMNS}
    base.update(values)
    return base


def quarry_row(chain="C1", name=SITE_NAME, **extra: str) -> dict[str, str]:
    values = {
        "chain": chain,
        "tier": "2",
        "site_kind": "quarry",
        "site_name": name,
        "country": "IN",
        "province": "Rajasthan",
        "district": "Bhilwara",
        "latitude": "25.1712",
        "longitude": "75.3303",
        "stone_type": "sandstone",
        "product": "paving",
        "channel": "trader",
        "origin_confidence": "claimed",
        "volume": SECRET_VOLUME,
        "volume_unit": "m2",
        "price_eur_per_unit": SECRET_PRICE,
        "contract_notes": SECRET_NOTE,
    }
    values.update(extra)
    return row(**values)


def factory_row(chain="C1", name="Kota Stone Processing Works", **extra: str) -> dict[str, str]:
    values = {
        "chain": chain,
        "tier": "1",
        "site_kind": "factory",
        "site_name": name,
        "country": "IN",
        "province": "Rajasthan",
        "district": "Kota",
        "latitude": "25.2138",
        "longitude": "75.8648",
        "stone_type": "sandstone",
        "product": "paving",
        "channel": "direct",
        "origin_confidence": "verified",
    }
    values.update(extra)
    return row(**values)


def unknown_quarry_row(chain="C2") -> dict[str, str]:
    return row(chain=chain, tier="2", site_kind="quarry", stone_type="granite", product="kerbs", channel="stone_market")


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(rows: list[dict[str, str]], action_plan: list[list] | None = None) -> bytes:
    """A workbook with the links sheet, and an action_plan sheet when items are given."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "links"
    sheet.append(COLUMNS)
    for values in rows:
        sheet.append([values[column] for column in COLUMNS])
    if action_plan is not None:
        plan = workbook.create_sheet("action_plan")
        plan.append(["risk", "priority", "measure", "indicator", "due"])
        for item in action_plan:
            plan.append(item)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
