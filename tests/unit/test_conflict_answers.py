"""A 409 names the steps allowed next whenever the refusal knows them: a step the state does not
allow (registry/domain/transitions.py) and a step chosen for a stage the case has left."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from grievance.domain.stages import IllegalTransitionError, Stage, StaleStageError
from registry.domain.errors import ConflictError
from trustone.web.errors import install_error_handlers


def _answer(error: Exception) -> dict:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/step")
    def step() -> None:
        raise error

    response = TestClient(app).get("/step")
    assert response.status_code == 409
    return response.json()


def test_a_step_not_allowed_names_the_allowed_steps() -> None:
    body = _answer(IllegalTransitionError("TS-2025-0001", Stage.FILED, "resolve", ["acknowledge"]))
    assert body["allowed_next"] == ["acknowledge"]


def test_a_stale_step_names_the_steps_allowed_in_the_stage_now() -> None:
    body = _answer(StaleStageError("TS-2025-0001", Stage.FILED, Stage.ACKNOWLEDGED))
    assert "acknowledge" in body["allowed_next"]


def test_another_conflict_names_none() -> None:
    assert "allowed_next" not in _answer(ConflictError("an organisation with ref x exists already"))
