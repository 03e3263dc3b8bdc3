"""Shared fixtures: a frozen clock, the playbooks, and fresh databases on SQLite and PostgreSQL.

PostgreSQL is required: the suite fails (it does not skip) when it cannot reach
``FRONTDESK_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
Each test gets its own database, cloned from a migrated template, so tests never
see each other's rows. Each playbook's intent classifier is trained once per session
(see `_classifiers_trained_once`).
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from tools.clock import FrozenClock
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores, database_urls, open_stores, upgrade_database

if TYPE_CHECKING:
    from agents.understanding.offline import ClassifierConfig, IntentClassifier

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "FRONTDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASES = ["sqlite", "postgres"]


class _RedisFilesOnOneWorker:
    """Under pytest-xdist (``-n 2``), the test files that use the shared Redis all go to one worker.

    Redis pub/sub channels are server-wide, and some tests use fixed business ids (turn streams) and
    web-chat sessions, so these files keep running one after another as in a single process. A file
    counts when its text mentions Redis (``REDIS_URL``, ``pytest.mark.redis``, a Redis fixture);
    other tests are spread one by one. (pytest-xdist's own ``xdist_group`` mark does not group on
    pytest 9.2: pytest-xdist issue 1386.)
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._known: dict[str, bool] = {}

    def uses_redis(self, path: str) -> bool:
        if path not in self._known:
            try:
                text = (self._root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._known[path] = "redis" in text.lower()
        return self._known[path]

    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

        uses_redis = self.uses_redis

        class Scheduling(LoadGroupScheduling):  # type: ignore[misc]
            def _split_scope(self, nodeid: str) -> str:
                if uses_redis(nodeid.split("::", 1)[0]):
                    return "redis"
                scope: str = super()._split_scope(nodeid)
                return scope

        return Scheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist") and config.getoption("dist", None) == "loadgroup":
        config.pluginmanager.register(_RedisFilesOnOneWorker(config.rootpath), "frontdesk-redis-files")


@pytest.fixture
def clock() -> FrozenClock:
    """Monday 2027-03-01 09:00 UTC (12:00 in Moscow)."""
    return FrozenClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def minimal_playbook() -> Playbook:
    """The tiny salon used by unit tests."""
    return load_playbook(ROOT / "tests/fixtures/minimal_playbook.yaml")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as error:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error}); start it "
            "(bash .ci/run does) or set FRONTDESK_TEST_POSTGRES_URL"
        ) from error


def _database_url(name: str) -> str:
    return str(
        database_urls(POSTGRES_ADMIN_URL).sync_url.set(database=name).render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database that per-test databases are cloned from."""
    name = f"fd_template_{uuid.uuid4().hex[:10]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    upgrade_database(database_urls(_database_url(name)))
    yield name
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that per-test databases are copied from."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade_database(database_urls(f"sqlite:///{path}"))
    return path


class _PostgresClones:
    """Clones of the template made one ahead, and dropped, on a background thread.

    Each test still gets a database of its own, cloned from the migrated template; the
    server does the cloning and dropping while the previous test runs instead of before
    the next one starts.
    """

    def __init__(self, template: str) -> None:
        self._template = template
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fd-test-databases")
        self._next: Future[str] | None = None

    def _create(self) -> str:
        name = f"fd_test_{uuid.uuid4().hex[:12]}"
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return name

    @staticmethod
    def _drop(name: str) -> None:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def take(self) -> str:
        """A fresh clone (the one made ahead, else a new one); the next is started at once."""
        ready, self._next = self._next, None
        name = ready.result() if ready is not None else self._create()
        self._next = self._pool.submit(self._create)
        return name

    def give_back(self, name: str) -> None:
        """Drop a test's database in the background."""
        self._pool.submit(self._drop, name)

    def close(self) -> None:
        spare, self._next = self._next, None
        if spare is not None:
            with contextlib.suppress(Exception):
                self._pool.submit(self._drop, spare.result())
        self._pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def _postgres_clones(postgres_template: str) -> Iterator[_PostgresClones]:
    clones = _PostgresClones(postgres_template)
    yield clones
    clones.close()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite or PostgreSQL by the test's `backend` parameter."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        target = tmp_path / "frontdesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    clones: _PostgresClones = request.getfixturevalue("_postgres_clones")
    name = clones.take()
    yield _database_url(name)
    clones.give_back(name)


@pytest.fixture
async def stores(database_url: str, clock: FrozenClock) -> AsyncIterator[BusinessStores]:
    """Every business store on a fresh database."""
    opened = await open_stores(database_url, clock=clock, migrate=False)
    yield opened
    await opened.close()


def on_every_database(test: object) -> object:
    """Run a test once per database backend (SQLite and PostgreSQL)."""
    return pytest.mark.parametrize("database_url", DATABASES, indirect=True)(test)


DEMO_PLAYBOOKS = [ROOT / "examples/studio/playbook.yaml", ROOT / "examples/renovation/playbook.yaml"]
"""The demo businesses whose knowledge bases the dialogue tests, evals and knowledge tests share."""


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the session: classifiers are trained and knowledge bases embedded once.

    Under pytest-xdist the demo businesses' knowledge bases (``cache/eval-knowledge``) are embedded
    once for all workers: the first worker to get here builds them, the others copy them.
    """
    path = tmp_path_factory.mktemp("shared-data")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _demo_knowledge_across_workers(
            path / "cache" / "eval-knowledge", tmp_path_factory.getbasetemp().parent / "demo-knowledge"
        )
    return path


def _demo_knowledge_across_workers(folder: Path, shared: Path) -> None:
    """Fill `folder` with the demo knowledge bases, built by one worker under a file lock."""
    from knowledge.answerers import open_answerer
    from knowledge.business import KnowledgeSource

    shared.mkdir(parents=True, exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (shared / "done").exists():
                shutil.copytree(shared / "kb", folder / "kb")
                return
            for playbook in DEMO_PLAYBOOKS:
                open_answerer(KnowledgeSource.from_playbook(playbook), data_dir=folder)
            shutil.copytree(folder / "kb", shared / "kb")
            (shared / "done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def _classifiers_trained_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Train each playbook's intent classifier once per session, not at every server start.

    `OfflineUnderstanding` (every server, chat and eval run) calls `load_or_train` with the
    data directory's cache. A session cache keyed like the real one holds each trained
    classifier; a data directory without its cached file gets a copy first, then the real
    `load_or_train` reads it (a file already there, even a corrupt one, goes the real way).
    The result is the one training gives (the cache's own guarantee); only the time differs.
    Tests of the cache itself call `agents.understanding.offline.cache` directly, unchanged.
    """
    from agents.understanding import adapter
    from agents.understanding.offline import DEFAULT_CONFIG, cache, training_examples

    trained = tmp_path_factory.mktemp("classifiers")

    def load_or_train(
        playbook: Playbook | None, cache_dir: Path | None, config: ClassifierConfig = DEFAULT_CONFIG
    ) -> IntentClassifier:
        examples = training_examples(playbook, augment=config.augment)
        key = cache.cache_key(examples, config)
        session_dir = trained / key[:24]
        if cache_dir is None:
            return cache.load_or_train(playbook, session_dir, config)
        wanted = cache.cache_path(cache_dir, examples, config)
        if not cache_dir.exists() or (cache_dir.is_dir() and not wanted.exists()):
            known = cache.cache_path(session_dir, examples, config)
            if not known.exists():
                cache.load_or_train(playbook, session_dir, config)
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(known, wanted)
            except OSError:
                pass  # the real call below meets the same problem and handles it
            else:
                cache._prune(cache_dir)  # as storing a freshly trained one does
        return cache.load_or_train(playbook, cache_dir, config)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(adapter, "load_or_train", load_or_train, raising=False)
        yield


@pytest.fixture(scope="session", autouse=True)
def _playbook_yaml_parsed_once() -> Iterator[None]:
    """Parse each playbook's YAML once per session (a third of a second each), not at every load.

    `load_playbook` still validates and cross-checks every time; it gets a deep copy of the
    parse of the same text, so no test shares or changes another's data. Errors are not cached.
    """
    from tools.playbook import _yaml, loader

    real = _yaml.parse_yaml
    parsed: dict[str, tuple[Any, dict[Any, int]]] = {}

    def parse_yaml(text: str) -> tuple[Any, dict[Any, int]]:
        if text not in parsed:
            parsed[text] = real(text)
        return copy.deepcopy(parsed[text])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "parse_yaml", parse_yaml, raising=False)
        yield
