"""The README and docs/ must read correctly from a fresh clone with nothing beside it.

A clone has no ``../shared`` folder: every link in the documentation must resolve inside the
repository, and neither the documentation nor a docstring may send the reader to the design brief
or the source documents outside it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def _tracked(pattern: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in listed.stdout.splitlines()]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_in_the_documentation_resolves_inside_the_clone(doc: Path):
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # an absolute URL or an anchor in the same page
        resolved = (doc.parent / target.split("#", 1)[0]).resolve()
        if not resolved.exists() or ROOT not in resolved.parents:
            broken.append(target)
    assert broken == [], f"{doc.name} links to what a clone does not have: {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_sends_the_reader_outside_the_repository(doc: Path):
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text
    assert "DESIGN.md" not in text


def test_no_source_file_refers_to_the_design_brief_outside_the_repository():
    this_test = Path(__file__).resolve()
    offenders = [
        str(path.relative_to(ROOT))
        for path in _tracked("*.py")
        if path.exists()
        and path != this_test
        and re.search(r"DESIGN\.md|\.\./shared", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_documentation_index_lists_every_page_in_docs():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    pages = {path.name for path in (ROOT / "docs").glob("*.md")} - {"README.md"}
    assert {page for page in pages if f"({page})" not in index} == set()
