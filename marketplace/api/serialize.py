"""Models → JSON for the API; money in integer cents, dates ISO 8601, times aware UTC."""
from __future__ import annotations

from datetime import datetime

from marketplace.accounts.permissions import can_see_pickup_code
from marketplace.catalog.models import Product, Temperature
from marketplace.catalog.queries import stock_state
from marketplace.orders.checkout import vat_of_order
from marketplace.orders.models import Order
from marketplace.pickup.cold_chain import temperatures_kept
from marketplace.pickup.collection import get_resident_pickup
from marketplace.pickup.models import PickupPlace
from marketplace.regions.schedule import DeliveryDay


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _km(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def product(item: Product, distance_km: float | None = None) -> dict:
    return {
        "id": item.id,
        "name": item.name,
        "producer": {"id": item.producer.id, "name": item.producer.name},
        "unit": item.unit.value,
        "price_cents": item.price_cents,
        "vat_rate": item.vat_rate,
        "temperature": item.temperature.value,
        "stock": item.stock,
        "stock_state": stock_state(item).value,
        "organic": item.is_organic,
        "distance_km": _km(distance_km),
    }


def product_detail(item: Product, distance_km: float | None = None) -> dict:
    return {
        **product(item, distance_km),
        "description": item.description,
        "category": {"slug": item.category.slug, "name": item.category.name},
        "price_per_kg_cents": item.price_per_kg_cents(),
        "base_price": _base_price(item),
        "is_active": item.is_active,
    }


def _base_price(item: Product) -> dict | None:
    """The price per kg or litre (PAngV), where unit or content give it."""
    base = item.base_price()
    return {"cents": base[0], "per": base[1]} if base else None


def producer_product(item: Product, photo_urls: dict | None) -> dict:
    """A product as its producer sees it: the public fields and what only the producer sets."""
    return {
        **product_detail(item),
        "article_number": item.article_number,
        "archived_at": _time(item.archived_at),
        "crate_units": float(item.crate_units),
        "min_quantity": item.min_quantity,
        "quantity_step": item.quantity_step,
        "unit_weight_g": item.unit_weight_g,
        "unit_volume_ml": item.unit_volume_ml,
        "weight_tolerance_pct": item.weight_tolerance_pct,
        "weekdays": [day for day in range(1, 8) if item.available_weekday_mask & (1 << (day - 1))],
        "season_start": item.season_start.isoformat() if item.season_start else None,
        "season_end": item.season_end.isoformat() if item.season_end else None,
        "photo": photo_urls,
    }


def pickup_place(place: PickupPlace, distance_km: float | None = None) -> dict:
    kept = temperatures_kept(place)
    return {
        "id": place.id,
        "kind": place.kind.value,
        "name": place.name,
        "street": place.street,
        "place": place.place.name,
        "sub_region": place.sub_region.slug,
        "chilled": kept != {Temperature.AMBIENT},
        "temperatures": sorted(t.value for t in kept),
        "distance_km": _km(distance_km),
    }


def delivery_day(day: DeliveryDay) -> dict:
    return {"date": day.date.isoformat(), "cutoff_at": _time(day.cutoff_at)}


def order(item: Order) -> dict:
    place = item.pickup_place
    return {
        "id": item.id,
        "number": item.number,
        "status": item.status.value,
        "delivery_date": item.delivery_date.isoformat(),
        "cutoff_at": _time(item.cutoff_at),
        "fulfilment": {
            "kind": item.fulfilment.value,
            "pickup_place_id": place.id if place else None,
            "pickup_place_name": place.name if place else None,
            "street": item.door_street,
            "postcode": item.door_postcode,
            "town": item.door_town,
            "window": item.door_window,
        },
        "payment_method": item.payment_method.value,
        "items_total_cents": item.items_total_cents,
        "delivery_fee_cents": item.delivery_fee_cents,
        "total_cents": item.total_cents,
        "vat": [
            {"rate": v.rate, "gross_cents": v.gross_cents, "vat_cents": v.vat_cents, "net_cents": v.net_cents}
            for v in vat_of_order(item)
        ],
        "lines": [
            {
                "product_id": line.product_id, "name": line.product_name, "unit": line.unit.value,
                "quantity": line.quantity, "unit_price_cents": line.unit_price_cents,
                "vat_rate": line.vat_rate, "total_cents": line.total_cents,
            }
            for line in item.lines
        ],
        "events": [
            {
                "at": _time(e.at), "kind": e.kind,
                "from_status": e.from_status.value if e.from_status else None,
                "to_status": e.to_status.value if e.to_status else None,
            }
            for e in item.events
        ],
        "created_at": _time(item.created_at),
    }


def pickup(item: Order, viewer, now) -> dict | None:
    """The valid pickup code and where to collect, for the order's resident only (else None)."""
    if not can_see_pickup_code(viewer, item):
        return None
    found = get_resident_pickup(item, now=now)
    if found is None:
        return None
    return {
        "code": found.code, "place_id": found.place_id, "compartments": found.compartments,
        "collect_by": _time(found.collect_by), "qr_svg_url": f"/api/v1/orders/{item.id}/pickup-code.svg",
    }
