"""Open data: the pickup places with their opening hours, and the delivery days per sub-region,
as plain rows for a public JSON and CSV feed (`/open-data/…`), so municipalities can show them.

Only approved, active pickup places, and only days residents can still order for."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.orders.checkout import list_open_delivery_days, list_pickup_places_of
from marketplace.pickup.cold_chain import temperatures_kept
from marketplace.regions.models import SubRegion

# The CSV columns, in order: the JSON fields, with lists written as text.
PICKUP_PLACE_COLUMNS = ("id", "kind", "name", "street", "place", "postcode", "sub_region", "lat",
                        "lon", "temperatures", "opening_hours")
DELIVERY_DAY_COLUMNS = ("sub_region", "sub_region_name", "date", "cutoff_at")
WEEKDAY_ABBREVIATIONS = {1: "Mo", 2: "Di", 3: "Mi", 4: "Do", 5: "Fr", 6: "Sa", 7: "So"}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def list_open_pickup_places() -> list[dict]:
    """Every approved, active pickup place of the region with what a map or a list shows."""
    return [
        {
            "id": place.id, "kind": place.kind.value, "name": place.name, "street": place.street,
            "place": place.place.name, "postcode": place.place.postcode,
            "sub_region": place.sub_region.slug, "lat": place.lat, "lon": place.lon,
            "temperatures": sorted(t.value for t in temperatures_kept(place)),
            "opening_hours": [
                {"weekday": hours.weekday, "opens": hours.opens.strftime("%H:%M"),
                 "closes": hours.closes.strftime("%H:%M")}
                for hours in place.opening_hours
            ],
        }
        for place in list_pickup_places_of(None)
    ]


def list_open_delivery_days_by_sub_region(now: datetime) -> list[dict]:
    """The coming delivery days of every sub-region still open for orders, with their cut-offs."""
    sub_regions = db.session.scalars(
        select(SubRegion).options(joinedload(SubRegion.schedule)).order_by(SubRegion.name)
    )
    return [
        {"sub_region": sub_region.slug, "sub_region_name": sub_region.name,
         "date": day.date.isoformat(), "cutoff_at": _iso(day.cutoff_at)}
        for sub_region in sub_regions
        for day in list_open_delivery_days(sub_region, now)
    ]


def as_csv_row(item: dict, columns: tuple[str, ...]) -> list[str]:
    """One feed item as CSV cells: lists as text ("chilled ambient", "Mo 08:00-12:00, …")."""
    cells = []
    for column in columns:
        value = item[column]
        if column == "temperatures":
            value = " ".join(value)
        elif column == "opening_hours":
            value = ", ".join(f"{WEEKDAY_ABBREVIATIONS[h['weekday']]} {h['opens']}-{h['closes']}"
                              for h in value)
        cells.append("" if value is None else str(value))
    return cells
