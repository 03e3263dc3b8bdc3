"""Scripted dialogue evals: the suite format, the engine that runs it, metrics and reports.

Modules, in the order a run uses them: `format` / `format_expect` / `format_setup` (the YAML
format, pydantic), `loading` and `problems` (files → `model` dataclasses, precise errors),
`run` (a whole run), `trial` (one trial: `harness`, `seeding`, `execute`, `simulate`),
`recording` (store and understanding proxies), `checks`, `matching` and `snapshot` (grading),
`results` and `metrics`, and the outputs `outputs` (JSON), `junit`, `html_report` with
`charts`, and `compare`. See ``docs/evals.md``.
"""

__all__: list[str] = []
