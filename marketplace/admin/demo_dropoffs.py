"""Demo: every sub-region's drop-off time, and the producers near its hub who bring their goods themselves.

Producers within DROPOFF_KM of a hub drop off there by 06:45; all others are collected by the
sub-region's vans. A producer may drop off at one hub and be collected for another sub-region
(the Mayen bakery drops off in Mayen, and is collected for the other sub-regions' orders).
Idempotent: a sub-region whose drop-off time or producers are set already is left as it is.
"""
from __future__ import annotations

from datetime import time

from sqlalchemy import select

from marketplace.catalog.models import Producer
from marketplace.delivery.models import ProducerDropoff
from marketplace.delivery.routing.distances import geodesic_metres
from marketplace.extensions import db
from marketplace.regions.models import DeliverySchedule

DROPOFF_BY = time(6, 45)
DROPOFF_KM = 6.0


def seed_hub_dropoffs() -> int:
    """Set the demo drop-offs where none are set; returns how many producers were added."""
    added = 0
    producers = db.session.scalars(select(Producer).where(Producer.is_approved.is_(True)).order_by(Producer.id)).all()
    for schedule in db.session.scalars(select(DeliverySchedule).order_by(DeliverySchedule.id)):
        has_any = db.session.scalar(select(ProducerDropoff.id).where(
            ProducerDropoff.sub_region_id == schedule.sub_region_id).limit(1))
        if schedule.dropoff_by is not None or has_any is not None:
            continue
        schedule.dropoff_by = DROPOFF_BY
        hub = schedule.hub_place
        for producer in producers:
            if producer.place.municipality.sub_region.region_id != schedule.sub_region.region_id:
                continue
            if geodesic_metres((hub.lat, hub.lon), (producer.place.lat, producer.place.lon)) <= DROPOFF_KM * 1000:
                db.session.add(ProducerDropoff(sub_region_id=schedule.sub_region_id, producer_id=producer.id))
                added += 1
    db.session.flush()
    return added
