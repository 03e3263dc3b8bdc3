"""The offline understanding: the default adapter, with no network and no key.

It combines the bilingual intent classifier (trained at start-up from the
playbook's examples and built-in ones, or read from its disk cache), the entity
extractors, tone and repair detection. Deterministic: the same message in the same context always gets the
same meaning.
"""

from __future__ import annotations

import re
from pathlib import Path

from agents.understanding.entities import extract_entities
from agents.understanding.model import DialogueContext, Entities, Repair, Understanding
from agents.understanding.offline import (
    IntentClassifier,
    detect_language,
    detect_repair,
    is_negative,
    load_or_train,
)
from tools.intents import Intent
from tools.playbook import Playbook
from tools.playbook._types import Language

MAX_CHARS = 2000
"""Longer messages are understood from their first part (the rest stays in the transcript)."""
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


class OfflineUnderstanding:
    """The `Understander` that runs in-process for English and Russian."""

    def __init__(
        self, playbook: Playbook, classifier: IntentClassifier | None = None, *, cache_dir: Path | None = None
    ) -> None:
        """Use `classifier`, else the one trained for `playbook` (cached in `cache_dir` when given)."""
        self._playbook = playbook
        self._classifier = classifier or load_or_train(playbook, cache_dir)

    async def understand(self, text: str, context: DialogueContext) -> Understanding:
        """The meaning of `text`; never raises for any input."""
        return self.understand_now(text, context)

    def understand_now(self, text: str, context: DialogueContext) -> Understanding:
        """The same, synchronously (for the `frontdesk nlu` command and benchmarks)."""
        clipped = text[:MAX_CHARS]
        default: Language = (
            "ru" if (context.language or self._playbook.business.default_language) == "ru" else "en"
        )
        language = detect_language(clipped, default) if _LETTERS.search(clipped) else default
        if not _LETTERS.search(clipped) and not any(ch.isdigit() for ch in clipped):
            return Understanding(text=clipped, language=language, intent=Intent.OUT_OF_SCOPE, confidence=0.0)
        classified = self._classifier.classify(clipped, language)
        entities = extract_entities(clipped, language=language, playbook=self._playbook, context=context)
        repair = detect_repair(clipped, language, context.expecting)
        intent, confidence = classified.intent, classified.confidence
        if repair is Repair.HUMAN:
            intent, confidence = Intent.HUMAN_REQUEST, max(confidence, 0.9)
        elif repair is Repair.OPT_OUT:
            intent, confidence = Intent.OPT_OUT, max(confidence, 0.9)
        return Understanding(
            text=clipped,
            language=language,
            intent=intent,
            confidence=confidence,
            alternatives=classified.alternatives,
            extra_intents=classified.extra_intents,
            entities=entities if isinstance(entities, Entities) else Entities(),
            negative=is_negative(clipped.lower() if clipped.isupper() else clipped, language),
            repair=repair,
        )
