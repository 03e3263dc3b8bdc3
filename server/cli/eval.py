"""`frontdesk eval …`: run eval suites of scripted dialogues, compare two runs, print the format's schema."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="Run eval suites of scripted dialogues, compare two runs, export the suite format's schema.",
    no_args_is_help=True,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

if TYPE_CHECKING:
    from evals.dialogues.compare import Comparison
    from evals.dialogues.results import DialogueResult
    from evals.dialogues.run import RunResult


def _line(result: DialogueResult) -> str:
    dialogue = result.dialogue
    trials = f" {result.successes}/{len(result.trials)}" if len(result.trials) > 1 else ""
    if result.status == "passed":
        return f"[green]PASS[/green]{trials} {dialogue.id}"
    if result.status == "skipped":
        return f"[yellow]SKIP[/yellow] {dialogue.id} [dim]({result.skip_reason})[/dim]"
    failing = next(trial for trial in result.trials if not trial.passed)
    text = f"[red]FAIL[/red]{trials} {dialogue.id} [dim]({dialogue.source})[/dim]"
    if failing.error is not None:
        return text + f"\n     [red]error:[/red] {_escape(failing.error)}"
    check = next(check for check in failing.checks if not check.passed)
    where = f" (line {check.line})" if check.line is not None else ""
    return (
        f"{text}\n     {_escape(check.path)}{where}\n"
        f"       [green]expected:[/green] {_escape(check.expected)}\n"
        f"       [red]got:     [/red] {_escape(check.got)}"
    )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _show(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _print_metrics(run: RunResult) -> None:
    from evals.dialogues.outputs import summary

    table = Table("metric", "value", title="frontdesk eval", title_justify="left")
    for name, value in summary(run.metrics).items():
        table.add_row(name, _show(value))
    out.print(table)
    for title, groups in (("per language", run.metrics.by_language), ("per tag", run.metrics.by_tag)):
        breakdown = Table(
            "name", "dialogues", "passed", "success", "routing", "slots", title=title, title_justify="left"
        )
        for group in groups:
            breakdown.add_row(
                group.name,
                str(group.dialogues),
                str(group.passed),
                _show(group.success),
                _show(group.routing.value),
                _show(group.slots.value),
            )
        out.print(breakdown)


@app.command("run")
def run_command(
    paths: Annotated[list[Path], typer.Argument(help="Suite files or folders (*.yaml, recursively).")],
    repeat: Annotated[int, typer.Option(min=1, help="Trials per dialogue (pass^1..pass^k).")] = 1,
    llm: Annotated[
        bool, typer.Option("--llm", help="Understand with the LLM from OPENAI_* settings.")
    ] = False,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write every result as JSON here.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Only dialogues with this tag (repeatable).")] = None,
    id_: Annotated[
        list[str] | None, typer.Option("--id", help="Only this dialogue id or pattern (repeatable).")
    ] = None,
    exitfirst: Annotated[
        bool, typer.Option("-x", "--exitfirst", help="Stop at the first failing dialogue.")
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, help="Dialogues running at once.")] = 4,
) -> None:
    """Run dialogues through the real path on fresh SQLite databases and grade every expectation.

    Prints PASS / FAIL per dialogue (with the first failing expectation, expected vs got) and the
    metrics. Exit code: 0 all passed, 1 a dialogue failed, 2 the suites or settings are unusable.
    """
    from evals.dialogues.html_report import write_html
    from evals.dialogues.junit import write_junit
    from evals.dialogues.loading import load_suites
    from evals.dialogues.outputs import write_json
    from evals.dialogues.problems import SuiteInvalid
    from evals.dialogues.run import RunOptions, run_dialogues, select
    from server.settings import Settings
    from tools.errors import ConfigError

    try:
        loaded = load_suites(paths)
    except SuiteInvalid as error:
        for problem in error.problems:
            err.print(problem.describe(), markup=False)
        raise typer.Exit(2) from None
    chosen = select(loaded.dialogues, tags=tag or (), ids=id_ or ())
    if not chosen:
        err.print("no dialogue matches the --tag / --id filters", markup=False)
        raise typer.Exit(2)
    options = RunOptions(repeat=repeat, llm=llm, concurrency=concurrency, fail_fast=exitfirst)
    columns = (TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task("eval", total=len(chosen))

        def heard(result: DialogueResult) -> None:
            progress.console.print(_line(result))
            progress.advance(task)

        try:
            run = asyncio.run(
                run_dialogues(
                    loaded,
                    Settings(),
                    options,
                    dialogues=chosen,
                    paths=[str(p) for p in paths],
                    on_result=heard,
                )
            )
        except ConfigError as error:
            err.print(str(error), markup=False)
            raise typer.Exit(2) from None
    _print_metrics(run)
    for path, write in ((json_path, write_json), (junit, write_junit), (report, write_html)):
        if path is not None:
            write(run, path)
            out.print(f"wrote {path}")
    out.print(
        f"{run.metrics.passed} passed, {run.metrics.failed} failed, {run.metrics.skipped} skipped "
        f"in {run.metadata.seconds} s"
    )
    raise typer.Exit(1 if run.failed else 0)


def _print_comparison(result: Comparison) -> None:
    for title, ids, colour in (
        ("regressed (passed → failed)", result.regressed, "red"),
        ("improved (failed → passed)", result.improved, "green"),
        ("new dialogues", result.added, "cyan"),
        ("removed dialogues", result.removed, "yellow"),
    ):
        if ids:
            out.print(f"[{colour}]{title}[/{colour}]: " + ", ".join(_escape(i) for i in ids))
    table = Table("metric", "A", "B", "Δ", "", title="metrics", title_justify="left")
    for metric in result.metrics:
        delta = metric.delta
        verdict = (
            "[red]worse[/red]" if metric.regressed else "[green]better[/green]" if metric.improved else ""
        )
        table.add_row(metric.name, _show(metric.before), _show(metric.after), _show(delta), verdict)
    out.print(table)


@app.command("compare")
def compare_command(
    before: Annotated[Path, typer.Argument(help="The earlier results file (--json).")],
    after: Annotated[Path, typer.Argument(help="The later results file (--json).")],
    tolerance: Annotated[
        float, typer.Option(min=0, help="Quality drops up to this much are not regressions.")
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """What regressed and what improved from A to B: dialogues that flipped and metric deltas.

    Exit code 1 when a dialogue went from pass to fail or a quality metric dropped.
    """
    from evals.dialogues.compare import compare, read_summary
    from tools.errors import ConfigError

    try:
        result = compare(read_summary(before), read_summary(after), tolerance=tolerance)
    except ConfigError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(2) from None
    if as_json:
        document = {
            "regressed": list(result.regressed),
            "improved": list(result.improved),
            "added": list(result.added),
            "removed": list(result.removed),
            "metrics": {
                m.name: {"before": m.before, "after": m.after, "delta": m.delta} for m in result.metrics
            },
            "has_regressions": result.has_regressions,
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_comparison(result)
        out.print(
            "[red]regressions found[/red]" if result.has_regressions else "[green]no regressions[/green]"
        )
    raise typer.Exit(1 if result.has_regressions else 0)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Print the JSON Schema of eval suite files (for editors and validators)."""
    from evals.dialogues.format import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
