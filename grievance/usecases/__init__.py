"""The grievance cases' use cases: one application call per capability (docs/design-notes.md).

As in registry/usecases: each call takes the principal (a person, or a named system principal for
the CLI and background jobs) and the request id, gathers the facts the policy needs (``facts.py``,
the one place they are gathered for a case), asks the policy through the filter (every attempt is
one access-log entry), and returns plain values (``results.py``) or raises a named error. What a role
sees of a case and which cases are on its desk are tables next to the policy
(keys/access/visibility.py), read here. The grievance application (grievance/application.py) keeps
the aggregate work: filing, the lifecycle, matching, notifying, the ruling.
"""
