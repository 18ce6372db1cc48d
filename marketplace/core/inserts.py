"""INSERT new ORM objects in one plain statement per class, bypassing the unit of work.

For a hot path that writes a known set of new objects (placing an order): the session's flush
would write the same rows with far more bookkeeping. The caller sets every foreign key itself
and afterwards attaches the objects with `attach_as_loaded`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Insert, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, make_transient_to_detached


@dataclass(frozen=True)
class _Plan:
    columns: tuple[tuple[str, str, object], ...]  # (attribute, column, column default or None)
    one: Insert
    many: Insert


@cache
def _plan(cls: type) -> _Plan:
    mapper = sa_inspect(cls)
    table = mapper.local_table
    columns = tuple(
        (prop.key, prop.columns[0].key, prop.columns[0].default)
        for prop in mapper.column_attrs if not prop.columns[0].primary_key
    )
    return _Plan(
        columns=columns,
        one=insert(table).returning(table.c.id),
        many=insert(table).returning(table.c.id, sort_by_parameter_order=True),
    )


def insert_new(connection, objects: list) -> list[int]:
    """INSERT new objects of one class (with an integer `id` key); sets and returns their ids.

    Columns an object leaves unset get their column default, on the object too.
    """
    plan = _plan(type(objects[0]))
    rows = []
    for obj in objects:
        values = obj.__dict__
        row = {}
        for attribute, column, default in plan.columns:
            if attribute not in values and default is not None:
                setattr(obj, attribute, default.arg(None) if default.is_callable else default.arg)
            row[column] = values.get(attribute)
        rows.append(row)
    if len(rows) == 1:
        ids = [connection.execute(plan.one, rows[0]).scalar_one()]
    else:
        ids = list(connection.execute(plan.many, rows).scalars())
    for obj, id_ in zip(objects, ids, strict=True):
        obj.id = id_
    return ids


def attach_as_loaded(session: Session, root: object, objects) -> None:
    """Make inserted objects persistent in `session` as if just loaded; `root` is added last and
    cascades to the others through its relationships."""
    for obj in objects:
        make_transient_to_detached(obj)
    session.add(root)
