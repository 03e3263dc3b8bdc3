"""`frontdesk nlu`: see how the offline understanding reads each line of a data set."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.understanding import DialogueContext, Understanding
from server.settings import Settings
from tools.playbook import load_playbook

out = Console()


def as_record(meaning: Understanding) -> dict[str, Any]:
    """An understanding as a JSON-ready record (entities without empty fields)."""
    entities = {k: v for k, v in dataclasses.asdict(meaning.entities).items() if v not in (None, (), [], "")}
    return {
        "text": meaning.text,
        "agent": meaning.agent.value,
        "intent": meaning.intent.value,
        "confidence": round(meaning.confidence, 3),
        "language": meaning.language,
        "alternatives": [
            {"intent": a.intent.value, "score": round(a.score, 3)} for a in meaning.alternatives[:2]
        ],
        "extra_intents": [i.value for i in meaning.extra_intents],
        "negative": meaning.negative,
        "repair": meaning.repair.value if meaning.repair else None,
        "entities": json.loads(json.dumps(entities, default=str, ensure_ascii=False)),
    }


def nlu(
    playbook: Annotated[
        Path | None, typer.Option(help="The playbook whose catalogue and examples to use.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line instead of a table.")
    ] = False,
    expecting: Annotated[
        str | None, typer.Option(help="Pretend the last question asked for this slot.")
    ] = None,
) -> None:
    """Read utterances from standard input, one per line, and print how each is understood.

    Each JSON line has text, agent (sales, booking, quoting, support, internal, human, optout,
    smalltalk, unknown), intent, confidence, language, alternatives, negative, repair and entities.
    """
    from agents.understanding.adapter import OfflineUnderstanding

    settings = Settings(**({"playbook": playbook} if playbook else {}))  # type: ignore[arg-type]
    understanding = OfflineUnderstanding(
        load_playbook(settings.playbook), cache_dir=settings.data_dir / "cache"
    )
    context = DialogueContext(now=datetime.now(UTC), expecting=expecting)
    table = Table("text", "agent", "intent", "conf", "lang", "entities")
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        record = as_record(understanding.understand_now(text, context))
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            table.add_row(
                text[:60],
                record["agent"],
                record["intent"],
                f"{record['confidence']:.2f}",
                record["language"],
                json.dumps(record["entities"], ensure_ascii=False)[:80],
            )
    if not as_json:
        out.print(table)
