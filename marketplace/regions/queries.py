"""Reads about regions, sub-regions and places."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.regions.geo import ResolvedAddress, resolve_address
from marketplace.regions.models import Municipality, Place, Region, SubRegion


def get_default_region() -> Region | None:
    return db.session.scalars(select(Region).order_by(Region.id).limit(1)).first()


def list_sub_regions_with_places(region: Region) -> list[SubRegion]:
    return list(
        db.session.scalars(
            select(SubRegion)
            .where(SubRegion.region_id == region.id)
            .options(selectinload(SubRegion.municipalities).selectinload(Municipality.places))
            .order_by(SubRegion.name)
        )
    )


def get_place_by_name(name: str) -> Place | None:
    return db.session.scalars(
        select(Place).where(func.lower(Place.name) == name.strip().lower()).limit(1)
    ).first()


def list_places() -> list[Place]:
    return list(db.session.scalars(select(Place).order_by(Place.name)))


def locate_address(
    *, street: str, postcode: str, town: str, nominatim_user_agent: str | None = None,
) -> tuple[ResolvedAddress, Place | None] | None:
    """Where an address lies and the region's place it belongs to (None outside the region); None
    when it cannot be located at all. Home addresses and door-delivery addresses alike."""
    places = [
        (p.id, p.name, p.lat, p.lon)
        for p in db.session.execute(select(Place.id, Place.name, Place.lat, Place.lon)).all()
    ]
    resolved = resolve_address(
        street=street, postcode=postcode, town=town, places=places,
        nominatim_user_agent=nominatim_user_agent,
    )
    if resolved is None:
        return None
    return resolved, db.session.get(Place, resolved.place_id) if resolved.place_id else None
