"""The lists as exactly-once projections (DESIGN.md section 5). Built in issue 5."""
