"""/api/v1/producer/days and /lines: a producer's delivery day as JSON, packed, short, weighed.

The same read (reports/packing) and services (orders/packing.py) as the portal's pages; another
producer's line is a 404, like a missing one, and nothing changes.
"""
from __future__ import annotations

import datetime as dt

from marketplace.accounts.permissions import can_act_for_producer
from marketplace.api.auth import api_user, token_required
from marketplace.api.parsing import InvalidField, json_object
from marketplace.api.producer import _producer
from marketplace.api.views import bp
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.orders import packing
from marketplace.orders.models import OrderLine
from marketplace.reports.packing import queries
from marketplace.reports.packing.queries import PackOrder, ProducerDaySheet


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidField(field="date") from None


def line_json(line: OrderLine) -> dict:
    return {
        "id": line.id, "product_id": line.product_id, "name": line.product_name, "unit": line.unit.value,
        "temperature": line.temperature.value, "quantity": line.quantity, "short_quantity": line.short_quantity,
        "short_cents": line.short_cents, "unit_price_cents": line.unit_price_cents, "vat_rate": line.vat_rate,
        "total_cents": line.total_cents, "variable_weight": line.is_variable_weight,
        "nominal_weight_g": line.nominal_weight_g, "weight_tolerance_pct": line.weight_tolerance_pct,
        "price_per_kg_cents": line.price_per_kg_cents, "weight_grams": line.weight_grams,
    }


def _order_json(order: PackOrder) -> dict:
    return {
        "number": order.number, "status": order.status.value, "resident_name": order.resident_name,
        "fulfilment": order.fulfilment.value, "pickup_place": order.place_name, "street": order.street,
        "town": order.door_town, "door_window": order.door_window, "packed": order.is_packed,
        "total_cents": order.total_cents, "lines": [line_json(line) for line in order.lines],
    }


def day_json(sheet: ProducerDaySheet) -> dict:
    return {
        "date": sheet.day.isoformat(),
        "cutoff_at": sheet.cutoff_at.isoformat() if sheet.cutoff_at else None,
        "packed": sheet.is_packed, "orders": len(sheet.orders), "lines": sheet.line_count,
        "total_cents": sheet.total_cents,
        "minimum": [{"sub_region": a.sub_region.slug, "state": a.state.value, "turnover_cents": a.turnover_cents,
                     "minimum_cents": a.minimum_cents} for a in sheet.answers],
        "pick_list": [{
            "product_id": r.product_id, "article_number": r.article_number, "name": r.name, "unit": r.unit.value,
            "temperature": r.temperature.value, "quantity": r.quantity, "short_quantity": r.short_quantity,
            "to_pack": r.packed_quantity,
        } for r in sheet.pick],
        "packing_list": [{
            "sub_region": g.sub_region_slug, "sub_region_name": g.sub_region_name, "fulfilment": g.fulfilment.value,
            "pickup_place": g.place_name, "orders": [_order_json(o) for o in g.orders],
        } for g in sheet.groups],
    }


@bp.get("/producer/days/<date>")
@token_required
def producer_day(date: str):
    producer = _producer()
    return day_json(queries.load_producer_day(producer.id, _day(date)))


@bp.post("/producer/days/<date>/packed")
@token_required
def producer_day_packed(date: str):
    producer = _producer()
    day = _day(date)
    result = packing.mark_day_packed(producer=producer, day=day, actor=api_user(), now=utcnow())
    db.session.commit()
    return {"date": day.isoformat(), "producer_orders": result.producer_orders, "orders_packed": result.orders_packed}


@bp.patch("/producer/lines/<int:line_id>")
@token_required
def producer_change_line(line_id: int):
    _producer()
    line = queries.get_producer_line(line_id)
    if line is None or not can_act_for_producer(api_user(), line.producer_order.producer_id):
        raise NotFound()
    data = json_object()
    if set(data) not in ({"weight_grams"}, {"short_quantity"}):
        raise InvalidField(field=next(iter(sorted(set(data) - {"weight_grams", "short_quantity"})), "body"))
    if "weight_grams" in data:
        packing.weigh_line(line=line, weight_grams=data["weight_grams"], actor=api_user(), now=utcnow())
    else:
        packing.mark_line_short(line=line, short_quantity=data["short_quantity"], actor=api_user(), now=utcnow())
    answer = {**line_json(line), "order_total_cents": line.order.total_cents, "order_status": line.order.status.value}
    db.session.commit()
    return answer
