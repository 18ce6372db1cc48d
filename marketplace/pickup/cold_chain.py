"""Which pickup place keeps which temperature class, and on which days a place can take orders.

The rules of DESIGN.md's cold chain, in one place: ambient goods go anywhere; chilled goods need
a working chilled compartment, a chilled shelf or the door; frozen goods need a working frozen
compartment, a freezer at the sales point, or the door (the driver hands them over from the
cooled van). A chilled compartment or shelf does not keep frozen goods frozen.
"""
from __future__ import annotations

from datetime import date

from marketplace.catalog.models import Temperature
from marketplace.pickup.models import PickupKind, PickupPlace


def temperatures_kept(place: PickupPlace) -> frozenset[Temperature]:
    """The temperature classes a pickup place can hold until handover."""
    if place.kind == PickupKind.STATION:
        return frozenset({Temperature.AMBIENT, *(c.temperature for c in place.working_compartments)})
    kept = {Temperature.AMBIENT}
    if place.has_chilled_shelf:
        kept.add(Temperature.CHILLED)
    if place.has_freezer:
        kept.add(Temperature.FROZEN)
    return frozenset(kept)


def is_open_on(place: PickupPlace, day: date) -> bool:
    """Whether goods can be delivered to and collected at the place on `day`.

    A parcel station is unstaffed and always open; a sales point only on the weekdays it has
    opening hours."""
    if place.kind == PickupKind.STATION:
        return True
    return any(hours.weekday == day.isoweekday() for hours in place.opening_hours)
