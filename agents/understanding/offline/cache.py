"""A disk cache of the trained intent classifier, so start-up skips training when nothing changed.

The file name carries a SHA-256 key of everything the fitted model depends on: the
exact training examples (text, intent, language, source and sample weight), the
`ClassifierConfig`, `FORMAT_VERSION`, the source code of this package's modules
(a code change invalidates the cache) and the versions of Python, numpy and
scikit-learn. A cached classifier is therefore the one training would give.

Files are pickles (protocol 5) written atomically (a temporary file, then
`os.replace`) into the business's own data directory; a corrupt or unreadable one
is logged and replaced by a freshly trained classifier. Only the few most recently
used files are kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np

from agents.understanding.offline.classifier import DEFAULT_CONFIG, ClassifierConfig, IntentClassifier
from agents.understanding.offline.examples import Example, training_examples
from agents.understanding.offline.linear import sample_weight
from tools.playbook import Playbook

FORMAT_VERSION = 1
"""Bump when the pickled layout changes in a way the source hash would not catch."""
KEEP = 4
"""How many cached classifiers to keep in one directory (the most recently used)."""
_PROTOCOL = 5
_PREFIX = "nlu-"
_SUFFIX = ".pkl"
_log = logging.getLogger("frontdesk.understanding")


def load_or_train(
    playbook: Playbook | None, cache_dir: Path | None, config: ClassifierConfig = DEFAULT_CONFIG
) -> IntentClassifier:
    """The classifier for `playbook` and `config`: from `cache_dir` when cached there, else trained (and stored).

    Without `cache_dir` it is simply trained. Failing to read or write the cache
    never fails the call: the classifier is trained instead.
    """
    examples = training_examples(playbook, augment=config.augment)
    if cache_dir is None:
        return IntentClassifier.fit(examples, config)
    path = cache_path(cache_dir, examples, config)
    cached = _load(path, config)
    if cached is not None:
        return cached
    classifier = IntentClassifier.fit(examples, config)
    _store(path, classifier)
    return classifier


def cache_path(cache_dir: Path, examples: Sequence[Example], config: ClassifierConfig) -> Path:
    """Where the classifier trained on `examples` with `config` is cached in `cache_dir`."""
    return cache_dir / f"{_PREFIX}{cache_key(examples, config)}{_SUFFIX}"


def cache_key(examples: Sequence[Example], config: ClassifierConfig) -> str:
    """The hex SHA-256 of everything the classifier trained on `examples` with `config` depends on."""
    payload = {
        "format": FORMAT_VERSION,
        "code": source_hash(),
        "versions": _versions(),
        "config": asdict(config),
        "examples": [
            [e.text, e.intent.value, e.language, e.source, sample_weight(e, config.playbook_weight)]
            for e in examples
        ],
    }
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@functools.cache
def source_hash() -> str:
    """The hex SHA-256 of the source of this package's Python modules, by name."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode("utf-8") + b"\0")
        digest.update(module.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    try:
        sklearn = metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency of the project
        sklearn = "missing"
    return {"python": sys.version.split()[0], "numpy": np.__version__, "scikit-learn": sklearn}


def _load(path: Path, config: ClassifierConfig) -> IntentClassifier | None:
    """The classifier cached at `path`; None when there is none or it cannot be used."""
    try:
        with path.open("rb") as file:
            classifier = pickle.load(file)  # our own file, in the business's data directory
    except FileNotFoundError:
        return None
    except Exception as error:  # a corrupt, truncated or stale file of any kind: train again
        _log.warning("ignoring the unreadable classifier cache %s: %r", path, error)
        return None
    if not isinstance(classifier, IntentClassifier) or classifier.config != config:
        _log.warning("ignoring the classifier cache %s: it holds something else", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by `_prune`
    return classifier


def _store(path: Path, classifier: IntentClassifier) -> None:
    """Write `classifier` to `path` atomically; a failure is logged, not raised."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp", delete=False
        ) as file:
            temporary = Path(file.name)
            pickle.dump(classifier, file, protocol=_PROTOCOL)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        temporary = None
    except (OSError, pickle.PicklingError) as error:
        _log.warning("could not cache the classifier at %s: %r", path, error)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    _prune(path.parent)


def _prune(cache_dir: Path) -> None:
    """Delete all but the `KEEP` most recently used cached classifiers in `cache_dir`."""
    try:
        cached = [(entry.stat().st_mtime, entry) for entry in cache_dir.glob(f"{_PREFIX}*{_SUFFIX}")]
    except OSError:
        return
    cached.sort(key=lambda pair: pair[0], reverse=True)
    for _, stale in cached[KEEP:]:
        with contextlib.suppress(OSError):
            stale.unlink(missing_ok=True)
