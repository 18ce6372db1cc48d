"""The coordinator's review of a new pickup place: approve it, or decline it with a reason. The
place's operators or staff are told either way."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.accounts.models import Membership, User
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.pickup.models import PickupPlace

register_kind("pickup_place_reviewed", sample={
    "place_name": "Paketstation Ochtendung Bürgerhaus am Sportplatz", "approved": False,
    "reason": "Der Standort ist abends nicht beleuchtet; bitte eine Leuchte anbringen.",
})


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    message = N_("Über diesen Abholort wurde schon entschieden.")


class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = N_("Bitte geben Sie einen Grund für die Ablehnung an.")


def _people_of(place: PickupPlace) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.pickup_place_id == place.id, User.active.is_(True))
        .order_by(User.id)
    ).unique())


def review_pickup_place(place: PickupPlace, *, approve: bool, reason: str = "", now: datetime) -> PickupPlace:
    """Approve a waiting place (it is offered from the next request on), or decline it with a
    reason; flushes, the caller commits. A place decided on before is refused."""
    reason = (reason or "").strip()
    if place.is_approved or place.reviewed_at is not None:
        raise AlreadyReviewed()
    if not approve and not reason:
        raise ReasonRequired()
    if len(reason) > 500:
        raise InvalidInput(N_("Der Grund darf höchstens 500 Zeichen lang sein."))
    place.is_approved, place.reviewed_at, place.review_note = approve, now, reason or None
    for person in _people_of(place):
        notify(person, "pickup_place_reviewed", {"place_name": place.name, "approved": approve, "reason": reason},
               now=now)
    db.session.flush()
    if approve:
        bump_catalog_version()
    return place
