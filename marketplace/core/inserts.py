"""INSERT plain rows with statements built once per table, bypassing the ORM's unit of work.

For the hot path that writes a known set of new rows (placing an order): the session's flush
would write the same rows with far more bookkeeping, and building the statements anew on every
request costs as much as executing them. Records are dataclasses whose field names are the
table's column names (`row_of`).
"""
from __future__ import annotations

from dataclasses import fields
from functools import cache

from sqlalchemy import Insert, Table, insert


@cache
def _statements(table: Table) -> tuple[Insert, Insert, Insert]:
    return (
        insert(table),
        insert(table).returning(table.c.id),
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
    )


@cache
def _columns(record_type: type, table: Table) -> tuple[str, ...]:
    names = {f.name for f in fields(record_type)}
    return tuple(c.key for c in table.columns if not c.primary_key and c.key in names)


def row_of(record, table: Table) -> dict:
    """The values of `record` for `table`'s columns: every non-key column the record has a field of."""
    return {name: getattr(record, name) for name in _columns(type(record), table)}


def insert_rows(connection, table: Table, rows: list[dict], *, return_ids: bool = False) -> list[int]:
    """INSERT `rows` (dicts with the same keys) into `table` in one statement; with `return_ids`
    returns their new ids in the order of `rows`, else an empty list."""
    plain, one, many = _statements(table)
    if not return_ids:
        connection.execute(plain, rows if len(rows) > 1 else rows[0])
        return []
    if len(rows) == 1:
        return [connection.execute(one, rows[0]).scalar_one()]
    return list(connection.execute(many, rows).scalars())
