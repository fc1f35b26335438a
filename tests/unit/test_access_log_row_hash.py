"""verify hashes each stored row without building a dict (``_row_hash``); it must give exactly the
hash the append wrote (``entry_hash``: SHA-256 of the previous hash and the row's canonical JSON),
for any text a column can hold, and the audit CLI's progress bar shows on a terminal only."""

from __future__ import annotations

import base64
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from keys.access.accesslog import _row_hash as row_hash
from keys.access.accesslog import entry_hash
from trustone.cli_audit import _verify_progress

NAMES = ("seq", "actor", "role", "organisation", "outcome", "tag", "details")
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # anything but lone surrogates
details = st.one_of(st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode("ascii")), text)


@settings(max_examples=300)
@given(
    seq=st.integers(min_value=-(2**40), max_value=2**40),
    actor=text,
    role=text,
    organisation=text,
    outcome=text,
    tag=text,
    details=details,
    prev_hash=text,
    as_bytes=st.booleans(),
)
def test_the_fast_row_hash_is_the_hash_the_append_wrote(
    seq, actor, role, organisation, outcome, tag, details, prev_hash, as_bytes
):
    columns = dict(zip(NAMES, (seq, actor, role, organisation, outcome, tag, details), strict=True))
    expected = entry_hash(prev_hash, columns)
    stored = details.encode("utf-8") if as_bytes else details
    assert row_hash((seq, actor, role, organisation, outcome, tag, stored, prev_hash, expected)) == expected


def test_a_row_that_no_append_could_have_written_matches_no_hash():
    assert row_hash((1, "a", "r", "o", "granted", "t", b"\xff\xfe", "0" * 64, "")) == ""
    assert row_hash((1, None, "r", "o", "granted", "t", "QUJD", "0" * 64, "")) == entry_hash(
        "0" * 64,
        {
            "seq": 1,
            "actor": None,
            "role": "r",
            "organisation": "o",
            "outcome": "granted",
            "tag": "t",
            "details": "QUJD",
        },
    )


def test_progress_is_drawn_on_a_terminal_and_nothing_otherwise():
    terminal = io.StringIO()
    with _verify_progress(10, Console(file=terminal, force_terminal=True, width=100)) as progress:
        progress(5)
        progress(10)
    assert "verifying the access log" in terminal.getvalue()
    piped = io.StringIO()
    with _verify_progress(10, Console(file=piped, force_terminal=False)) as progress:
        progress(10)
    assert piped.getvalue() == ""
