"""INSERT plain rows with statements prepared once per table, bypassing the ORM's unit of work.

For the hot path that writes a known set of new rows (placing an order): the session's flush
would write the same rows with far more bookkeeping, and building the statements anew on every
request costs as much as executing them. Records are dataclasses whose field names are the
table's column names (`row_of`); the statements run on the driver's cursor (core.prepared).
"""
from __future__ import annotations

from dataclasses import fields
from functools import cache

from sqlalchemy import Table, bindparam, insert

from marketplace.core.prepared import Prepared

# Rows written by one multi-row INSERT (`VALUES (…), (…)`): one statement for an order's lines
# or events, where a driver's `executemany` would cost more than the rows (psycopg's pipeline).
ROWS_PER_STATEMENT = 16


@cache
def _statement(table: Table, keys: tuple[str, ...], return_ids: bool) -> Prepared:
    statement = insert(table).returning(table.c.id) if return_ids else insert(table)
    return Prepared(statement, column_keys=keys)


@cache
def _multi_row_statement(table: Table, keys: tuple[str, ...], rows: int) -> Prepared:
    return Prepared(insert(table).values([
        {key: bindparam(f"{key}_{n}", type_=table.c[key].type) for key in keys} for n in range(rows)
    ]))


@cache
def _columns(record_type: type, table: Table) -> tuple[str, ...]:
    names = {f.name for f in fields(record_type)}
    return tuple(c.key for c in table.columns if not c.primary_key and c.key in names)


def row_of(record, table: Table) -> dict:
    """The values of `record` for `table`'s columns: every non-key column the record has a field of."""
    return {name: getattr(record, name) for name in _columns(type(record), table)}


def insert_rows(connection, table: Table, rows: list[dict], *, return_ids: bool = False) -> list[int]:
    """INSERT `rows` (dicts with the same keys) into `table`; with `return_ids` returns their new
    ids in the order of `rows` (one INSERT … RETURNING per row), else an empty list (one INSERT
    per `ROWS_PER_STATEMENT` rows)."""
    keys = tuple(rows[0])
    if return_ids:
        statement = _statement(table, keys, True)
        return [statement.first(connection, row)[0] for row in rows]
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        batch = rows[start:start + ROWS_PER_STATEMENT]
        if len(batch) == 1:
            _statement(table, keys, False).run(connection, batch[0])
            continue
        _multi_row_statement(table, keys, len(batch)).run(connection, {
            f"{key}_{n}": value for n, row in enumerate(batch) for key, value in row.items()
        })
    return []
