"""Who may see and do what: one place for the HTML views and the API alike.

Each check takes the user and the object (or its scope id) and answers True or False; the caller
turns a False for someone else's object into a 404, so that an object is as good as missing to
anyone who may not see it. The checks read attributes (no imports of the models they judge), and one count of drivers.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.accounts.models import Role, User
from marketplace.accounts.queries import list_single_driver_sub_regions


def role_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.roles() & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_see_order(user: User | None, order) -> bool:
    """An order is its resident's, and the staff member's who placed it for them."""
    return user is not None and user.id in (order.resident_id, order.placed_by_id)


def can_coordinate(user: User | None, sub_region_id: int) -> bool:
    return user is not None and sub_region_id in user.scopes(Role.COORDINATOR)


def can_drive(user: User | None, tour) -> bool:
    """A driver drives the published tours assigned to them.

    A published tour nobody is assigned to yet is driven by the sub-region's driver when the
    sub-region has exactly one (publishing assigns it then anyway; this covers tours published
    before assignment existed). With several drivers, an unassigned tour waits for the coordinator.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not tour.is_published:
        return False
    if tour.driver_id is not None:
        return tour.driver_id == user.id
    return (tour.sub_region_id in user.scopes(Role.DRIVER)
            and list_single_driver_sub_regions([tour.sub_region_id]) == [tour.sub_region_id])


def can_see_tour(user: User | None, tour) -> bool:
    """The sub-region's coordinators see every tour; its drivers the published ones."""
    return can_coordinate(user, tour.sub_region_id) or can_drive(user, tour)


def can_act_for_producer(user: User | None, producer_id: int) -> bool:
    """A producer's products, order lines and figures are for its own staff."""
    return user is not None and producer_id in user.scopes(Role.PRODUCER)


def can_see_jobs(user: User | None) -> bool:
    """The scheduled jobs (`/admin/jobs`) are for region admins."""
    return user is not None and user.is_authenticated and user.has_role(Role.ADMIN)


def can_operate(user: User | None, station_id: int) -> bool:
    """A parcel station is run by its own operators."""
    return user is not None and station_id in user.scopes(Role.OPERATOR)


def can_see_standing_order(user: User | None, standing) -> bool:
    """A standing order is its resident's, and the staff member's who set it up for them."""
    return user is not None and user.id in (standing.resident_id, standing.created_by_id)


def can_set_up_region(user: User | None, region_id: int) -> bool:
    """A region is set up by its own admins (sub-regions, places, people, fees, branding)."""
    return user is not None and region_id in user.scopes(Role.ADMIN)
