"""HTTP entry point: FastAPI app factory, JSON API under /api/v1."""
