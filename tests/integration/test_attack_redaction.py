"""Art. 6 lid 6: a published action plan must not link the company to a supplier. The attacker is
anyone reading the public member listing; the company (or whoever wrote its plan) wrote a supplier
the way people write: a non-breaking space, the space left out, another case, without (or with)
the accents, a site id with spaces or hyphens where it has none (or none where it has them).

The property: whatever supplier name or site id, and whichever of these variations, the text that
leaves ``redact_item`` (what the member listing stores) does not contain it, compared as a reader
would: case and accents folded, every space and punctuation mark ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.readers import redact_item
from registry.domain.site_ids import new_site_id
from tests.integration.report_files import SITE_NAME, factory_row, quarry_row, xlsx_bytes
from tests.principals import secretariat

PLACEHOLDER = "[supplier]"
NBSP, NARROW_NBSP, IDEOGRAPHIC_SPACE = "\u00a0", "\u202f", "\u3000"


def reader_form(text: str) -> str:
    """How a reader sees text: the placeholder as one mark, then letters and digits only, folded."""
    decomposed = unicodedata.normalize("NFKD", text.replace(PLACEHOLDER, "#"))
    return "".join(c for c in decomposed.casefold() if c.isalnum() or c == "#")


def _with_accents(word: str) -> str:
    return "".join(c + "\u0301" if c in "aeiou" else c for c in word)


VARIATIONS = {
    "as written": lambda words: " ".join(words),
    "non-breaking spaces": lambda words: NBSP.join(words),
    "narrow and ideographic spaces": lambda words: NARROW_NBSP.join(words[:1] + [IDEOGRAPHIC_SPACE.join(words[1:])]),
    "spaces left out": lambda words: "".join(words),
    "hyphens and double spaces": lambda words: "-  ".join(words),
    "upper case": lambda words: " ".join(words).upper(),
    "accents added": lambda words: " ".join(_with_accents(word) for word in words),
    "new lines and tabs": lambda words: "\n\t".join(words),
}

words = st.lists(
    st.text(alphabet="abcdefghijklmnoprstuvwyzāīūéèöø", min_size=2, max_size=9), min_size=1, max_size=4
).filter(lambda ws: len("".join(ws)) >= 4)
site_ids = st.sampled_from([new_site_id("IN", "RJ"), new_site_id("CN", "FJ"), new_site_id("PT", None)])
id_variations = {
    "spaces": lambda site_id: " ".join(site_id.replace("-", "")),
    "hyphens every few": lambda site_id: "-".join(site_id.replace("-", "")[i : i + 3] for i in range(0, 13, 3)),
    "lower case, no hyphens": lambda site_id: site_id.replace("-", "").lower(),
    "non-breaking spaces for hyphens": lambda site_id: site_id.replace("-", NBSP),
}


@settings(max_examples=60, deadline=None)
@given(name_words=words, variation=st.sampled_from(sorted(VARIATIONS)), reverse=st.booleans())
def test_no_variation_of_a_supplier_name_survives_redaction(name_words, variation, reverse):
    name = " ".join(name_words)
    written = VARIATIONS[variation](name_words)
    if reverse:  # the catalogue has the accents or capitals, the plan does not
        name, written = written, name
    item = {"risk": f"Forced labour at {written}, seen in 2024", "measure": f"Audit ({written}) twice", "due": ""}
    published = redact_item(item, [name])
    for field in ("risk", "measure"):
        assert reader_form(name) not in reader_form(published[field]), (variation, published[field])


@settings(max_examples=40, deadline=None)
@given(site_id=site_ids, variation=st.sampled_from(sorted(id_variations)))
def test_no_way_of_writing_a_site_id_survives_redaction(site_id, variation):
    written = id_variations[variation](site_id)
    published = redact_item({"measure": f"Visit site {written} in May"}, ["Some Quarry", site_id])
    assert reader_form(site_id) not in reader_form(published["measure"]), published["measure"]
    assert published["measure"].startswith("Visit site ") and published["measure"].endswith(" in May")


def test_text_around_a_name_is_kept_as_written():
    published = redact_item({"risk": "Dust at Kota\u00a0Stone  Works, Rajasthan"}, ["Kota Stone Works"])
    assert published == {"risk": f"Dust at {PLACEHOLDER}, Rajasthan"}


PLAN = [
    [
        f"Child labour at {SITE_NAME.replace(' ', NBSP)}",
        1,
        f"Audit {SITE_NAME.replace(' ', '').upper()} and Kota\u00a0stone processing-works",
        "audit report",
        "2025-12-31",
    ]
]


def test_the_public_member_listing_carries_no_variant_of_a_supplier(services, member):
    """Through the import and the member-listing projection, on both stores."""
    services.registry.import_report(
        member,
        2024,
        xlsx_bytes([quarry_row(), factory_row()], action_plan=PLAN),
        "r.xlsx",
        submitted_on=dt.date(2025, 4, 1),
    )
    # the listing shows a plan from the report's assessment on (projections/member_listing.py)
    services.registry.assess_report(member, 2024, Decimal(65), assessed_on=dt.date(2025, 6, 1), assessed_by="s")
    services.projections.catch_up()
    text = json.dumps(services.member_listing.members(), ensure_ascii=False)
    listed = reader_form(text)
    assert "[supplier]" in text and "2025-12-31" in text, text  # the plan is published, redacted
    assert reader_form(SITE_NAME) not in listed
    assert reader_form("Kota Stone Processing Works") not in listed
    for link in services.registry.read_report(secretariat(), member, 2024).links:
        assert reader_form(link.site_id) not in listed
