"""The registry's use cases: one application call per capability (docs/design-notes.md, "Where things go").

Each call takes the principal (a person, or a named system principal for the CLI and background
jobs), gathers the facts the policy needs, asks the policy through the filter (which logs every
attempt, granted or denied), and returns plain values or raises a named error. Routes, CLI commands
and pages are adapters around these calls: they parse, call and map the error; they decide nothing.
Each use case is built once, by the composition root, with the narrow dependencies it names.
"""
