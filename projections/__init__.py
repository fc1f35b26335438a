"""The lists as exactly-once projections (docs/lists.md). Built in issue 5."""
