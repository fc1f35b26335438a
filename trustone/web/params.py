"""Path parameters shared by the routes: each integer bounded, so that no value reaches the store
that its INTEGER column cannot hold (tests/e2e/test_integer_bounds.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

YearPath = Annotated[int, Path(ge=2000, le=2100, description="report year")]
CaseReferencePath = Annotated[str, Path(pattern=r"^TS-\d{4}-\d{4,}$", description="case reference, e.g. TS-2026-0001")]
