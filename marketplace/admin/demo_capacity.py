"""Demo capacity: each demo sales point takes a number of crate units per delivery day, and one of
them (the small Dorfbüro Monreal) so few that the coming days' demo orders fill it, so the
checkout shows a full place with the nearest ones that still have room."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.pickup.models import SalesPoint

# Crate units per delivery day: (ambient, chilled); frozen stays unlimited (no demo freezer).
CAPACITY = (24, 8)
SMALL = {"Dorfbüro Monreal": (1, 0)}


def seed_capacity() -> None:
    """Set the demo sales points' capacities (the same values every time: idempotent)."""
    for point in db.session.scalars(select(SalesPoint).order_by(SalesPoint.id)):
        ambient, chilled = SMALL.get(point.name, CAPACITY)
        point.capacity_ambient = ambient
        point.capacity_chilled = chilled if point.has_chilled_shelf else 0
    db.session.flush()
