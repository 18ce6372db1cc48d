"""The catalogue's version: one number that changes in the same transaction as anything the
catalogue shows (stock, price, availability, a producer), so that a cached page keyed by it is
never served after a committed change (`web/page_cache.py`)."""
from __future__ import annotations

from sqlalchemy import select, update

from marketplace.catalog.models import CatalogVersion
from marketplace.extensions import db

_versions = CatalogVersion.__table__
_READ = select(_versions.c.version).where(_versions.c.id == 1)
_BUMP = update(_versions).where(_versions.c.id == 1).values(version=_versions.c.version + 1)


class CatalogVersionMissing(RuntimeError):
    """The row of `catalog_versions` is missing: the database was not migrated."""


def bump_catalog_version() -> None:
    """Count a change to the catalogue in the caller's transaction (the caller commits).

    Every writer of the catalogue updates this one row, so on PostgreSQL concurrent writers
    queue for its row lock from here to their commit: call it last, after the changes
    themselves. A rolled-back transaction leaves the version as it was."""
    # On the Session's connection (its transaction): through `Session.execute` the ORM's
    # statement pipeline costs about 100 µs for this one-row UPDATE, on the connection 15 µs.
    result = db.session.connection().execute(_BUMP)
    if result.rowcount != 1:
        raise CatalogVersionMissing("catalog_versions has no row; run `flask db upgrade`")


def get_catalog_version() -> int:
    """The last committed version, read on a pooled connection of its own.

    The page cache reads it before the view reads the catalogue, so a page rendered after it
    shows at least that version. Reading it outside the request's Session keeps a cache hit
    from opening the Session at all (a Session's transaction and its teardown cost about twice
    the read itself); it is still SQLAlchemy Core on the engine's pool."""
    with db.engine.connect() as connection:
        version = connection.scalar(_READ)
    if version is None:
        raise CatalogVersionMissing("catalog_versions has no row; run `flask db upgrade`")
    return version
