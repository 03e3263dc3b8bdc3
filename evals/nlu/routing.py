"""Intent-routing accuracy of the offline classifier on the held-out sets.

``routing_en.tsv`` and ``routing_ru.tsv`` hold labelled customer messages written
apart from every training example. `evaluate` scores one trained classifier on
them (intent accuracy, agent accuracy, calibration error); `compare` trains every
candidate configuration on each demo playbook and measures accuracy, training
time and prediction latency. Run ``python -m evals.nlu.routing`` for the table.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from agents.understanding.offline import ClassifierConfig, Estimator, FeatureSet, IntentClassifier, Language
from tools.intents import Agent, Intent, agent_for
from tools.playbook import Playbook, load_playbook

LANGUAGES: tuple[Language, ...] = ("en", "ru")
DEMO_PLAYBOOKS: tuple[str, ...] = ("studio", "renovation")
_ROOT = Path(__file__).resolve().parents[2]

CANDIDATES: Mapping[str, ClassifierConfig] = {
    "chars+logreg": ClassifierConfig(features=FeatureSet.CHARS, estimator=Estimator.LOGREG),
    "chars+svm": ClassifierConfig(features=FeatureSet.CHARS, estimator=Estimator.SVM),
    "chars+lemmas+logreg": ClassifierConfig(features=FeatureSet.CHARS_LEMMAS, estimator=Estimator.LOGREG),
    "chars+lemmas+svm": ClassifierConfig(features=FeatureSet.CHARS_LEMMAS, estimator=Estimator.SVM),
}
"""The configurations compared; the default `ClassifierConfig` is the winner."""


@dataclass(frozen=True)
class Case:
    """One labelled held-out message."""

    text: str
    intent: Intent
    language: Language


@dataclass(frozen=True)
class Miss:
    """A case the classifier got wrong."""

    case: Case
    predicted: Intent
    confidence: float


@dataclass(frozen=True)
class Report:
    """How one classifier did on one language's cases."""

    language: Language
    total: int
    intents_right: int
    agents_right: int
    calibration_error: float
    """Expected calibration error of the top-intent confidence (10 bins)."""
    misses: tuple[Miss, ...]
    by_agent: Mapping[Agent, tuple[int, int]]
    """Per expected agent: how many of its cases were routed to it, and how many there were."""

    @property
    def accuracy(self) -> float:
        """Share of cases whose intent was right."""
        return self.intents_right / self.total

    @property
    def agent_accuracy(self) -> float:
        """Share of cases routed to the right agent."""
        return self.agents_right / self.total


def load_cases(language: Language) -> tuple[Case, ...]:
    """The held-out cases of `language` (``routing_<language>.tsv``)."""
    raw = resources.files(__package__).joinpath(f"routing_{language}.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(raw), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple(Case(row["text"], Intent(row["intent"]), language) for row in rows)


def demo_playbook(name: str) -> Playbook:
    """The demo playbook ``examples/<name>/playbook.yaml``."""
    return load_playbook(_ROOT / "examples" / name / "playbook.yaml")


def evaluate(classifier: IntentClassifier, cases: Sequence[Case]) -> Report:
    """Score `classifier` on `cases` (all of one language)."""
    language = cases[0].language
    misses: list[Miss] = []
    confidences: list[tuple[float, bool]] = []
    routed: Counter[Agent] = Counter()
    expected: Counter[Agent] = Counter()
    for case in cases:
        result = classifier.classify(case.text, case.language)
        right = result.intent is case.intent
        confidences.append((result.confidence, right))
        agent = agent_for(case.intent)
        expected[agent] += 1
        if agent_for(result.intent) is agent:
            routed[agent] += 1
        if not right:
            misses.append(Miss(case, result.intent, result.confidence))
    by_agent = {agent: (routed[agent], expected[agent]) for agent in Agent if expected[agent]}
    return Report(
        language,
        len(cases),
        len(cases) - len(misses),
        sum(routed.values()),
        _ece(confidences),
        tuple(misses),
        by_agent,
    )


def _ece(confidences: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    total = 0.0
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [(c, r) for c, r in confidences if low < c <= high or (index == 0 and c == 0.0)]
        if members:
            mean_confidence = sum(c for c, _ in members) / len(members)
            accuracy = sum(1 for _, r in members if r) / len(members)
            total += len(members) / len(confidences) * abs(mean_confidence - accuracy)
    return total


@dataclass(frozen=True)
class Row:
    """One candidate on one playbook."""

    candidate: str
    playbook: str
    train_seconds: float
    latency_ms: float
    """Mean time of one `classify` call over the held-out messages."""
    reports: Mapping[Language, Report]


def compare(
    candidates: Mapping[str, ClassifierConfig] = CANDIDATES, playbooks: Sequence[str] = DEMO_PLAYBOOKS
) -> list[Row]:
    """Train every candidate on every demo playbook and score it on the held-out sets."""
    cases = {language: load_cases(language) for language in LANGUAGES}
    rows: list[Row] = []
    for playbook_name in playbooks:
        playbook = demo_playbook(playbook_name)
        for name, config in candidates.items():
            started = time.perf_counter()
            classifier = IntentClassifier.train(playbook, config)
            trained = time.perf_counter() - started
            started = time.perf_counter()
            reports = {language: evaluate(classifier, cases[language]) for language in LANGUAGES}
            count = sum(len(c) for c in cases.values())
            latency = (time.perf_counter() - started) / count * 1000
            rows.append(Row(name, playbook_name, trained, latency, reports))
    return rows


def format_rows(rows: Sequence[Row]) -> str:
    """A plain-text table of `rows`."""
    lines = [
        f"{'candidate':<22}{'playbook':<12}{'en':>7}{'ru':>7}{'agent en':>10}{'agent ru':>10}"
        f"{'ece en':>8}{'ece ru':>8}{'train s':>9}{'ms/msg':>8}"
    ]
    for row in rows:
        en, ru = row.reports["en"], row.reports["ru"]
        lines.append(
            f"{row.candidate:<22}{row.playbook:<12}{en.accuracy:>7.3f}{ru.accuracy:>7.3f}"
            f"{en.agent_accuracy:>10.3f}{ru.agent_accuracy:>10.3f}{en.calibration_error:>8.3f}"
            f"{ru.calibration_error:>8.3f}{row.train_seconds:>9.2f}{row.latency_ms:>8.2f}"
        )
    return "\n".join(lines)


def format_misses(report: Report) -> str:
    """The misses of `report`, one per line."""
    return "\n".join(
        f"  {miss.case.intent.value:<24}-> {miss.predicted.value:<24}{miss.confidence:.2f}  {miss.case.text}"
        for miss in report.misses
    )


def format_agents(reports: Mapping[str, Report]) -> str:
    """A table of per-agent routing accuracy (routed right / cases), one column per report."""
    agents = [agent for agent in Agent if any(agent in report.by_agent for report in reports.values())]
    lines = [f"{'agent':<12}" + "".join(f"{name:>18}" for name in reports)]
    for agent in agents:
        cells = []
        for report in reports.values():
            right, total = report.by_agent.get(agent, (0, 0))
            cells.append(f"{right}/{total} {right / total if total else 0.0:.2f}")
        lines.append(f"{agent.value:<12}" + "".join(f"{cell:>18}" for cell in cells))
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> None:
    """Print the comparison table; ``--agents`` adds per-agent accuracy, ``--misses`` every miss."""
    sys.stdout.write(format_rows(compare()) + "\n")
    if "--agents" not in argv and "--misses" not in argv:
        return
    reports: dict[str, Report] = {}
    for playbook_name in DEMO_PLAYBOOKS:
        classifier = IntentClassifier.train(demo_playbook(playbook_name))
        for language in LANGUAGES:
            reports[f"{playbook_name} {language}"] = evaluate(classifier, load_cases(language))
    if "--agents" in argv:
        sys.stdout.write("\n" + format_agents(reports) + "\n")
    if "--misses" in argv:
        for name, report in reports.items():
            sys.stdout.write(f"\n{name} {report.accuracy:.3f}\n{format_misses(report)}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
