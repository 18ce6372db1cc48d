"""Database housekeeping that knows no domain: refreshing the query planner's statistics."""
from __future__ import annotations

from sqlalchemy import Connection


def refresh_planner_statistics(connection: Connection) -> str:
    """SQLite: `PRAGMA optimize` (analyses only what changed enough); PostgreSQL: `ANALYZE`.

    Returns the statement that ran. Autovacuum analyses PostgreSQL too; a daily ANALYZE is cheap
    at Landkorb's size and keeps the plans right after bulk loads such as the demo seed.
    """
    statement = "PRAGMA optimize" if connection.dialect.name == "sqlite" else "ANALYZE"
    connection.exec_driver_sql(statement)
    return statement
