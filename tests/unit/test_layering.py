"""The layers import downwards only (issue 13, item 2): the keys, the lists' projections and the
domain models import nothing from ``trustone/``, the composition root, web app and command line
that are built on them. A scan of the source files' import statements (function-level imports
included), so a module that is never imported by a test is checked too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOWER_LAYERS = ("keys", "projections", "registry/domain", "grievance/domain")
UPPER = "trustone"


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def upward_imports(folder: str) -> list[str]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"no Python files under {folder}: the layer was moved, update LOWER_LAYERS"
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path.read_text(encoding="utf-8"))
        if module == UPPER or module.startswith(UPPER + ".")
    ]


@pytest.mark.parametrize("folder", LOWER_LAYERS)
def test_the_lower_layers_import_nothing_from_trustone(folder):
    assert upward_imports(folder) == []


def test_the_scan_sees_every_kind_of_import():
    source = "import trustone\nimport trustone.settings as s\ndef f():\n    from trustone.terminal import x\n"
    assert imported_modules(source) == [(1, "trustone"), (2, "trustone.settings"), (4, "trustone.terminal")]
