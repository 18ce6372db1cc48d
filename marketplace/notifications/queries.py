"""Reads of the outbox: the development list, failed messages per region, who may print a slip."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.notifications.kinds import KINDS
from marketplace.notifications.models import (
    Channel,
    Notification,
    NotificationDelivery,
    NotificationState,
)
from marketplace.regions.models import Municipality, Place, SubRegion


def list_outbox(limit: int = 200) -> list[tuple[Notification, int]]:
    """The newest notifications first, each with how often a channel accepted it."""
    deliveries = (
        select(func.count(NotificationDelivery.id))
        .where(NotificationDelivery.notification_id == Notification.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Notification, deliveries).options(selectinload(Notification.recipient))
        .order_by(Notification.id.desc()).limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _region_of_recipient():
    return (
        select(SubRegion.region_id)
        .join(Municipality, Municipality.sub_region_id == SubRegion.id)
        .join(Place, Place.municipality_id == Municipality.id)
        .join(User, User.home_place_id == Place.id)
        .where(User.id == Notification.recipient_id)
        .scalar_subquery()
    )


def list_failed_in_regions(region_ids: list[int], limit: int = 200) -> list[Notification]:
    if not region_ids:
        return []
    return list(db.session.scalars(
        select(Notification).options(selectinload(Notification.recipient))
        .where(Notification.state == NotificationState.FAILED, _region_of_recipient().in_(region_ids))
        .order_by(Notification.id.desc()).limit(limit)
    ))


def list_slips_to_print(*, place_ids: list[int], sub_region_ids: list[int], limit: int = 100) -> list[Notification]:
    """Slips sent (ready to print) for these sales points, or for residents of these sub-regions
    whose slip names no sales point; newest first."""
    if not place_ids and not sub_region_ids:
        return []
    sub_region_of_recipient = (
        select(Municipality.sub_region_id)
        .join(Place, Place.municipality_id == Municipality.id)
        .join(User, User.home_place_id == Place.id)
        .where(User.id == Notification.recipient_id)
        .scalar_subquery()
    )
    return list(db.session.scalars(
        select(Notification).options(selectinload(Notification.recipient))
        .where(Notification.channel == Channel.SLIP, Notification.state == NotificationState.SENT,
               or_(Notification.place_id.in_(place_ids),
                   and_(Notification.place_id.is_(None), sub_region_of_recipient.in_(sub_region_ids))))
        .order_by(Notification.id.desc()).limit(limit)
    ))


def get_region_id_of(notification: Notification) -> int | None:
    home = notification.recipient.home_place
    return home.municipality.sub_region.region_id if home is not None else None


def can_see_notification(user: User, notification: Notification) -> bool:
    """That a notification was sent (kind, channel, state, times): the recipient, staff of the
    slip's sales point, the recipient's coordinators and region admins. What it says:
    `can_read_notification`."""
    if user.id == notification.recipient_id:
        return True
    if notification.place_id is not None and notification.place_id in user.scopes(Role.SALES_POINT_STAFF):
        return True
    home = notification.recipient.home_place
    if home is None:
        return False
    sub_region = home.municipality.sub_region
    return sub_region.id in user.scopes(Role.COORDINATOR) or sub_region.region_id in user.scopes(Role.ADMIN)


def can_read_notification(user: User, notification: Notification) -> bool:
    """What a notification says (subject, text, a printed slip): whoever may see it, except that
    a kind whose texts carry a secret (a pickup code opens a locker; an invitation link makes an
    account) is for the recipient alone and, as a printed slip, for the staff of the sales point
    who hand it over. Every page that shows a notification's texts asks this."""
    if not can_see_notification(user, notification):
        return False
    if user.id == notification.recipient_id:
        return True
    kind = KINDS.get(notification.kind)  # a kind nobody registers any more: kept as a secret
    if kind is not None and not kind.secret:
        return True
    return notification.channel == Channel.SLIP and notification.place_id is not None and (
        notification.place_id in user.scopes(Role.SALES_POINT_STAFF))
