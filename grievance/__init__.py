"""Grievance cases and the complaints committee (DESIGN.md section 6). Built in issue 6."""
