"""The schema comes from migrations, on SQLite and PostgreSQL, and matches the code."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from tests.conftest import DATABASES
from tools.sql import current_revision, database_urls, head_revision, upgrade_database
from tools.sql.schema import metadata

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def test_a_migrated_database_is_at_head_and_matches_the_tables_in_code(database_url: str) -> None:
    urls = database_urls(database_url)
    assert current_revision(urls) == head_revision(urls)
    engine = create_engine(urls.sync_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == [], "the tables in tools/sql/schema.py differ from the migrations; add a migration"


def test_upgrading_again_changes_nothing(database_url: str) -> None:
    urls = database_urls(database_url)
    upgrade_database(urls)
    engine = create_engine(urls.sync_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"contacts", "bookings", "booking_cells", "invoices", "audit_log", "alembic_version"} <= tables


def test_downgrade_to_nothing_and_back(database_url: str) -> None:
    from alembic import command

    from tools.sql.migrate import alembic_config

    urls = database_urls(database_url)
    command.downgrade(alembic_config(urls), "base")
    assert current_revision(urls) is None
    upgrade_database(urls)
    assert current_revision(urls) == head_revision(urls)
