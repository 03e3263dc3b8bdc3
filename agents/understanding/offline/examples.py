"""Training examples: the built-in generic set plus a playbook's own examples.

The built-in set (``builtin_examples.yaml``, package data) gives every intent a
business-independent base in English and Russian; a playbook adds the words its
customers use. Greeting and thank-you phrases are also glued onto a share of the
other examples ("hi, where is my order") so a polite opening does not outweigh
the request itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import yaml

from agents.understanding.offline.language import Language
from tools.intents import Intent
from tools.playbook import Playbook

try:  # libyaml's safe loader reads the built-in set ten times faster than the pure-Python one
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

BUILTIN = "builtin"
PLAYBOOK = "playbook"
AUGMENTED = "augmented"

_LANGUAGES: tuple[Language, ...] = ("en", "ru")
_SOCIAL = frozenset({Intent.GREETING, Intent.THANKS_BYE})
_OPENERS: dict[Language, tuple[str, ...]] = {
    "en": ("hi", "hello", "hey there", "good morning", "hi,"),
    "ru": ("здравствуйте", "привет", "добрый день", "здрасте", "добрый вечер,"),
}
_CLOSERS: dict[Language, tuple[str, ...]] = {
    "en": ("thanks", "thank you", "thx"),
    "ru": ("спасибо", "заранее спасибо", "спс"),
}


@dataclass(frozen=True)
class Example:
    """One labelled utterance."""

    text: str
    intent: Intent
    language: Language
    source: str
    """``builtin``, ``playbook`` or ``augmented``."""


@functools.cache
def builtin_examples() -> tuple[Example, ...]:
    """The generic examples shipped with the package, every intent in English and Russian."""
    raw = resources.files(__package__).joinpath("builtin_examples.yaml").read_text(encoding="utf-8")
    data = yaml.load(raw, Loader=_SafeLoader)
    if not isinstance(data, dict):
        raise ValueError("builtin_examples.yaml must map intents to languages to phrases")
    examples: list[Example] = []
    for intent_name, by_language in data.items():
        intent = Intent(intent_name)
        for language in _LANGUAGES:
            for text in by_language.get(language, []):
                examples.append(Example(str(text), intent, language, BUILTIN))
    return tuple(examples)


def playbook_examples(playbook: Playbook) -> tuple[Example, ...]:
    """The example utterances of `playbook`, in the languages the offline models read."""
    return tuple(
        Example(text, intent, language, PLAYBOOK)
        for intent, phrases in playbook.examples.items()
        for language in _LANGUAGES
        for text in phrases.get(language)
    )


def augmented(examples: Sequence[Example], every: int = 4) -> tuple[Example, ...]:
    """Polite variants of every `every`-th non-social example: an opener before it or thanks after it."""
    variants: list[Example] = []
    for index, example in enumerate(examples):
        if example.intent in _SOCIAL or index % every:
            continue
        turn = index // every
        if turn % 2 == 0:
            openers = _OPENERS[example.language]
            text = f"{openers[turn // 2 % len(openers)]} {example.text}"
        else:
            closers = _CLOSERS[example.language]
            text = f"{example.text} {closers[turn // 2 % len(closers)]}"
        variants.append(Example(text, example.intent, example.language, AUGMENTED))
    return tuple(variants)


def training_examples(playbook: Playbook | None = None, *, augment: bool = True) -> tuple[Example, ...]:
    """Built-in examples, then `playbook`'s, then (with `augment`) their polite variants."""
    base = builtin_examples() + (playbook_examples(playbook) if playbook is not None else ())
    return base + augmented(base) if augment else base


def texts_of(examples: Iterable[Example]) -> list[str]:
    """The texts of `examples`, in order."""
    return [example.text for example in examples]
