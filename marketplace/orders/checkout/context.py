"""The checkout's context, loaded once: the resident's home and sub-region, its pickup places, the
basket's products. The options page, the shop's order form and the API all read it from here."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.checkout.errors import NoHomeAddress
from marketplace.pickup.models import ParcelStation, PickupPlace
from marketplace.regions.models import Municipality, Place, SubRegion


@dataclass(frozen=True)
class CheckoutContext:
    resident: User
    sub_region: SubRegion                 # of the resident's home, with its schedule
    places: dict[int, PickupPlace]        # the sub-region's active, approved pickup places
    products: dict[int, Product]          # the basket's products that exist, with producers

    @property
    def home(self) -> tuple[float, float] | None:
        """Where the resident lives: the geocoded address, else the home village."""
        resident = self.resident
        if resident.home_lat is not None and resident.home_lon is not None:
            return resident.home_lat, resident.home_lon
        if resident.home_place is not None:
            return resident.home_place.lat, resident.home_place.lon
        return None


def list_pickup_places_of(sub_region_id: int | None, ids: Iterable[int] | None = None) -> list[PickupPlace]:
    """Active, approved pickup places of a sub-region (of every sub-region for None; only those
    of `ids` when given), with what the checkout rules read: working compartments, opening
    hours, village and sub-region."""
    conditions = [PickupPlace.is_active.is_(True), PickupPlace.is_approved.is_(True)]
    if sub_region_id is not None:
        conditions.append(PickupPlace.sub_region_id == sub_region_id)
    if ids is not None:
        conditions.append(PickupPlace.id.in_(list(ids)))
    return list(
        db.session.scalars(
            select(PickupPlace)
            .where(*conditions)
            .options(
                selectinload(ParcelStation.working_compartments),
                selectinload(PickupPlace.opening_hours),
                joinedload(PickupPlace.place), joinedload(PickupPlace.sub_region),
            )
            .order_by(PickupPlace.name, PickupPlace.id)
        ).unique()
    )


def load_products(product_ids: Iterable[int]) -> dict[int, Product]:
    """The products of these ids with their producers; ids that name nothing are left out."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    return {
        product.id: product
        for product in db.session.scalars(
            select(Product).where(Product.id.in_(ids)).options(joinedload(Product.producer))
        )
    }


def load_resident(resident_id: int) -> User | None:
    """The resident with home village, municipality, sub-region and schedule, in one query."""
    return db.session.scalars(
        select(User)
        .where(User.id == resident_id)
        .options(
            joinedload(User.home_place).joinedload(Place.municipality)
            .joinedload(Municipality.sub_region).joinedload(SubRegion.schedule)
        )
    ).first()


def load_checkout(
    resident_id: int, product_ids: Iterable[int] = (), *, place_ids: Iterable[int] | None = None,
) -> CheckoutContext:
    """Everything the checkout rules read; raises NoHomeAddress for a resident outside the region.

    `places` holds every pickup place of the resident's sub-region, or only those of `place_ids`
    (placing an order needs just the one it names)."""
    resident = load_resident(resident_id)
    sub_region = resident.home_sub_region if resident is not None else None
    if sub_region is None:
        raise NoHomeAddress()
    places = {place.id: place for place in list_pickup_places_of(sub_region.id, place_ids)}
    return CheckoutContext(resident, sub_region, places, load_products(product_ids))
