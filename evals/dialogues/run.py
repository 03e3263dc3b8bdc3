"""Run loaded dialogues: each on a fresh SQLite copy, a few at a time, `repeat` trials each.

The migrated database is created once per run and copied for every trial; each
playbook's understanding is built once per run (the offline classifier comes from the
data directory's cache). ``--llm`` uses the LLM adapter from the settings; simulated
dialogues need an LLM configured and are skipped (not failed) without one.
"""

from __future__ import annotations

import asyncio
import fnmatch
import platform
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from agents.knowledge import KnowledgeAnswerer
from agents.understanding import Understander
from agents.understanding.adapter import OfflineUnderstanding
from evals.dialogues.harness import migrated_template, warm_up
from evals.dialogues.loading import ROOT, LoadedSuites
from evals.dialogues.metrics import Metrics, compute
from evals.dialogues.model import Dialogue
from evals.dialogues.results import DialogueResult, RunMetadata, Trial, verdict
from evals.dialogues.trial import TrialSetup, run_trial
from server.assembly import create_understanding, open_knowledge
from server.settings import Settings
from tools.errors import ConfigError

SKIP_NO_LLM = "simulated customer: needs an LLM (set OPENAI_API_KEY, and OPENAI_BASE_URL for a local server)"


@dataclass(frozen=True)
class RunOptions:
    """How to run."""

    repeat: int = 1
    """Trials per dialogue (pass^k is reported for k = 1..repeat)."""
    llm: bool = False
    """Understand with the LLM adapter from the settings instead of the offline one."""
    concurrency: int = 4
    """Dialogues running at once."""
    fail_fast: bool = False
    """Stop at the first failing dialogue."""


@dataclass(frozen=True)
class RunResult:
    """Everything a run produced."""

    results: tuple[DialogueResult, ...]
    metrics: Metrics
    metadata: RunMetadata
    llm_usage: Mapping[str, int] = field(default_factory=dict)
    """Totals of the LLM adapters with ``--llm``: calls, failures, input and output tokens."""

    @property
    def failed(self) -> bool:
        """Whether any dialogue failed."""
        return any(result.status == "failed" for result in self.results)


def select(
    dialogues: Sequence[Dialogue], *, tags: Sequence[str] = (), ids: Sequence[str] = ()
) -> list[Dialogue]:
    """The dialogues with any of `tags` and matching any of `ids` (shell patterns); all when none given."""
    chosen = []
    for dialogue in dialogues:
        if tags and not set(tags) & set(dialogue.tags):
            continue
        if ids and not any(fnmatch.fnmatchcase(dialogue.id, pattern) for pattern in ids):
            continue
        chosen.append(dialogue)
    return chosen


def git_commit(root: Path = ROOT) -> str | None:
    """The checked-out commit, read from ``.git`` (no git command is run), or None."""
    git = root / ".git"
    try:
        if git.is_file():
            git = (root / git.read_text(encoding="utf-8").split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head.removeprefix("ref: ")
        if (git / ref).is_file():
            return (git / ref).read_text(encoding="utf-8").strip()
        packed = git / "packed-refs"
        lines = packed.read_text(encoding="utf-8").splitlines() if packed.is_file() else []
        return next((line.split()[0] for line in lines if line.endswith(f" {ref}")), None)
    except (OSError, IndexError):
        return None


def understanders(loaded: LoadedSuites, settings: Settings, *, llm: bool) -> dict[Path, Understander]:
    """One understanding per playbook: offline (cached classifier) or, with `llm`, the LLM adapter.

    Raises:
        ConfigError: `llm` without an API key in the settings.
    """
    if llm and settings.openai_api_key is None:
        raise ConfigError(
            "--llm needs an LLM: set OPENAI_API_KEY (and OPENAI_BASE_URL / OPENAI_MODEL for another server)"
        )
    made: dict[Path, Understander] = {}
    for path, playbook in loaded.playbooks.items():
        if llm:
            made[path] = create_understanding(settings.model_copy(update={"playbook": path}), playbook)
        else:
            made[path] = OfflineUnderstanding(playbook, cache_dir=settings.data_dir / "cache")
    return made


async def knowledge_bases(
    loaded: LoadedSuites, settings: Settings, *, llm: bool
) -> dict[Path, KnowledgeAnswerer]:
    """One knowledge base per playbook, kept in the data directory's cache (only changed documents are
    embedded again); answers are offline, or written by the LLM from the passages with `llm`."""
    from knowledge.answerers import open_answerer
    from knowledge.business import KnowledgeSource

    made: dict[Path, KnowledgeAnswerer] = {}
    cache = settings.data_dir / "cache" / "eval-knowledge"
    for path, playbook in loaded.playbooks.items():
        if llm:
            scoped = settings.model_copy(update={"playbook": path, "data_dir": cache})
            answerer = await open_knowledge(scoped, playbook)
        else:
            source = KnowledgeSource.of(playbook, path)
            answerer = await asyncio.to_thread(open_answerer, source, data_dir=cache)
        if answerer is not None:
            made[path] = answerer
    return made


def simulator_model(settings: Settings) -> BaseChatModel | None:
    """The chat model that plays simulated customers, when an LLM is configured."""
    if settings.openai_api_key is None:
        return None
    from agents.understanding.llm import create_chat_model

    return create_chat_model(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout_s=max(settings.llm_timeout_s, 30.0),
        max_retries=1,
    )


def _usage(made: Mapping[Path, Understander]) -> dict[str, int]:
    totals = {"calls": 0, "failures": 0, "input_tokens": 0, "output_tokens": 0}
    for understander in made.values():
        usage = getattr(understander, "usage", None)
        if usage is not None:
            for name in totals:
                totals[name] += int(getattr(usage, name))
    return totals


async def run_dialogues(
    loaded: LoadedSuites,
    settings: Settings,
    options: RunOptions,
    *,
    dialogues: Sequence[Dialogue] | None = None,
    paths: Sequence[str] = (),
    on_result: Callable[[DialogueResult], None] | None = None,
) -> RunResult:
    """Run `dialogues` (default: all loaded) and grade them; `on_result` hears of each as it finishes."""
    chosen = list(loaded.dialogues if dialogues is None else dialogues)
    made = understanders(loaded, settings, llm=options.llm)
    cache = settings.data_dir / "cache"
    simulator = simulator_model(settings)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    began = time.perf_counter()
    results: dict[int, DialogueResult] = {}
    with tempfile.TemporaryDirectory(prefix="frontdesk-eval-") as folder:
        workspace = Path(folder)
        template = await migrated_template(workspace)
        answerers = await knowledge_bases(loaded, settings, llm=options.llm)
        for number, (path, playbook) in enumerate(loaded.playbooks.items()):
            offline = made[path] if not options.llm else OfflineUnderstanding(playbook, cache_dir=cache)
            await warm_up(
                workspace / f"warm{number}", template=template, playbook=playbook, understanding=offline
            )
        gate = asyncio.Semaphore(max(1, options.concurrency))

        async def one(index: int, dialogue: Dialogue) -> tuple[int, DialogueResult]:
            if dialogue.simulate is not None and simulator is None:
                return index, DialogueResult(dialogue, "skipped", skip_reason=SKIP_NO_LLM)
            trials: list[Trial] = []
            async with gate:
                for attempt in range(options.repeat):
                    setup = TrialSetup(
                        template=template,
                        folder=workspace / f"d{index}-t{attempt}",
                        playbook=loaded.playbooks[dialogue.playbook],
                        understanding=made[dialogue.playbook],
                        simulator=simulator,
                        public_url=settings.effective_public_url,
                        knowledge=answerers.get(dialogue.playbook),
                    )
                    trials.append(await run_trial(dialogue, setup))
            return index, verdict(dialogue, tuple(trials))

        tasks = [asyncio.ensure_future(one(i, d)) for i, d in enumerate(chosen)]
        try:
            for finished in asyncio.as_completed(tasks):
                index, result = await finished
                results[index] = result
                if on_result is not None:
                    on_result(result)
                if options.fail_fast and result.status == "failed":
                    break
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    ordered = tuple(results[i] for i in sorted(results))
    metadata = RunMetadata(
        started_at=started_at,
        seconds=round(time.perf_counter() - began, 2),
        repeat=options.repeat,
        understanding=f"llm:{settings.openai_model}" if options.llm else "offline",
        concurrency=options.concurrency,
        git_commit=git_commit(),
        paths=tuple(paths),
        python=platform.python_version(),
    )
    usage = _usage(made) if options.llm else {}
    return RunResult(ordered, compute(list(ordered), options.repeat), metadata, usage)
