"""Reads for assisted ordering: whom a staff member may serve, finding them, their orders."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Membership, Role, User
from marketplace.catalog.queries import escape_like
from marketplace.extensions import db
from marketplace.orders.assisted.models import AssistedAction, ResidentConsent
from marketplace.orders.models import Order
from marketplace.pickup.models import PickupPlace
from marketplace.regions.models import Municipality, Place

MAX_FOUND = 30


def staff_pickup_places(staff: User) -> list[PickupPlace]:
    """The sales points (or Regio-Hubs) where the staff member works."""
    place_ids = staff.scopes(Role.SALES_POINT_STAFF)
    if not place_ids:
        return []
    return list(db.session.scalars(
        select(PickupPlace).where(PickupPlace.id.in_(place_ids)).order_by(PickupPlace.name)
    ))


def staff_sub_region_ids(staff: User) -> set[int]:
    """The sub-regions whose residents a staff member may serve: those of their sales points."""
    return {place.sub_region_id for place in staff_pickup_places(staff)}


def _served(staff: User):
    """Residents at home in one of the staff member's sub-regions."""
    return (
        select(User)
        .join(Membership, (Membership.user_id == User.id) & (Membership.role == Role.RESIDENT))
        .join(Place, Place.id == User.home_place_id)
        .join(Municipality, Municipality.id == Place.municipality_id)
        .where(Municipality.sub_region_id.in_(staff_sub_region_ids(staff)), User.active.is_(True))
    )


def find_residents(staff: User, text: str) -> list[User]:
    """Residents the staff member may serve whose name, phone, street or town contains `text`
    (any case; a phone number matches by its digits), at most MAX_FOUND, by name."""
    text = (text or "").strip()
    if not text:
        return []
    pattern = f"%{escape_like(text.lower())}%"
    conditions = [
        User.name.ilike(pattern, escape="\\"), User.street.ilike(pattern, escape="\\"),
        User.town.ilike(pattern, escape="\\"),
    ]
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= 4:
        # Stored in E.164 (+49171…): a number typed as 0171… matches by what follows the 0.
        conditions.append(User.phone.like(f"%{digits.lstrip('0')}%"))
    return list(db.session.scalars(
        _served(staff).where(or_(*conditions)).options(joinedload(User.home_place))
        .order_by(User.name, User.id).limit(MAX_FOUND)
    ).unique())


def is_served_by(staff: User, resident_id: int) -> bool:
    return db.session.scalar(_served(staff).where(User.id == resident_id).with_only_columns(User.id)) is not None


def list_orders_of(resident_id: int, limit: int = 10) -> list[Order]:
    return list(db.session.scalars(
        select(Order).where(Order.resident_id == resident_id)
        .options(joinedload(Order.pickup_place), joinedload(Order.placed_by))
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    ))


def list_actions_for(resident_id: int, limit: int = 20) -> list[AssistedAction]:
    return list(db.session.scalars(
        select(AssistedAction).where(AssistedAction.resident_id == resident_id)
        .options(joinedload(AssistedAction.staff))
        .order_by(AssistedAction.at.desc(), AssistedAction.id.desc()).limit(limit)
    ))


def latest_consent(resident_id: int) -> ResidentConsent | None:
    return db.session.scalars(
        select(ResidentConsent).where(ResidentConsent.resident_id == resident_id)
        .order_by(ResidentConsent.given_at.desc(), ResidentConsent.id.desc())
    ).first()
