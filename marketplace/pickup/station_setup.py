"""An operator's parcel stations: add one (it waits for the coordinator's approval), edit its
name, address, village, access hours, contact and the photo of where it stands."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import grant_role
from marketplace.catalog import photos
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.errors import N_, InvalidFields
from marketplace.extensions import db
from marketplace.notifications.phones import normalise_phone
from marketplace.pickup.models import ParcelStation
from marketplace.regions.models import Place


class InvalidStation(InvalidFields):
    code = "invalid_station"
    message = N_("Bitte prüfen Sie die Angaben zur Station.")


@dataclass(frozen=True)
class StationDetails:
    name: str
    street: str
    place_id: int | None
    access_hours: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def _checked(details: StationDetails) -> tuple[dict, Place | None]:
    errors: dict[str, str] = {}
    if not details.name.strip() or len(details.name) > 200:
        errors["name"] = N_("Bitte einen Namen angeben (höchstens 200 Zeichen).")
    if not details.street.strip() or len(details.street) > 200:
        errors["street"] = N_("Bitte die Straße angeben (höchstens 200 Zeichen).")
    place = db.session.get(Place, details.place_id) if details.place_id is not None else None
    if place is None:
        errors["place_id"] = N_("Bitte einen Ort der Region wählen.")
    if len(details.access_hours) > 200:
        errors["access_hours"] = N_("Höchstens 200 Zeichen.")
    if len(details.contact_name) > 200:
        errors["contact_name"] = N_("Höchstens 200 Zeichen.")
    if details.contact_phone.strip() and normalise_phone(details.contact_phone) is None:
        errors["contact_phone"] = N_("Diese Telefonnummer können wir nicht lesen.")
    return errors, place


def _apply(station: ParcelStation, details: StationDetails, place: Place) -> None:
    moved = station.place_id != place.id
    station.name, station.street, station.place = details.name.strip(), details.street.strip(), place
    station.sub_region = place.municipality.sub_region
    station.access_hours = details.access_hours.strip() or None
    station.contact_name = details.contact_name.strip() or None
    station.contact_phone = normalise_phone(details.contact_phone) if details.contact_phone.strip() else None
    if moved:  # at the village until the operator's coordinates are set
        station.lat, station.lon = place.lat, place.lon


def add_station(*, operator: User, details: StationDetails) -> ParcelStation:
    """A new station run by `operator`, waiting for its sub-region's coordinator; flushes."""
    errors, place = _checked(details)
    if errors:
        raise InvalidStation(errors=errors)
    station = ParcelStation(is_approved=False, lat=place.lat, lon=place.lon, name="", street="", place=place)
    _apply(station, details, place)
    db.session.add(station)
    db.session.flush()
    grant_role(operator, Role.OPERATOR, station.id)
    return station


def change_station(station: ParcelStation, details: StationDetails) -> ParcelStation:
    """New details; a station that moves to another sub-region waits for approval again."""
    errors, place = _checked(details)
    if errors:
        raise InvalidStation(errors=errors)
    old_sub_region = station.sub_region_id
    _apply(station, details, place)
    if station.sub_region_id != old_sub_region:
        station.is_approved, station.reviewed_at, station.review_note = False, None, None
    db.session.flush()
    bump_catalog_version()
    return station


def set_station_photo(station: ParcelStation, *, data: bytes, upload_dir: str) -> str | None:
    """Check, store and attach the photo (catalog.photos); the replaced photo's key, whose files
    the caller deletes after the commit. A refused file stores nothing."""
    key = photos.store_photo(data, upload_dir)
    replaced, station.photo_key = station.photo_key, key
    db.session.flush()
    return replaced


def list_places_for_stations() -> list[Place]:
    return list(db.session.scalars(select(Place).order_by(Place.name, Place.id)))
