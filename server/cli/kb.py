"""`frontdesk kb …`: ingest a business's documents, search them, score retrieval on labelled questions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from server.settings import DEFAULT_PLAYBOOK

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase
    from knowledge.evaluation import EvalReport
    from knowledge.ingest import IngestReport

app = typer.Typer(
    help="The knowledge base: ingest documents, search them, evaluate retrieval.", no_args_is_help=True
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EVAL_SETS = Path("evals/kb")

PlaybookOption = Annotated[Path, typer.Option("--playbook", "-p", help="The business's playbook.")]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the embedded knowledge base lives (default: FRONTDESK_DATA_DIR)."),
]


def _open(playbook: Path, data_dir: Path | None) -> KnowledgeBase:
    """The playbook's knowledge base on the configured store; problems exit with code 2."""
    from knowledge.base import KnowledgeBase
    from knowledge.business import KnowledgeSource
    from knowledge.model import KnowledgeError
    from server.settings import Settings
    from tools.playbook import PlaybookInvalid

    settings = Settings()
    try:
        source = KnowledgeSource.from_playbook(playbook)
        return KnowledgeBase.open(
            source,
            data_dir=data_dir or settings.data_dir,
            chroma_url=None if data_dir else settings.chroma_url,
        )
    except PlaybookInvalid as error:
        for problem in error.problems:
            err.print(problem.describe(str(playbook)), markup=False)
        raise typer.Exit(2) from None
    except KnowledgeError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(2) from None


def _print_ingest(report: IngestReport) -> None:
    table = Table("documents", "count", title=f"kb ingest: {report.business}", title_justify="left")
    for label, items in (
        ("added", report.added),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("removed", report.removed),
    ):
        table.add_row(label, str(len(items)))
    out.print(table)
    for label, items in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        for document in items:
            out.print(f"  {label}: {escape(document)}")
    for skipped in report.skipped:
        err.print(f"skipped {skipped.path}: {skipped.reason}", markup=False)
    out.print(
        f"{report.chunks_written} chunks written, {report.chunks_deleted} deleted, "
        f"{report.chunks_total} in the collection ({report.seconds:.1f} s)"
    )


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders (default: the playbook's knowledge.paths).", show_default=False
        ),
    ] = None,
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    data_dir: DataDirOption = None,
    root: Annotated[
        Path | None,
        typer.Option(help="Document ids are paths relative to this folder (default: the playbook's)."),
    ] = None,
) -> None:
    """Read Markdown, text, HTML and PDF files into the business's knowledge base.

    Only documents whose content changed are embedded again; documents that disappeared from the
    given paths are removed (documents elsewhere are kept). Document ids are paths relative to the
    playbook's folder (or --root). Exit code 2 when a path, the playbook or the store is unusable.
    """
    from knowledge.model import KnowledgeError

    kb = _open(playbook, data_dir)
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task("ingest", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            report = kb.ingest(paths or None, root=root, progress=advance)
        except KnowledgeError as error:
            err.print(str(error), markup=False)
            raise typer.Exit(2) from None
    _print_ingest(report)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question, as a customer would ask it.")],
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    lang: Annotated[str | None, typer.Option("--lang", help="en or ru (default: detected).")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages.")] = 5,
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Print the best passages for a question with their scores and sources, and the offline answer."""
    from knowledge.answer import answer
    from knowledge.language import parse_language

    try:
        language = parse_language(lang) if lang else None
    except ValueError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(2) from None
    kb = _open(playbook, data_dir)
    if kb.count() == 0:
        err.print(
            f"the knowledge base of {kb.business} is empty: run `frontdesk kb ingest` first", markup=False
        )
        raise typer.Exit(2)
    result = kb.search(query, language=language, k=k)
    reply = answer(result, kb.retriever.lexical.idf)
    if as_json:
        passages = [
            {"rank": p.rank, "score": round(p.score, 4), "relevance": round(p.relevance, 4),
             "document": p.document, "citation": p.citation, "text": p.text}
            for p in result.passages
        ]  # fmt: skip
        payload = {
            "query": query,
            "language": result.language,
            "confidence": round(result.confidence, 4),
            "threshold": result.threshold,
            "answerable": result.answerable,
            "answer": {"text": reply.text, "citation": reply.citation} if reply else None,
            "passages": passages,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for passage in result.passages:
        out.print(
            f"[bold]{passage.rank}.[/bold] score {passage.score:.2f} · relevance {passage.relevance:.2f} · "
            f"[cyan]{escape(passage.citation)}[/cyan] [dim]({escape(passage.document)})[/dim]"
        )
        out.print("   " + escape(passage.text).replace("\n", "\n   "))
    verdict = "[green]answerable[/green]" if result.answerable else "[yellow]not answerable[/yellow]"
    out.print(
        f"confidence {result.confidence:.2f} (threshold {result.threshold:.2f}, {result.language}): {verdict}"
    )
    if reply is not None:
        out.print(f"[bold]answer:[/bold] {escape(reply.text)} [dim]— {escape(reply.citation)}[/dim]")


def _print_eval(report: EvalReport, misses: bool) -> None:
    table = Table(
        "lang", "n", "R@1", "R@3", "MRR", "sect@1", "answered", "OOD rejected",
        title=f"kb eval: {report.business} ({report.chunks} chunks)", title_justify="left",
    )  # fmt: skip
    for scores in report.languages:
        table.add_row(
            scores.language,
            str(scores.questions),
            f"{scores.recall_at_1:.3f}",
            f"{scores.recall_at_3:.3f}",
            f"{scores.mrr:.3f}",
            "–" if scores.section_at_1 is None else f"{scores.section_at_1:.3f}",
            f"{scores.answerable:.3f}",
            "–" if scores.rejected is None else f"{scores.rejected:.3f} of {scores.out_of_domain}",
        )
    out.print(table)
    out.print(
        "[dim]R@K: found in the top K passages · answered: confidence ≥ threshold "
        f"({', '.join(f'{s.language} {s.threshold:.2f}' for s in report.languages)}) · "
        "OOD rejected: out-of-domain questions below it[/dim]"
    )
    if misses:
        for scores in report.languages:
            for miss in scores.misses:
                got = ", ".join(miss.got)
                out.print(
                    f"  [yellow]miss[/yellow] {escape(miss.question)} → expected {miss.expected}, got {got}"
                )


def _select_sets(sets: Path, playbooks: list[Path]) -> list[Path]:
    from knowledge.evaluation import load_labelled_set

    files = sorted(sets.glob("*.yaml")) if sets.is_dir() else [sets]
    if not playbooks:
        return files
    wanted = {p.resolve() for p in playbooks}
    return [path for path in files if load_labelled_set(path).playbook in wanted]


@app.command("eval")
def eval_command(
    playbook: Annotated[
        list[Path] | None,
        typer.Option("--playbook", "-p", help="Only the sets of these playbooks (default: every set)."),
    ] = None,
    sets: Annotated[Path, typer.Option(help="A labelled set or a folder of them.")] = EVAL_SETS,
    min_recall3: Annotated[
        float | None, typer.Option("--min-recall3", min=0, max=1, help="Exit 1 if any language is below.")
    ] = None,
    min_rejected: Annotated[
        float | None,
        typer.Option("--min-rejected", min=0, max=1, help="Exit 1 if out-of-domain rejection is below."),
    ] = None,
    misses: Annotated[bool, typer.Option("--misses", help="List questions not found in the top 3.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Score retrieval on labelled questions: recall@1, recall@3, MRR per language, OOD rejection.

    Each set's playbook documents are ingested into a temporary knowledge base first.
    Exit code: 0 targets met, 1 a target missed, 2 a set or playbook is unusable.
    """
    from knowledge.embeddings import shared_embedder
    from knowledge.evaluation import run_labelled_set
    from knowledge.model import KnowledgeError
    from tools.playbook import PlaybookInvalid

    try:
        chosen = _select_sets(sets, playbook or [])
        if not chosen:
            err.print(f"no labelled set in {sets} matches the given playbooks", markup=False)
            raise typer.Exit(2)
        reports = [run_labelled_set(path, shared_embedder()) for path in chosen]
    except (KnowledgeError, PlaybookInvalid) as error:
        err.print(str(error), markup=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps([dataclasses.asdict(report) for report in reports], ensure_ascii=False))
    else:
        for report in reports:
            _print_eval(report, misses)
    scores = [s for report in reports for s in report.languages]
    failed = (min_recall3 is not None and any(s.recall_at_3 < min_recall3 for s in scores)) or (
        min_rejected is not None and any(s.rejected is not None and s.rejected < min_rejected for s in scores)
    )
    raise typer.Exit(1 if failed else 0)
