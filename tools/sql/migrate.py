"""Create or upgrade the business database to the current schema (Alembic).

`upgrade_database` is called at start-up, so a fresh SQLite file or an empty
PostgreSQL database is ready without a separate step; `frontdesk db upgrade`
does the same by hand, and `frontdesk db current` tells where a database is.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from tools.sql.engine import DatabaseUrls


def alembic_config(urls: DatabaseUrls) -> Config:
    """An Alembic configuration for the database at `urls`."""
    config = Config()
    config.set_main_option("script_location", "tools.sql:migrations")
    config.set_main_option("sqlalchemy.url", urls.sync_url.render_as_string(hide_password=False))
    return config


def upgrade_database(urls: DatabaseUrls, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default)."""
    engine = create_engine(urls.sync_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(urls)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(urls: DatabaseUrls) -> str | None:
    """The revision the database is at (None for an empty database)."""
    engine = create_engine(urls.sync_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision(urls: DatabaseUrls) -> str | None:
    """The newest revision this version of Frontdesk knows."""
    return ScriptDirectory.from_config(alembic_config(urls)).get_current_head()
