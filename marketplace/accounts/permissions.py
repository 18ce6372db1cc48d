"""Who may see and do what: one place for the HTML views and the API alike.

Each check takes the user and the object (or its scope id) and answers True or False; the caller
turns a False for someone else's object into a 404, so that an object is as good as missing to
anyone who may not see it. The checks read attributes (no imports of the models they judge),.
`role_required` and `first_scoped_or_403` guard the HTML views: 403 for a user without the role
or the scope.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.accounts.models import Role, User
from marketplace.extensions import db


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


def first_scoped_or_403(model, role: Role):
    """The `model` object (a producer, a region…) of the signed-in user's first scope in `role`:
    whose portal or set-up a page shows. 403 for a user without one."""
    ids = current_user.scopes(role)
    obj = db.session.get(model, ids[0]) if ids else None
    if obj is None:
        abort(403)
    return obj


def can_see_order(user: User | None, order) -> bool:
    """An order is its resident's, and the staff member's who placed it for them."""
    return user is not None and user.id in (order.resident_id, order.placed_by_id)


def can_coordinate(user: User | None, sub_region_id: int) -> bool:
    return user is not None and sub_region_id in user.scopes(Role.COORDINATOR)


def can_drive(user: User | None, tour) -> bool:
    """A driver drives the published tours assigned to them, and no others.

    Publishing assigns the sub-region's driver when it has exactly one; otherwise an unassigned
    tour waits for the coordinator's assignment.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not tour.is_published:
        return False
    return tour.driver_id is not None and tour.driver_id == user.id


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


def can_decide_producer(user: User | None, producer) -> bool:
    """A producer's application is decided by the coordinators of its place's sub-region."""
    return can_coordinate(user, producer.place.municipality.sub_region_id)


def can_invite_staff(user: User | None, producer) -> bool:
    """A producer's owner (the account that applied) invites its staff."""
    return user is not None and producer.owner_id is not None and producer.owner_id == user.id


def can_see_assisted_slip(user: User | None, order) -> bool:
    """An assisted order's slip is for the staff member who placed it, and for nobody else."""
    return user is not None and order.placed_by_id is not None and order.placed_by_id == user.id


def can_staff(user: User | None, sales_point_id: int) -> bool:
    """A sales point's incoming orders and handovers are for its own staff."""
    return user is not None and sales_point_id in user.scopes(Role.SALES_POINT_STAFF)


def can_see_pickup_code(user: User | None, order) -> bool:
    """A pickup code in plain digits is for the order's resident alone."""
    return user is not None and getattr(user, "is_authenticated", False) and user.id == order.resident_id
def can_see_invoice(user: User | None, invoice) -> bool:
    """An invoice or credit note is its buyer's (and of the staff who ordered for them), and its
    producer's: the seller of its goods, the buyer of the platform's fee."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if invoice.buyer_user_id is not None and user.id in (invoice.buyer_user_id, invoice.order.placed_by_id):
        return True
    return invoice.producer_id is not None and can_act_for_producer(user, invoice.producer_id)


def can_mark_invoice_paid(user: User | None, order) -> bool:
    """The sub-region's coordinators, and the staff of the sales point the order goes to."""
    if user is None:
        return False
    return can_coordinate(user, order.sub_region_id) or (
        order.pickup_place_id is not None and order.pickup_place_id in user.scopes(Role.SALES_POINT_STAFF)
    )


def can_set_up_region(user: User | None, region_id: int) -> bool:
    """A region is set up by its own admins (sub-regions, places, people, fees, branding)."""
    return user is not None and region_id in user.scopes(Role.ADMIN)


def can_choose_payment_methods(user: User | None, sub_region) -> bool:
    """A sub-region's payment methods are chosen by its region's admins and its coordinators."""
    return can_set_up_region(user, sub_region.region_id) or can_coordinate(user, sub_region.id)
