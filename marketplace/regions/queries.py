"""Reads about regions, sub-regions and places."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
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
