"""A placed order's rows in one statement on PostgreSQL: data-modifying CTEs.

Portable SQL writes an order with one INSERT per table (order, producer orders, lines,
events), each a round trip that needs the ids the one before returned. PostgreSQL runs INSERTs
inside `WITH`: the order's id flows into the producer orders, their ids (matched by producer,
one producer order per producer) into the lines, all in one statement and one round trip
(README, "Performance"). The foreign keys are checked at the end of the statement, when every
row is there. The statement depends on how many producer orders, lines and events the order
has; each such shape is compiled once (core.prepared).
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, column, insert, select, true, values
from sqlalchemy.sql.selectable import CTE

from marketplace.core.inserts import row_of
from marketplace.core.prepared import Prepared
from marketplace.orders.models import Order, OrderEvent, OrderLine, ProducerOrder
from marketplace.orders.placed import PlacedOrder

_orders, _producer_orders = Order.__table__, ProducerOrder.__table__
_order_lines, _order_events = OrderLine.__table__, OrderEvent.__table__
# Filled from the CTEs, not from the records.
_LINKS = {"order_id", "producer_order_id"}


def write_order_at_once(connection, order: PlacedOrder) -> None:
    """INSERT the order with its producer orders, lines and events; set their ids."""
    order_row = row_of(order, _orders)
    producer_rows = [_without_links(row_of(po, _producer_orders)) for po in order.producer_orders]
    line_rows = [
        {"producer_id": po.producer_id, **_without_links(row_of(line, _order_lines))}
        for po in order.producer_orders for line in po.lines
    ]
    event_rows = [_without_links(row_of(event, _order_events)) for event in order.events]
    statement = _statement(
        tuple(order_row), tuple(producer_rows[0]), len(producer_rows), tuple(line_rows[0]),
        len(line_rows), tuple(event_rows[0]), len(event_rows),
    )
    params = {f"o_{key}": value for key, value in order_row.items()}
    for prefix, rows in (("p", producer_rows), ("l", line_rows), ("e", event_rows)):
        params.update(_numbered(prefix, rows))
    written = statement.all(connection, params)
    order.id = written[0].order_id
    ids = {row.producer_id: row.producer_order_id for row in written}
    for producer_order in order.producer_orders:
        producer_order.order_id, producer_order.id = order.id, ids[producer_order.producer_id]
        for line in producer_order.lines:
            line.order_id, line.producer_order_id = order.id, producer_order.id
    for event in order.events:
        event.order_id = order.id


def _without_links(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in _LINKS}


def _numbered(prefix: str, rows: list[dict]) -> dict:
    return {f"{prefix}{n}_{key}": value for n, row in enumerate(rows) for key, value in row.items()}


def _rows_in(name: str, prefix: str, table, keys: tuple[str, ...], count: int, extra=()):
    """VALUES of `count` rows of bound parameters, typed as `table`'s columns (and `extra`)."""
    columns = [*extra, *(table.c[key] for key in keys if key not in {c.name for c in extra})]
    return values(*(column(c.name, c.type) for c in columns), name=name).data([
        tuple(bindparam(f"{prefix}{n}_{c.name}", type_=c.type) for c in columns)
        for n in range(count)
    ])


@lru_cache(maxsize=128)
def _statement(order_keys, producer_keys, producers, line_keys, lines, event_keys, events) -> Prepared:
    new_order: CTE = (
        insert(_orders)
        .values({key: bindparam(f"o_{key}", type_=_orders.c[key].type) for key in order_keys})
        .returning(_orders.c.id)
        .cte("new_order")
    )
    producers_in = _rows_in("producers_in", "p", _producer_orders, producer_keys, producers)
    new_producer_orders: CTE = (
        insert(_producer_orders)
        .from_select(
            ["order_id", *producer_keys],
            select(new_order.c.id, *(producers_in.c[key] for key in producer_keys))
            .select_from(new_order.join(producers_in, true())),
        )
        .returning(_producer_orders.c.id, _producer_orders.c.producer_id)
        .cte("new_producer_orders")
    )
    line_columns = tuple(key for key in line_keys if key != "producer_id")
    lines_in = _rows_in(
        "lines_in", "l", _order_lines, line_columns, lines, extra=(_producer_orders.c.producer_id,),
    )
    new_lines = insert(_order_lines).from_select(
        ["order_id", "producer_order_id", *line_columns],
        select(new_order.c.id, new_producer_orders.c.id, *(lines_in.c[key] for key in line_columns))
        .select_from(
            lines_in.join(
                new_producer_orders, new_producer_orders.c.producer_id == lines_in.c.producer_id,
            ).join(new_order, true())
        ),
    ).cte("new_lines")
    events_in = _rows_in("events_in", "e", _order_events, event_keys, events)
    new_events = insert(_order_events).from_select(
        ["order_id", *event_keys],
        select(new_order.c.id, *(events_in.c[key] for key in event_keys))
        .select_from(new_order.join(events_in, true())),
    ).cte("new_events")
    return Prepared(
        select(
            new_order.c.id.label("order_id"),
            new_producer_orders.c.id.label("producer_order_id"),
            new_producer_orders.c.producer_id,
        )
        .select_from(new_order.join(new_producer_orders, true()))
        .add_cte(new_lines, new_events)
    )
