"""Composition root and entry points (CLI, HTTP) of the TruStone registry."""
