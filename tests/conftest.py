"""Shared fixtures: a frozen clock, the playbooks, and fresh databases on SQLite and PostgreSQL.

PostgreSQL is required: the suite fails (it does not skip) when it cannot reach
``FRONTDESK_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
Each test gets its own database, cloned from a migrated template, so tests never
see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tools.clock import FrozenClock
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores, database_urls, open_stores, upgrade_database

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "FRONTDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASES = ["sqlite", "postgres"]


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


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite or PostgreSQL by the test's `backend` parameter."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        target = tmp_path / "frontdesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"fd_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _database_url(name)
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def stores(database_url: str, clock: FrozenClock) -> AsyncIterator[BusinessStores]:
    """Every business store on a fresh database."""
    opened = await open_stores(database_url, clock=clock, migrate=False)
    yield opened
    await opened.close()


def on_every_database(test: object) -> object:
    """Run a test once per database backend (SQLite and PostgreSQL)."""
    return pytest.mark.parametrize("database_url", DATABASES, indirect=True)(test)


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the session: classifiers are trained and knowledge bases embedded once."""
    return tmp_path_factory.mktemp("shared-data")
