"""The region admin's set-up: sub-regions, municipalities, places, fees, branding, legal texts.

Every change writes a RegionChange (who, when, what, before and after) in the caller's
transaction: a refused change writes neither the change nor its log row. Services make their
change inside `recording(...)`, which takes both snapshots and writes the row; they flush, the
caller commits. `actor` is the user making the change (anything with `id` and `name`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from marketplace.core.contrast import HEX_COLOUR, MIN_TEXT_CONTRAST, contrast_ratio
from marketplace.core.errors import N_, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.regions.changes import RegionChange
from marketplace.regions.models import DeliverySchedule, Municipality, Place, Region, SubRegion

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
# The backgrounds text in the brand colours is shown on: white cards and the page's paper.
BACKGROUNDS = ("#ffffff", "#fbfaf6")


class SetupRefused(InvalidInput):
    """A set-up change the rules refuse; `field` names the form field it is about."""

    code = "setup_refused"
    field = "name"

    def __init__(self, detail: str | None = None, *, field: str | None = None, **params: object) -> None:
        super().__init__(detail, **params)
        if field:
            self.field = field


class NameTaken(SetupRefused):
    code = "name_taken"
    message = N_("Dieser Name ist hier schon vergeben.")


class SlugTaken(SetupRefused):
    code = "slug_taken"
    field = "slug"
    message = N_("Dieses Kürzel ist schon vergeben.")


class BadSlug(SetupRefused):
    code = "bad_slug"
    field = "slug"
    message = N_("Das Kürzel besteht aus Kleinbuchstaben, Ziffern und Bindestrichen.")


class HubOutside(SetupRefused):
    code = "hub_outside_sub_region"
    field = "hub_place_id"
    message = N_("Der Hub muss in einer Gemeinde des Liefergebiets liegen.")


class HubWouldLeave(SetupRefused):
    code = "hub_would_leave"
    field = "municipality_id"
    message = N_("In dieser Gemeinde liegt der Hub ihres Liefergebiets. Wählen Sie dort zuerst einen anderen Hub.")


class BadCoordinates(SetupRefused):
    code = "bad_coordinates"
    field = "lat"
    message = N_("Breite liegt zwischen -90 und 90, Länge zwischen -180 und 180.")


class BadAmount(SetupRefused):
    code = "bad_amount"
    field = "door_fee"
    message = N_("Beträge dürfen nicht negativ sein.")


class BadFee(SetupRefused):
    code = "bad_platform_fee"
    field = "platform_fee_permille"
    message = N_("Die Plattformgebühr liegt zwischen 0 und 100 Prozent.")


class BadColour(SetupRefused):
    code = "bad_colour"
    field = "brand_colour"
    message = N_("Eine Farbe wird als #rrggbb angegeben, z. B. #2f5d1e.")


class LowContrast(SetupRefused):
    code = "low_contrast"
    field = "brand_colour"
    message = N_("Die Farbe %(colour)s hat zu wenig Kontrast zu Weiß (%(ratio)s:1, nötig sind 4,5:1). Bitte eine dunklere Farbe wählen.")


class EmptyName(SetupRefused):
    code = "empty_name"
    message = N_("Bitte einen Namen angeben.")


def log_change(*, region_id: int, actor, action: str, obj, before: dict | None,
               after: dict | None, now: datetime) -> RegionChange:
    change = RegionChange(
        region_id=region_id, actor_id=actor.id, actor_name=actor.name, at=now, action=action,
        object_type=type(obj).__name__, object_id=obj.id, before=before, after=after,
    )
    db.session.add(change)
    return change


@contextmanager
def recording(action: str, obj, *, snapshot: Callable[[Any], dict], region_id: int, actor,
              now: datetime, is_new: bool = False) -> Iterator[None]:
    """Log the change the `with` block makes to `obj`: `snapshot(obj)` before (None when the block
    creates it) and after, read after a flush so that new ids are in it. A refusal raised in the
    block propagates and logs nothing."""
    before = None if is_new else snapshot(obj)
    yield
    db.session.flush()
    log_change(region_id=region_id, actor=actor, action=action, obj=obj, before=before,
               after=snapshot(obj), now=now)


def list_changes(region: Region, limit: int = 200) -> list[RegionChange]:
    return list(db.session.scalars(
        select(RegionChange).where(RegionChange.region_id == region.id)
        .order_by(RegionChange.at.desc(), RegionChange.id.desc()).limit(limit)
    ))


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _fields(*names: str) -> Callable[[Any], dict]:
    """A snapshot of these attributes, for `recording`."""
    return lambda obj: _snapshot(obj, names)


_SUB_REGION_FIELDS = ("name", "slug", "door_delivery", "door_fee_cents", "door_min_order_cents", "local_note")


def _sub_region_snapshot(sub_region: SubRegion) -> dict:
    values = _snapshot(sub_region, _SUB_REGION_FIELDS)
    values["hub_place_id"] = sub_region.schedule.hub_place_id if sub_region.schedule else None
    values["municipality_ids"] = sorted(m.id for m in sub_region.municipalities)
    return values


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise EmptyName()
    return name


def _check_slug(slug: str, sub_region_id: int | None) -> str:
    slug = (slug or "").strip().lower()
    if not re.fullmatch(SLUG, slug) or len(slug) > 80:
        raise BadSlug()
    taken = db.session.scalar(
        select(func.count()).select_from(SubRegion)
        .where(SubRegion.slug == slug, SubRegion.id != (sub_region_id or 0))
    )
    if taken:
        raise SlugTaken()
    return slug


def _check_sub_region_name(region: Region, name: str, sub_region_id: int | None) -> str:
    name = _check_name(name)
    taken = db.session.scalar(
        select(func.count()).select_from(SubRegion).where(
            SubRegion.region_id == region.id, func.lower(SubRegion.name) == name.lower(),
            SubRegion.id != (sub_region_id or 0),
        )
    )
    if taken:
        raise NameTaken()
    return name


def _region_municipality(region: Region, municipality_id: int) -> Municipality:
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None or municipality.sub_region.region_id != region.id:
        raise NotFound()
    return municipality


def _set_hub(sub_region: SubRegion, hub_place_id: int | None, municipality_ids: set[int]) -> None:
    if hub_place_id is None:
        return
    place = db.session.get(Place, hub_place_id)
    if place is None or place.municipality_id not in municipality_ids:
        raise HubOutside()
    if sub_region.schedule is None:
        db.session.add(DeliverySchedule(sub_region=sub_region, hub_place=place, weekday_mask=0))
    else:
        sub_region.schedule.hub_place = place


def _check_may_leave(municipality: Municipality) -> None:
    schedule = municipality.sub_region.schedule
    if schedule is not None and schedule.hub_place.municipality_id == municipality.id:
        raise HubWouldLeave()


def _move(municipality: Municipality, sub_region: SubRegion) -> None:
    if municipality.sub_region_id == sub_region.id:
        return
    _check_may_leave(municipality)
    clash = db.session.scalar(select(func.count()).select_from(Municipality).where(
        Municipality.sub_region_id == sub_region.id,
        func.lower(Municipality.name) == municipality.name.lower(),
    ))
    if clash:
        raise NameTaken(field="municipality_id")
    municipality.sub_region = sub_region


def create_sub_region(*, region: Region, name: str, slug: str, municipality_ids: list[int],
                      hub_place_id: int | None, actor, now: datetime) -> SubRegion:
    """A new sub-region; the municipalities named move into it with their places."""
    name = _check_sub_region_name(region, name, None)
    slug = _check_slug(slug, None)
    sub_region = SubRegion(region=region, name=name, slug=slug)
    with recording("sub_region.created", sub_region, snapshot=_sub_region_snapshot, region_id=region.id,
                   actor=actor, now=now, is_new=True):
        db.session.add(sub_region)
        db.session.flush()
        for municipality_id in municipality_ids:
            _move(_region_municipality(region, municipality_id), sub_region)
        _set_hub(sub_region, hub_place_id, set(municipality_ids))
    return sub_region


def update_sub_region(*, sub_region: SubRegion, name: str, slug: str, hub_place_id: int | None,
                      actor, now: datetime) -> SubRegion:
    with recording("sub_region.updated", sub_region, snapshot=_sub_region_snapshot,
                   region_id=sub_region.region_id, actor=actor, now=now):
        sub_region.name = _check_sub_region_name(sub_region.region, name, sub_region.id)
        sub_region.slug = _check_slug(slug, sub_region.id)
        _set_hub(sub_region, hub_place_id, {m.id for m in sub_region.municipalities})
    return sub_region


@dataclass(frozen=True)
class Offer:
    """What a sub-region offers its residents beyond the schedule: door delivery and a note."""

    door_delivery: bool
    door_fee_cents: int
    door_min_order_cents: int
    local_note: str | None


def set_offer(*, sub_region: SubRegion, offer: Offer, actor, now: datetime) -> SubRegion:
    if offer.door_fee_cents < 0:
        raise BadAmount()
    if offer.door_min_order_cents < 0:
        raise BadAmount(field="door_min_order")
    with recording("sub_region.offer_changed", sub_region, snapshot=_sub_region_snapshot,
                   region_id=sub_region.region_id, actor=actor, now=now):
        sub_region.door_delivery = offer.door_delivery
        sub_region.door_fee_cents = offer.door_fee_cents
        sub_region.door_min_order_cents = offer.door_min_order_cents
        sub_region.local_note = (offer.local_note or "").strip()[:300] or None
    return sub_region


def add_municipality(*, sub_region: SubRegion, actor, now: datetime, name: str | None = None,
                     municipality_id: int | None = None) -> Municipality:
    """A new municipality of `name`, or the region's municipality `municipality_id` moved here
    from its sub-region (its places come along)."""
    snapshot = _fields("sub_region_id", "name")
    if municipality_id is not None:
        municipality = _region_municipality(sub_region.region, municipality_id)
        with recording("municipality.moved", municipality, snapshot=snapshot,
                       region_id=sub_region.region_id, actor=actor, now=now):
            _move(municipality, sub_region)
        return municipality
    name = _check_name(name or "")
    if any(m.name.lower() == name.lower() for m in sub_region.municipalities):
        raise NameTaken()
    municipality = Municipality(sub_region=sub_region, name=name)
    with recording("municipality.created", municipality, snapshot=snapshot,
                   region_id=sub_region.region_id, actor=actor, now=now, is_new=True):
        db.session.add(municipality)
    return municipality


def rename_municipality(*, municipality: Municipality, name: str, actor, now: datetime) -> Municipality:
    name = _check_name(name)
    if any(m.name.lower() == name.lower() and m.id != municipality.id
           for m in municipality.sub_region.municipalities):
        raise NameTaken()
    with recording("municipality.renamed", municipality, snapshot=_fields("name"),
                   region_id=municipality.sub_region.region_id, actor=actor, now=now):
        municipality.name = name
    return municipality


@dataclass(frozen=True)
class PlaceValues:
    name: str
    postcode: str | None
    kind: str
    lat: float
    lon: float


_PLACE_FIELDS = ("name", "postcode", "kind", "lat", "lon")
_place_snapshot = _fields(*_PLACE_FIELDS)


def _check_place(municipality: Municipality, values: PlaceValues, place_id: int | None) -> PlaceValues:
    name = _check_name(values.name)
    if not (-90 <= values.lat <= 90):
        raise BadCoordinates()
    if not (-180 <= values.lon <= 180):
        raise BadCoordinates(field="lon")
    if values.kind not in ("town", "village"):
        raise SetupRefused(field="kind")
    if any(p.name.lower() == name.lower() and p.id != place_id for p in municipality.places):
        raise NameTaken()
    return PlaceValues(name=name, postcode=(values.postcode or "").strip() or None,
                       kind=values.kind, lat=values.lat, lon=values.lon)


def add_place(*, municipality: Municipality, values: PlaceValues, actor, now: datetime) -> Place:
    values = _check_place(municipality, values, None)
    region_id = municipality.sub_region.region_id  # read before the new place joins the session
    place = Place(municipality=municipality, **_place_snapshot(values))
    with recording("place.created", place, snapshot=_place_snapshot, region_id=region_id,
                   actor=actor, now=now, is_new=True):
        db.session.add(place)
    return place


def update_place(*, place: Place, values: PlaceValues, actor, now: datetime) -> Place:
    values = _check_place(place.municipality, values, place.id)
    with recording("place.updated", place, snapshot=_place_snapshot,
                   region_id=place.municipality.sub_region.region_id, actor=actor, now=now):
        for name in _PLACE_FIELDS:
            setattr(place, name, getattr(values, name))
    return place


_REGION_FIELDS = ("name", "platform_fee_permille", "brand_colour", "accent_colour", "logo_key")


def _check_colour(colour: str | None, field: str) -> str | None:
    colour = (colour or "").strip().lower() or None
    if colour is None:
        return None
    if not HEX_COLOUR.fullmatch(colour):
        raise BadColour(field=field)
    ratio = min(contrast_ratio(colour, background) for background in BACKGROUNDS)
    if ratio < MIN_TEXT_CONTRAST:
        raise LowContrast(colour=colour, ratio=f"{ratio:.1f}".replace(".", ","), field=field)
    return colour


def update_region(*, region: Region, name: str, platform_fee_permille: int, brand_colour: str | None,
                  accent_colour: str | None, actor, now: datetime) -> Region:
    """The region's name, platform fee and colours (each readable on white: WCAG 4.5:1)."""
    name = _check_name(name)
    if not 0 <= platform_fee_permille <= 1000:
        raise BadFee()
    brand = _check_colour(brand_colour, "brand_colour")
    accent = _check_colour(accent_colour, "accent_colour")
    with recording("region.updated", region, snapshot=_fields(*_REGION_FIELDS), region_id=region.id,
                   actor=actor, now=now):
        region.name, region.platform_fee_permille = name, platform_fee_permille
        region.brand_colour, region.accent_colour = brand, accent
    return region


def set_region_logo(*, region: Region, logo_key: str | None, actor, now: datetime) -> str | None:
    """Record a stored logo (catalog.photos.store_photo) or none; the replaced key, whose files
    the caller deletes after the commit."""
    replaced = region.logo_key
    with recording("region.logo_changed", region, snapshot=_fields("logo_key"), region_id=region.id,
                   actor=actor, now=now):
        region.logo_key = logo_key
    return replaced


def set_legal_texts(*, region: Region, imprint_text: str, privacy_text: str, actor, now: datetime) -> Region:
    with recording("region.legal_changed", region, snapshot=_fields("imprint_text", "privacy_text"),
                   region_id=region.id, actor=actor, now=now):
        region.imprint_text = (imprint_text or "").strip() or None
        region.privacy_text = (privacy_text or "").strip() or None
    return region


def set_refund_rule(*, region: Region, refund_expired_perishables: bool, actor, now: datetime) -> Region:
    """Whether chilled and frozen goods nobody collected are refunded (or credited) too; goods
    that keep always are (payments/corrections.py)."""
    before = {"refund_expired_perishables": region.refund_expired_perishables}
    region.refund_expired_perishables = bool(refund_expired_perishables)
    db.session.flush()
    log_change(region_id=region.id, actor=actor, action="region.refund_rule_changed", obj=region,
               before=before, after={"refund_expired_perishables": region.refund_expired_perishables}, now=now)
    return region
