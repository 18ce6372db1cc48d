"""Account reads: who holds a role where."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import Membership, Role, User
from marketplace.extensions import db


def list_sub_region_drivers(sub_region_id: int) -> list[User]:
    """The drivers of a sub-region, by name."""
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.role == Role.DRIVER,
                                            Membership.sub_region_id == sub_region_id)
        .order_by(User.name, User.id)))


def list_single_driver_sub_regions(sub_region_ids: list[int]) -> list[int]:
    """Those of `sub_region_ids` that have exactly one driver."""
    if not sub_region_ids:
        return []
    return list(db.session.scalars(
        select(Membership.sub_region_id).where(Membership.role == Role.DRIVER,
                                               Membership.sub_region_id.in_(sub_region_ids))
        .group_by(Membership.sub_region_id).having(func.count() == 1)))


def list_sub_region_coordinators(sub_region_id: int) -> list[User]:
    """The coordinators of a sub-region, by name."""
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.role == Role.COORDINATOR,
                                            Membership.sub_region_id == sub_region_id)
        .order_by(User.name, User.id)))


def list_producer_staff(producer_id: int) -> list[User]:
    """The active staff accounts of a producer, by name."""
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.role == Role.PRODUCER,
                                            Membership.producer_id == producer_id, User.active.is_(True))
        .order_by(User.name, User.id)))
