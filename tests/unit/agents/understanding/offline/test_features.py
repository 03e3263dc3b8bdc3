"""The classifier's own analyzers give exactly sklearn's terms, and fitted blocks survive pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from agents.understanding.offline import FeatureSet, builtin_examples
from agents.understanding.offline.features import (
    AnalyzerKind,
    char_features,
    char_ngrams,
    fit_blocks,
    lemma_features,
    vectorize,
)
from agents.understanding.offline.text import clean

TEXTS = [
    "",
    "a",
    "I",
    "ok",
    "Hi!",
    "  a  bb\tccc\n dddd   eeeee ffffff  ",
    "Hellooooo, how much is it??? 12:30 tmrw",
    "don’t can't won't",
    "Ёлки-палки, сколько стоит маникюр?",
    "скок стоит,,, записаца на завтра 🙂",
    "privet skolko stoit",
    "e-mail: me@example.com, tel +7 (999) 123-45-67",
    "ﬁne ＦＵＬＬＷＩＤＴＨ",
]


@pytest.mark.parametrize("text", TEXTS)
def test_char_features_equal_sklearn_char_wb(text: str) -> None:
    sklearn = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=clean).build_analyzer()
    assert char_features(text) == sklearn(text)


@pytest.mark.parametrize("text", TEXTS)
def test_char_ngrams_equal_sklearn_on_raw_whitespace(text: str) -> None:
    sklearn = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).build_analyzer()
    assert char_ngrams(text) == sklearn(text)


@pytest.mark.parametrize("text", TEXTS)
def test_lemma_features_equal_the_fitted_lemma_analyzer(text: str) -> None:
    sklearn = TfidfVectorizer(analyzer=lemma_features, token_pattern=None).build_analyzer()
    assert lemma_features(text) == sklearn(text)


def test_fitted_blocks_survive_pickling() -> None:
    texts = [example.text for example in builtin_examples()[:200]]
    _, blocks = fit_blocks(texts, FeatureSet.CHARS_LEMMAS)
    assert [block.analyzer for block in blocks] == [AnalyzerKind.CHARS, AnalyzerKind.LEMMAS]
    copies = pickle.loads(pickle.dumps(blocks, protocol=5))
    for text in [*texts[::17], *TEXTS]:
        row, copy = vectorize(blocks, text), vectorize(copies, text)
        assert np.array_equal(row.indices, copy.indices)
        assert np.array_equal(row.values, copy.values)
