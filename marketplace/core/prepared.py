"""Statements of the hot path, compiled by SQLAlchemy once and run on the driver's cursor.

`Connection.execute` builds an execution context for every statement: it looks the compiled
form up in the cache, converts the parameters, dispatches events and wraps the cursor in a
result. For the few statements that run on every order, that costs several times what the
database itself spends on them (README, "Performance"). A `Prepared` statement keeps what
SQLAlchemy compiled for the connection's dialect (the SQL, the order of the parameters, the
type conversions both ways) and runs it on the DBAPI cursor of the same `Connection`, inside
the transaction SQLAlchemy began; the caller commits as usual.

What stays as with `Connection.execute`: the same SQL and type conversions (the column types'
own processors, `TypeDecorator`s included), driver errors raised as SQLAlchemy's exceptions
(`IntegrityError`, …), a connection the server dropped invalidated, and `before_cursor_execute`
listeners seeing every statement (with no execution context). What it refuses, when compiled:
expanding IN lists and columns whose INSERT default is computed in Python (give them values).
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement


class _Compiled:
    __slots__ = ("sql", "positional", "names", "processors", "fixed", "row_type", "column_types",
                 "_result_processors")

    def __init__(self, statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None):
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError(f"not preparable (expanding or literal parameters): {statement}")
        prefetch = [c.key for c in getattr(compiled, "insert_prefetch", ())]
        prefetch += [c.key for c in getattr(compiled, "update_prefetch", ())]
        if prefetch:
            raise ValueError(f"these columns need values (their defaults are Python's): {prefetch}")
        self.sql = compiled.string
        self.positional = compiled.positiontup is not None
        self.names = tuple(compiled.positiontup or compiled.bind_names.values())
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        self.processors = tuple(
            by_name[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names
        )
        # Values fixed in the statement itself (`.where(stock >= 0)`), by their bind names.
        self.fixed = {name: bind.effective_value for bind, name in compiled.bind_names.items()
                      if not bind.required}
        # What a SELECT selects, what an INSERT/UPDATE … RETURNING returns (else nothing).
        columns = list(getattr(statement, "exported_columns", ()))
        self.row_type = namedtuple("Row", [_key(c, n) for n, c in enumerate(columns)], rename=True)
        self.column_types = tuple(c.type.dialect_impl(dialect) for c in columns)
        self._result_processors: tuple | None = None

    def parameters(self, params: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = [
            value if processor is None else processor(value)
            for processor, value in zip(
                self.processors, [params[n] if n in params else self.fixed[n] for n in self.names],
                strict=True,
            )
        ]
        return values if self.positional else dict(zip(self.names, values, strict=True))

    def result_processors(self, dialect: Dialect, cursor) -> tuple:
        # Some drivers' conversions depend on the type the server reports (PostgreSQL's
        # numerics): taken from the first result. The statement's SQL is fixed, and so are the
        # types of its columns (reading a driver's description again costs as much as a row).
        if self._result_processors is None:
            codes = [d[1] for d in cursor.description]
            self._result_processors = tuple(
                type_.result_processor(dialect, code)
                for type_, code in zip(self.column_types, codes, strict=True)
            )
        return self._result_processors

    def row(self, processors: tuple, values: Sequence[Any]):
        return self.row_type._make(
            value if processor is None else processor(value)
            for processor, value in zip(processors, values, strict=True)
        )


def _key(column, position: int) -> str:
    return getattr(column, "key", None) or getattr(column, "name", None) or f"column_{position}"


class Prepared:
    """One Core statement (SELECT, INSERT, UPDATE, DELETE; RETURNING allowed) for `run`, `first`
    and `all`. An INSERT of given rows names the columns it fills in `column_keys`."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None):
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[Dialect, _Compiled] = {}  # by engine: its server may differ

    def compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            compiled = self._compiled[dialect] = _Compiled(self.statement, dialect, self.column_keys)
        return compiled

    def run(self, connection: Connection, params: dict[str, Any] | None = None):
        """Execute once; returns the DBAPI cursor (for its `rowcount`; closed when dropped)."""
        compiled = self.compiled(connection.dialect)
        return _execute(connection, compiled, compiled.parameters(params or {}))

    def first(self, connection: Connection, params: dict[str, Any] | None = None):
        """The first row (a named tuple, values converted as SQLAlchemy would), or None."""
        compiled = self.compiled(connection.dialect)
        cursor = self.run(connection, params)
        try:
            row = cursor.fetchone()
            if row is None:
                return None
            return compiled.row(compiled.result_processors(connection.dialect, cursor), row)
        finally:
            cursor.close()

    def all(self, connection: Connection, params: dict[str, Any] | None = None) -> list:
        compiled = self.compiled(connection.dialect)
        cursor = self.run(connection, params)
        try:
            rows = cursor.fetchall()
            if not rows:
                return []
            processors = compiled.result_processors(connection.dialect, cursor)
            return [compiled.row(processors, row) for row in rows]
        finally:
            cursor.close()


def _execute(connection: Connection, compiled: _Compiled, parameters):
    if not connection.in_transaction():
        connection.begin()  # as `Connection.execute` would (and SQLite's BEGIN hooks with it)
    dbapi_connection = connection.connection.dbapi_connection
    dialect = connection.dialect
    sql = compiled.sql
    if connection.dispatch.before_cursor_execute:
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, None, sql, parameters, None, False)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql, parameters)
    except dialect.loaded_dbapi.Error as error:
        disconnected = dialect.is_disconnect(error, dbapi_connection, cursor)
        cursor.close()
        if disconnected:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect,
            connection_invalidated=disconnected,
        ) from error
    return cursor
