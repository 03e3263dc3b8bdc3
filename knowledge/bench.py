"""`frontdesk bench kb`: ingestion rate and query latency of the knowledge base at 10,000 chunks.

Synthetic documents are recombined from the demo businesses' sentences (half English,
half Russian, seeded so every run is the same): each file has ten sections of 60–150
words, one chunk each. They go through the real path — files → `KnowledgeBase.ingest`
(read, chunk, embed, store) on a fresh embedded Chroma — and then the labelled
questions of ``evals/kb`` are asked round-robin.
"""

from __future__ import annotations

import gc
import random
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.chunking import split_sentences
from knowledge.documents import discover, read_document
from knowledge.embeddings import Embedder
from knowledge.evaluation import load_labelled_set
from tools.playbook._types import Language

SECTIONS_PER_FILE = 10


@dataclass(frozen=True)
class KbBenchReport:
    """The figures of one run."""

    chunks: int
    documents: int
    model_load_s: float
    """Loading the embedding model (once per process)."""
    ingest_s: float
    chunks_per_second: float
    """Ingestion rate: reading, chunking, embedding and storing."""
    open_s: float
    """Opening the ingested knowledge base in a new `KnowledgeBase` (rebuilding its lexical indexes)."""
    queries: int
    p50_ms: float
    p95_ms: float
    p50_en_ms: float
    p95_en_ms: float
    p50_ru_ms: float
    p95_ru_ms: float
    peak_rss_mb: float
    """The process's peak resident memory over the whole run (model, ingestion and search)."""


def _sentences(examples: Path) -> dict[Language, list[str]]:
    pool: dict[Language, list[str]] = {"en": [], "ru": []}
    for folder in sorted(examples.glob("*/kb")):
        for source in discover([folder], folder.parent):
            document = read_document(source)
            for section in document.sections:
                for block in section.blocks:
                    pool[document.language].extend(s for s in split_sentences(block) if len(s.split()) >= 4)
    return pool


def write_corpus(target: Path, examples: Path, chunks: int, seed: int = 7) -> int:
    """Write Markdown files holding about `chunks` sections under `target`; returns the file count."""
    rng = random.Random(seed)
    pool = _sentences(examples)
    files = max(1, -(-chunks // SECTIONS_PER_FILE))
    for index in range(files):
        language: Language = "en" if index % 2 == 0 else "ru"
        sentences = pool[language]
        lines = [f"# {rng.choice(sentences)[:60]} {index}"]
        for section in range(min(SECTIONS_PER_FILE, chunks - index * SECTIONS_PER_FILE)):
            lines.append(f"\n## {' '.join(rng.choice(sentences).split()[:5])} {section}\n")
            words = 0
            goal = rng.randint(60, 150)
            while words < goal:
                sentence = rng.choice(sentences)
                lines.append(sentence)
                words += len(sentence.split())
        (target / language).mkdir(parents=True, exist_ok=True)
        (target / language / f"doc-{index:05d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def _questions(sets: Path) -> list[tuple[str, Language]]:
    questions: list[tuple[str, Language]] = []
    for path in sorted(sets.glob("*.yaml")):
        labelled = load_labelled_set(path)
        questions.extend((q.q, q.lang) for q in labelled.questions)
    return questions


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(
    embedder: Embedder, *, examples: Path, sets: Path, chunks: int = 10_000, queries: int = 200
) -> KbBenchReport:
    """Ingest `chunks` synthetic chunks into a temporary knowledge base and time `queries` searches."""
    started = time.perf_counter()
    embedder.embed(["warm-up"])
    model_load = time.perf_counter() - started
    asked = _questions(sets)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-kb-") as folder:
        root = Path(folder)
        corpus = root / "corpus"
        documents = write_corpus(corpus, examples, chunks)
        writer = KnowledgeBase.open("bench", data_dir=root / "data", embedder=embedder)
        report = writer.ingest([corpus], root=root)
        del writer
        gc.collect()
        started = time.perf_counter()
        fresh = KnowledgeBase.open("bench", data_dir=root / "data", embedder=embedder)
        open_s = time.perf_counter() - started
        timings: dict[Language, list[float]] = {"en": [], "ru": []}
        for index in range(queries):
            question, language = asked[index % len(asked)]
            started = time.perf_counter()
            fresh.search(question, language=language)
            timings[language].append((time.perf_counter() - started) * 1000)
    every = timings["en"] + timings["ru"]
    return KbBenchReport(
        chunks=report.chunks_total,
        documents=documents,
        model_load_s=round(model_load, 2),
        ingest_s=round(report.seconds, 1),
        chunks_per_second=round(report.chunks_written / report.seconds, 1) if report.seconds else 0.0,
        open_s=round(open_s, 2),
        queries=len(every),
        p50_ms=round(statistics.median(every), 1) if every else 0.0,
        p95_ms=round(_percentile(every, 0.95), 1),
        p50_en_ms=round(_percentile(timings["en"], 0.5), 1),
        p95_en_ms=round(_percentile(timings["en"], 0.95), 1),
        p50_ru_ms=round(_percentile(timings["ru"], 0.5), 1),
        p95_ru_ms=round(_percentile(timings["ru"], 0.95), 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
