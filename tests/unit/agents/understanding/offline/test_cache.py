"""The classifier's disk cache: a cached classifier is the trained one, and the key follows what it depends on."""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from agents.understanding.offline import (
    DEFAULT_CONFIG,
    ClassifierConfig,
    Example,
    FeatureSet,
    IntentClassifier,
    Language,
    cache,
    load_or_train,
    training_examples,
)
from agents.understanding.offline.cache import cache_key, cache_path
from evals.nlu.routing import demo_playbook
from tools.intents import Intent
from tools.playbook import Playbook
from tools.playbook.text import LocalizedList

ROOT = Path(__file__).resolve().parents[5]
FAST = ClassifierConfig(features=FeatureSet.CHARS, calibrate=False)
"""A configuration that trains quickly, for the tests that do not compare with the default one."""

MESSAGES: list[tuple[str, Language]] = [
    ("hi", "en"),
    ("hello there, good morning", "en"),
    ("how much is a manicure", "en"),
    ("what do you charge for a haircut?", "en"),
    ("can i book for friday at 3pm", "en"),
    ("i want to make an appointment tomorrow", "en"),
    ("i need to cancel my appointment", "en"),
    ("can we move my booking to monday", "en"),
    ("where is my order", "en"),
    ("i want to return the shampoo", "en"),
    ("do you take card?", "en"),
    ("how long does delivery take", "en"),
    ("can i speak to a human", "en"),
    ("stop sending me messages", "en"),
    ("we'd like to partner with you", "en"),
    ("invoice attached for payment", "en"),
    ("are you hiring stylists?", "en"),
    ("thanks, bye", "en"),
    ("what's the weather like", "en"),
    ("book me for friday, and how much is it?", "en"),
    ("i booked for saturday but need to move it to sunday", "en"),
    ("where is my order? also i want to change the delivery address", "en"),
    ("pls tmrw 5pm ok?", "en"),
    ("thanks a lot", "ru"),
    ("👍", "en"),
    ("привет", "ru"),
    ("здравствуйте, добрый день", "ru"),
    ("скок стоит маникюр", "ru"),
    ("сколько стоит стрижка", "ru"),
    ("можно записаца на завтра", "ru"),
    ("хочу записаться на маникюр в пятницу", "ru"),
    ("отмените мою запись", "ru"),
    ("перенесите запись на понедельник", "ru"),
    ("где мой заказ???", "ru"),
    ("хочу вернуть деньги", "ru"),
    ("можно оплатить картой?", "ru"),
    ("сколько идет доставка", "ru"),
    ("нужен оператор", "ru"),
    ("отпишите меня", "ru"),
    ("хочу у вас работать", "ru"),
    ("пришлите реквизиты для оплаты счета поставщика", "ru"),
    ("предлагаем сотрудничество", "ru"),
    ("спасибо, до свидания", "ru"),
    ("какая сегодня погода", "ru"),
    ("privet skolko stoit", "ru"),
    ("сколько стоит стрижка", "en"),
    ("хочу записаться на маникюр и сколько стоит педикюр", "ru"),
    ("где мой заказ? а ещё хочу поменять адрес доставки", "ru"),
    ("отмените запись. и отпишите меня от рассылки", "ru"),
    ("свадьба в июле, прически и макияж на 6 человек, посчитайте сколько выйдет", "ru"),
    ("здравствуйте! добрый день! где мой заказ", "ru"),
]


@pytest.fixture(scope="module")
def studio() -> Playbook:
    return demo_playbook("studio")


def _no_training(cls: type[IntentClassifier], examples: Sequence[Example], config: ClassifierConfig) -> None:
    raise AssertionError("trained instead of reading the cache")


def test_cached_classifier_classifies_like_a_fresh_one(
    studio: Playbook, studio_classifier: IntentClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_or_train(studio, tmp_path)
    expected = cache_path(tmp_path, training_examples(studio), DEFAULT_CONFIG)
    assert [path.name for path in tmp_path.iterdir()] == [expected.name]
    monkeypatch.setattr(IntentClassifier, "fit", classmethod(_no_training))
    loaded = load_or_train(studio, tmp_path)
    assert loaded.temperatures == studio_classifier.temperatures
    for text, language in MESSAGES:
        assert loaded.classify(text, language) == studio_classifier.classify(text, language), text
        assert loaded.scores(text, language) == studio_classifier.scores(text, language), text


def test_no_cache_directory_just_trains(tmp_path: Path) -> None:
    classifier = load_or_train(None, None, FAST)
    assert classifier.classify("how much is it", "en").intent is Intent.PRICING
    assert list(tmp_path.iterdir()) == []


def test_the_key_follows_the_playbook_examples(studio: Playbook) -> None:
    key = cache_key(training_examples(studio), DEFAULT_CONFIG)
    assert cache_key(training_examples(demo_playbook("studio")), DEFAULT_CONFIG) == key
    phrases = studio.examples[Intent.PRICING]
    changed_phrases = {**phrases.root, "en": [*phrases.get("en")[:-1], "how much for a zorblax"]}
    changed = studio.model_copy(
        update={"examples": {**studio.examples, Intent.PRICING: LocalizedList(changed_phrases)}}
    )
    assert cache_key(training_examples(changed), DEFAULT_CONFIG) != key


def test_the_key_follows_the_config_weights_and_code(
    studio: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = training_examples(studio)
    key = cache_key(examples, DEFAULT_CONFIG)
    assert cache_key(examples, ClassifierConfig(lemma_weight=0.5)) != key
    assert cache_key(examples, ClassifierConfig(playbook_weight=3.0)) != key
    relabelled = [Example(e.text, e.intent, e.language, "builtin") for e in examples]
    assert cache_key(relabelled, DEFAULT_CONFIG) != key
    monkeypatch.setattr(cache, "source_hash", lambda: "edited")
    assert cache_key(examples, DEFAULT_CONFIG) != key


@pytest.mark.parametrize(
    "content",
    [b"", b"not a pickle", pickle.dumps(list(range(1000)), protocol=5)[:100], pickle.dumps({"a": 1})],
    ids=["empty", "garbage", "truncated", "something-else"],
)
def test_a_corrupt_cache_file_is_retrained_and_replaced(
    content: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = cache_path(tmp_path, training_examples(None, augment=FAST.augment), FAST)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="frontdesk.understanding"):
        classifier = load_or_train(None, tmp_path, FAST)
    assert [record.name for record in caplog.records] == ["frontdesk.understanding"]
    assert classifier.classify("how much is it", "en").intent is Intent.PRICING
    stored = pickle.loads(path.read_bytes())
    assert isinstance(stored, IntentClassifier)
    assert stored.classify("сколько стоит", "ru") == classifier.classify("сколько стоит", "ru")
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_an_unwritable_cache_directory_still_gives_a_classifier(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x")
    with caplog.at_level(logging.WARNING, logger="frontdesk.understanding"):
        classifier = load_or_train(None, not_a_directory, FAST)
    assert classifier.classify("how much is it", "en").intent is Intent.PRICING
    assert "could not cache" in caplog.text


def test_only_the_most_recently_used_files_are_kept(tmp_path: Path) -> None:
    stale = [tmp_path / f"nlu-{index}.pkl" for index in range(cache.KEEP + 2)]
    for age, path in enumerate(stale):
        path.write_bytes(b"old")
        stamp = 1_000_000 + age
        os.utime(path, (stamp, stamp))
    load_or_train(None, tmp_path, FAST)
    kept = sorted(path.name for path in tmp_path.iterdir())
    assert len(kept) == cache.KEEP
    assert cache_path(tmp_path, training_examples(None, augment=FAST.augment), FAST).name in kept
    assert stale[-1].name in kept
    assert stale[0].name not in kept


def test_importing_the_package_does_not_import_sklearn() -> None:
    code = (
        "import sys, agents.understanding.offline, agents.understanding.adapter; "
        "loaded = {'sklearn', 'scipy', 'threadpoolctl'} & set(sys.modules); "
        "assert not loaded, loaded"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
