"""Grievance cases and the complaints committee (docs/lifecycles.md). Built in issue 6."""
