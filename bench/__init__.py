"""Benchmarks of issue 12: ``python -m bench`` (see bench/README.md)."""
