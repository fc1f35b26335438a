#!/usr/bin/env python3
"""A small mutation runner: do the tests notice when the covenant's rules in the code change?

For each target module it makes small changes ("mutants") one at a time, runs the tests that cover
the module against each, and counts a mutant as *killed* when a test fails (or the run times out),
*survived* when every test still passes. A surviving mutant is either a missing test, or an
equivalent change (the program behaves the same): those are argued, one per line, in
``scripts/mutation-equivalent.txt`` and reported separately.

Mutants are made with the standard library's ``ast``:

- numbers: ``n -> n + 1`` and ``n -> n - 1``
- comparisons: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``, ``in`` <-> ``not in``,
  ``is`` <-> ``is not``, and ``<``/``<=`` <-> ``>=``/``>``
- ``and`` <-> ``or``; ``not x`` -> ``x``; ``True`` <-> ``False``
- module-level tables: each dict entry, set / tuple / list element deleted (nested tables too), and
  in a table of tables each key that a sibling table has added with the sibling's value
- ``if ...: raise ...`` deleted
- short strings and bytes (up to 40 characters, not docstrings) changed to ``"XX" + s + "XX"``

The repository is never changed: the needed files are copied to a temporary directory, and each
mutant is written over the module in that copy; the tests run there (first on ``sys.path``, no
bytecode written, so a stale ``.pyc`` cannot hide a mutant).

    .venv/bin/python scripts/mutate.py                     # the five default modules
    .venv/bin/python scripts/mutate.py keys/encryption/envelope.py    # one module, its default tests
    .venv/bin/python scripts/mutate.py some/module.py --tests tests/unit/test_x.py
    .venv/bin/python scripts/mutate.py --list keys/encryption/envelope.py   # list the mutants, run nothing

POSIX only (the tests run in forked children).

Exit status 0 when no unlisted mutant survives, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = ROOT / "scripts" / "mutation-equivalent.txt"

# module -> the smallest fast set of tests that covers it (new literal-table tests first: -x stops early)
DEFAULT_TARGETS: dict[str, list[str]] = {
    "registry/domain/assessment.py": ["tests/unit/test_covenant_levels.py", "tests/unit/test_assessment.py"],
    "grievance/domain/stages.py": ["tests/unit/test_lifecycle_table.py", "tests/unit/test_grievance_stages.py"],
    "keys/access/policy.py": ["tests/unit/test_policy.py"],
    "keys/access/visibility.py": [
        "tests/unit/test_visibility.py",
        "tests/unit/test_case_visibility.py",
        "tests/unit/test_desk_visibility.py",
        "tests/unit/test_data_access_visibility.py",
        "tests/unit/test_visibility_words.py",
    ],
    "keys/access/filter.py": [
        "tests/integration/test_filter_access_log.py",
        "tests/integration/test_filter_cache.py",
        "tests/unit/test_opened_cache_accounting.py",
        "tests/integration/test_linked_list_reads.py",
    ],
    "keys/encryption/envelope.py": ["tests/unit/test_envelope_format.py", "tests/unit/test_envelope.py"],
    "registry/domain/statements.py": [
        "tests/unit/test_statement_rules.py",
        "tests/integration/test_statement_at_rest.py",
    ],
    "keys/signed_documents.py": ["tests/unit/test_signed_documents.py"],
    "registry/domain/sampling.py": ["tests/unit/test_sampling.py", "tests/unit/test_sampling_uniformity.py"],
    "registry/domain/verification.py": ["tests/unit/test_verification_domain.py"],
    "registry/domain/retention.py": ["tests/unit/test_retention_schedule.py"],
    "registry/domain/contributions.py": [
        "tests/unit/test_contribution_table.py",
        "tests/unit/test_contribution_properties.py",
        "tests/unit/test_covenant_chains.py",
    ],
    "registry/domain/risk_countries.py": ["tests/unit/test_risk_countries.py"],
}
# what the copy needs: the packages and the tests (not .venv, var, .git)
COPIED = ("registry", "grievance", "keys", "projections", "trustone", "tests", "pyproject.toml")
PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-m", "not postgres"]
MAX_STRING = 40

_SWAPS: dict[type, list[type]] = {
    ast.Lt: [ast.LtE, ast.GtE],
    ast.LtE: [ast.Lt, ast.Gt],
    ast.Gt: [ast.GtE, ast.LtE],
    ast.GtE: [ast.Gt, ast.Lt],
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
}
_SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


@dataclass(frozen=True)
class Mutant:
    module: str
    line: int
    description: str  # what changed, and the source line it changed in: stable across line moves
    source: str  # the whole mutated module

    def key(self) -> tuple[str, str]:
        return self.module, self.description


# --- making mutants -------------------------------------------------------------------------------

Edit = Callable[[ast.AST], None]  # changes the node (a copy) in place


def _docstring_ids(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                ids.add(id(body[0].value))
    return ids


def _annotation_ids(tree: ast.Module) -> set[int]:
    """Nodes inside annotations: changing them changes nothing at run time."""
    ids = set()
    for node in ast.walk(tree):
        parts = []
        if isinstance(node, ast.AnnAssign):
            parts.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(node.returns)
            parts.extend(a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg))
        for part in parts:
            if part is not None:
                ids.update(id(n) for n in ast.walk(part))
    return ids


def _table_ids(tree: ast.Module) -> set[int]:
    """Nodes inside the values of module-level assignments (the module's tables)."""
    ids = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            ids.update(id(n) for n in ast.walk(stmt.value))
    return ids


def _xx(value: str | bytes) -> str | bytes:
    return "XX" + value + "XX" if isinstance(value, str) else b"XX" + value + b"XX"


def _sites(tree: ast.Module) -> Iterator[tuple[ast.AST, str, Edit]]:
    """Every (node, description, edit) the operators above allow, in a fixed order."""
    skip = _docstring_ids(tree) | _annotation_ids(tree)
    tables = _table_ids(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                yield node, f"{value} -> {not value}", lambda n: setattr(n, "value", not n.value)
            elif isinstance(value, (int, float)):
                for delta in (1, -1):
                    yield node, f"{value!r} -> {value + delta!r}", lambda n, d=delta: setattr(n, "value", n.value + d)
            elif isinstance(value, (str, bytes)) and len(value) <= MAX_STRING:
                yield node, f"{value!r} -> {_xx(value)!r}", lambda n: setattr(n, "value", _xx(n.value))
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                for new in _SWAPS.get(type(op), []):
                    yield (
                        node,
                        f"`{_SYMBOL[type(op)]}` -> `{_SYMBOL[new]}`",
                        lambda n, i=i, new=new: n.ops.__setitem__(i, new()),
                    )
        elif isinstance(node, ast.BoolOp):
            new_op, text = (ast.Or, "`and` -> `or`") if isinstance(node.op, ast.And) else (ast.And, "`or` -> `and`")
            yield node, text, lambda n, new_op=new_op: setattr(n, "op", new_op())
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield (
                node,
                "`not x` -> `x`",
                lambda n: setattr(n, "operand", ast.UnaryOp(ast.Not(), n.operand)),
            )  # not not x
        elif (
            isinstance(node, ast.If) and len(node.body) == 1 and isinstance(node.body[0], ast.Raise) and not node.orelse
        ):
            yield node, "`if ...: raise` deleted", lambda n: setattr(n, "test", ast.Constant(False))
        if id(node) in tables:
            yield from _table_sites(node)


def _label(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 50 else text[:47] + "..."


def _table_sites(node: ast.AST) -> Iterator[tuple[ast.AST, str, Edit]]:
    if isinstance(node, ast.Dict):
        for i, key in enumerate(node.keys):
            if key is None:
                continue
            yield node, f"table entry {_label(key)} deleted", lambda n, i=i: (n.keys.pop(i), n.values.pop(i))
        inner = [v for v in node.values if isinstance(v, ast.Dict)]
        for i, value in enumerate(node.values):
            if not isinstance(value, ast.Dict):
                continue
            have = {ast.dump(k) for k in value.keys if k is not None}
            added: set[str] = set()
            for sibling in inner:
                for key, sibling_value in zip(sibling.keys, sibling.values):
                    dumped = ast.dump(key) if key is not None else ""
                    if key is None or dumped in have or dumped in added:
                        continue
                    added.add(dumped)
                    yield (
                        node,
                        f"table entry {_label(node.keys[i])}: {_label(key)} added",
                        lambda n, i=i, k=key, v=sibling_value: (
                            n.values[i].keys.append(copy.deepcopy(k)),
                            n.values[i].values.append(copy.deepcopy(v)),
                        ),
                    )
    elif (
        isinstance(node, (ast.Set, ast.Tuple, ast.List))
        and len(node.elts) > 1
        and not isinstance(getattr(node, "ctx", None), ast.Store)
    ):
        for i, element in enumerate(node.elts):
            yield node, f"element {_label(element)} deleted", lambda n, i=i: n.elts.pop(i)


def mutants(module: str, source: str) -> list[Mutant]:
    """One Mutant per site: the site is found again by its position in a fresh parse."""
    lines = source.splitlines()
    result: list[Mutant] = []
    seen: dict[tuple[str, str], int] = {}
    for index, (node, what, _) in enumerate(_sites(ast.parse(source))):
        tree = ast.parse(source)
        target, _, edit = list(_sites(tree))[index]
        edit(target)
        line = getattr(node, "lineno", 0)
        description = f"{what} in `{lines[line - 1].strip()}`" if line else what
        count = seen[(module, description)] = seen.get((module, description), 0) + 1
        if count > 1:
            description += f" (#{count})"
        result.append(Mutant(module, line, description, ast.unparse(ast.fix_missing_locations(tree)) + "\n"))
    return result


# --- running them ---------------------------------------------------------------------------------


def read_equivalent(path: Path) -> dict[tuple[str, str], str]:
    """``module | description | reason`` per line; # starts a comment line."""
    known = {}
    if not path.exists():
        return known
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in raw.split(" | ")]
        if len(parts) != 3 or not all(parts):
            raise SystemExit(f"{path}:{number}: expected 'module | mutant description | reason'")
        known[(parts[0], parts[1])] = parts[2]
    return known


class Sandbox:
    """A copy of the repository's packages and tests, in which one module at a time is mutated."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="trustone-mutants-"))
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.dir / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
            else:
                shutil.copy2(src, self.dir / name)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(self.dir),
            "PYTHONDONTWRITEBYTECODE": "1",
            "TRUSTONE_REQUIRE_POSTGRES": "0",
            # no third-party pytest plugins (schemathesis...): a second less per mutant
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        self.env.pop("TRUSTONE_TEST_POSTGRES_URL", None)

    def run(self, tests: list[str], timeout: float) -> tuple[bool, float]:
        """(passed, seconds); a run past the timeout counts as failed (the mutant hangs: killed).

        The tests run in a forked child of this process, which has imported pytest and the heavy
        third-party libraries once (never the project's own modules): a mutant costs its tests'
        time, not an interpreter start.
        """
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: the copy's modules, fresh
            code = 3
            try:
                os.chdir(self.dir)
                os.environ.clear()
                os.environ.update(self.env)
                sys.path.insert(0, str(self.dir))
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                import pytest

                code = int(pytest.main([*PYTEST_ARGS, *tests]))
            finally:
                os._exit(code)
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) == 0, time.monotonic() - start
            if time.monotonic() - start > timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return False, time.monotonic() - start
            time.sleep(0.02)

    def imports_from_copy(self, module: str) -> bool:
        name = module.removesuffix(".py").replace("/", ".")
        done = subprocess.run(  # noqa: PLW1510 - the return code is read below
            [sys.executable, "-c", f"import {name}; print({name}.__file__)"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip() == str(self.dir / module)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Score:
    module: str
    total: int = 0
    killed: int = 0
    equivalent: list[tuple[Mutant, str]] | None = None
    survived: list[Mutant] | None = None


def run_module(sandbox: Sandbox, module: str, tests: list[str], known: dict[tuple[str, str], str]) -> Score:
    path = sandbox.dir / module
    original = path.read_text(encoding="utf-8")
    score = Score(module, equivalent=[], survived=[])
    if not sandbox.imports_from_copy(module):
        raise SystemExit(f"{module}: the tests would not import the copy in {sandbox.dir}")
    passed, baseline = sandbox.run(tests, timeout=1800)
    if not passed:
        raise SystemExit(f"{module}: the tests fail before any mutation: {' '.join(tests)}")
    timeout = max(60.0, 10 * baseline)
    found = mutants(module, original)
    print(f"{module}: {len(found)} mutants, tests take {baseline:.1f}s", flush=True)
    try:
        for number, mutant in enumerate(found, 1):
            path.write_text(mutant.source, encoding="utf-8")
            passed = all(sandbox.run([test], timeout)[0] for test in tests)  # one file at a time: stops early
            score.total += 1
            if not passed:
                score.killed += 1
            elif mutant.key() in known:
                score.equivalent.append((mutant, known[mutant.key()]))
            else:
                score.survived.append(mutant)
            mark = "." if not passed else ("e" if mutant.key() in known else "S")
            print(mark, end="\n" if number % 60 == 0 else "", flush=True)
    finally:
        path.write_text(original, encoding="utf-8")
    print(flush=True)
    return score


def report(scores: list[Score]) -> bool:
    print("\n| module | mutants | killed | equivalent | survived |\n|---|---:|---:|---:|---:|")
    for s in scores:
        print(f"| {s.module} | {s.total} | {s.killed} | {len(s.equivalent)} | {len(s.survived)} |")
    for s in scores:
        for mutant, reason in s.equivalent:
            print(f"equivalent {s.module}:{mutant.line}: {mutant.description}\n    because {reason}")
    clean = True
    for s in scores:
        for mutant in s.survived:
            clean = False
            print(f"SURVIVED {s.module}:{mutant.line}: {mutant.description}")
    return clean


def _preload() -> None:
    """Import pytest and the project's third-party dependencies once, before any fork."""
    import importlib

    for name in (
        "pytest",
        "hypothesis",
        "cryptography.hazmat.primitives.ciphers.aead",
        "eventsourcing.application",
        "eventsourcing.sqlite",
        "eventsourcing.postgres",
        "psycopg",
        "starlette.applications",
        "fastapi",
        "openpyxl",
        "pydantic",
    ):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="module paths (default: the five covenant modules)")
    parser.add_argument("--tests", nargs="+", help="test paths (default: the module's own set)")
    parser.add_argument("--equivalent", type=Path, default=EQUIVALENT_FILE, help="allow-list of equivalent mutants")
    parser.add_argument("--list", action="store_true", help="print the mutants and run nothing")
    args = parser.parse_args(argv)
    modules = args.modules or list(DEFAULT_TARGETS)
    known = read_equivalent(args.equivalent)
    if args.list:
        for module in modules:
            for mutant in mutants(module, (ROOT / module).read_text(encoding="utf-8")):
                print(f"{module}:{mutant.line}: {mutant.description}")
        return 0
    _preload()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the copy is removed
    sandbox = Sandbox()
    try:
        scores = []
        for module in modules:
            tests = args.tests or DEFAULT_TARGETS.get(module)
            if not tests:
                parser.error(f"no default tests for {module}: pass --tests")
            scores.append(run_module(sandbox, module, tests, known))
    finally:
        sandbox.close()
    return 0 if report(scores) else 1


if __name__ == "__main__":
    sys.exit(main())
