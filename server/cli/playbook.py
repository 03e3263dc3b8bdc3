"""`frontdesk playbook …`: check a playbook, print its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tools.playbook import Playbook, PlaybookInvalid, load_playbook

app = typer.Typer(help="Check playbooks and export their JSON Schema.", no_args_is_help=True)
out = Console()
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _summary(path: Path, playbook: Playbook) -> Table:
    business = playbook.business
    language = business.default_language
    table = Table(
        title=f"{path}: OK — {business.name.get(language)}", show_header=False, title_justify="left"
    )
    bookable = sum(1 for s in playbook.services if s.bookable)
    examples = {
        lang: sum(len(e.get(lang)) for e in playbook.examples.values()) for lang in business.languages
    }
    sources = [path.parent / p for p in playbook.knowledge.paths]
    documents = sum(1 for source in sources if source.exists() for f in source.rglob("*") if f.is_file())
    rows = [
        (
            "business",
            f"{business.id} · {business.timezone} · {', '.join(business.languages)} · {business.currency}",
        ),
        (
            "services",
            f"{len(playbook.services)} ({bookable} bookable, {len(playbook.services) - bookable} quoted)",
        ),
        ("products", str(len(playbook.products))),
        ("staff", f"{len(playbook.staff)} ({sum(1 for m in playbook.staff if m.sales)} in sales)"),
        ("resources", str(len(playbook.resources))),
        ("regions", str(len(playbook.regions))),
        ("templates", str(len(playbook.templates))),
        (
            "examples",
            ", ".join(f"{lang}: {count}" for lang, count in examples.items())
            + f" over {len(playbook.examples)} intents",
        ),
        ("holidays", str(len(playbook.hours.holidays))),
        ("knowledge", f"{documents} files in {', '.join(str(s) for s in sources)}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Playbook files to check.", show_default=False)],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")] = False,
) -> None:
    """Validate playbooks; print a summary of each good one and every problem of each bad one.

    Problems are printed one per line as [bold]FILE: FIELD.PATH: what is wrong, got VALUE (line N)[/bold].
    The exit code is 1 when any file has a problem.
    """
    failed = False
    for path in paths:
        try:
            playbook = load_playbook(path)
        except PlaybookInvalid as error:
            failed = True
            for problem in error.problems:
                err.print(problem.describe(str(path)), markup=False)
            continue
        if not quiet:
            out.print(_summary(path, playbook))
    raise typer.Exit(1 if failed else 0)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Print the playbook's JSON Schema (for editors and validators)."""
    document = Playbook.model_json_schema(mode="validation")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "Frontdesk playbook"
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
