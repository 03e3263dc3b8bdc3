"""The SQL implementation of the business-system ports (SQLite and PostgreSQL)."""

from tools.sql.engine import DatabaseUrls, create_engine, database_urls
from tools.sql.migrate import current_revision, head_revision, upgrade_database
from tools.sql.store import BusinessStores, open_stores

__all__ = [
    "BusinessStores",
    "DatabaseUrls",
    "create_engine",
    "current_revision",
    "database_urls",
    "head_revision",
    "open_stores",
    "upgrade_database",
]
